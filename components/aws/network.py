"""AwsNetwork: the VPC, per-zone subnets, internet and NAT gateways, routes, endpoints and flow logs."""

from __future__ import annotations

import json
from ipaddress import IPv4Network

import pulumi
import pulumi_aws as aws

from inferstack.aws.plan.logging import flow_log_group
from inferstack.aws.plan.network import NetworkPlan, Tier, endpoint_service_name, subnet_tags
from inferstack.aws.plan.policy_documents import flow_logs_policy, service_trust_policy
from inferstack.aws.plan.security_rules import SgRule
from inferstack.aws.security_groups import create_rules

TYPE_TOKEN = "inferstack:index:AwsNetwork"


class AwsNetwork(pulumi.ComponentResource):
    """A VPC laid out by `plan_network`: a private and a public subnet per zone, NAT, routes, endpoints, flow logs."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: dict[str, pulumi.Output[str]]
    public_subnet_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        plan: NetworkPlan,
        *,
        cluster_name: str,
        region: str,
        tags: dict[str, str],
        endpoint_rules: list[SgRule] | None = None,
        logs_key_arn: pulumi.Input[str] | None = None,
        discovery_tags: dict[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.plan = plan
        self._logs_key_arn = logs_key_arn
        self._endpoint_rules = endpoint_rules or []
        self._tags = tags
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=str(plan.vpc),
            enable_dns_support=True,
            enable_dns_hostnames=True,  # interface endpoints' private DNS and EKS node names need both
            tags=self._named(f"{name}-vpc"),
            opts=child,
        )
        self.vpc_id = vpc.id
        # Take over the default group and leave it without rules, so nothing can use it by accident.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=vpc.id, tags=self._named(f"{name}-default"), opts=child
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=self._named(f"{name}-igw"), opts=child)

        self.private_subnet_ids = {}
        self.public_subnet_ids = {}
        for zone, layout in plan.zones.items():
            tiers: tuple[tuple[Tier, IPv4Network, dict[str, pulumi.Output[str]]], ...] = (
                ("private", layout.private, self.private_subnet_ids),
                ("public", layout.public, self.public_subnet_ids),
            )
            for tier, cidr, ids in tiers:
                subnet = aws.ec2.Subnet(
                    f"{name}-{tier}-{zone}",
                    vpc_id=vpc.id,
                    cidr_block=str(cidr),
                    # Zone IDs name the same physical zone in every account; zone names do not.
                    availability_zone_id=zone,
                    map_public_ip_on_launch=False,
                    tags={
                        **self._named(f"{name}-{tier}-{zone}"),
                        **subnet_tags(cluster_name, tier),
                        # Karpenter launches nodes into the private subnets carrying its discovery tag.
                        **((discovery_tags or {}) if tier == "private" else {}),
                    },
                    opts=child,
                )
                ids[zone] = subnet.id

        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=vpc.id, tags=self._named(f"{name}-public"), opts=child
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        for zone, subnet_id in self.public_subnet_ids.items():
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}", route_table_id=public_rt.id, subnet_id=subnet_id, opts=child
            )

        nat_ids: dict[str, pulumi.Output[str]] = {}
        for zone in plan.nat_zones:
            eip = aws.ec2.Eip(f"{name}-nat-{zone}", domain="vpc", tags=self._named(f"{name}-nat-{zone}"), opts=child)
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=eip.allocation_id,
                subnet_id=self.public_subnet_ids[zone],
                connectivity_type="public",
                tags=self._named(f"{name}-nat-{zone}"),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
            nat_ids[zone] = nat.id

        # One private route table per zone whatever the NAT mode: switching single <-> per_zone changes a route,
        # never the tables or their associations.
        private_rts: list[pulumi.Output[str]] = []
        for zone, layout in plan.zones.items():
            rt = aws.ec2.RouteTable(
                f"{name}-private-rt-{zone}", vpc_id=vpc.id, tags=self._named(f"{name}-private-{zone}"), opts=child
            )
            aws.ec2.Route(
                f"{name}-private-default-{zone}",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat_ids[layout.nat_zone],
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}", route_table_id=rt.id, subnet_id=self.private_subnet_ids[zone], opts=child
            )
            private_rts.append(rt.id)

        self.endpoint_security_group_id: pulumi.Output[str] | None = None
        if plan.interface_endpoints or plan.gateway_endpoints:
            self._endpoints(name, region, vpc, private_rts)
        if plan.flow_logs:
            self._flow_logs(name, vpc)
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
            }
        )

    def _named(self, value: str) -> dict[str, str]:
        return {**self._tags, "Name": value}

    def _endpoints(self, name: str, region: str, vpc: aws.ec2.Vpc, route_tables: list[pulumi.Output[str]]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        for service in self.plan.gateway_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-endpoint-{service}",
                vpc_id=vpc.id,
                service_name=endpoint_service_name(region, service),
                vpc_endpoint_type="Gateway",
                route_table_ids=route_tables,
                tags=self._named(f"{name}-{service}"),
                opts=child,
            )
        if not self.plan.interface_endpoints:
            return
        group = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            vpc_id=vpc.id,
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            tags=self._named(f"{name}-endpoints"),
            opts=child,
        )
        self.endpoint_security_group_id = group.id
        create_rules(name, self._endpoint_rules, {"endpoints": group.id}, child)
        for service in self.plan.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-endpoint-{service.replace('.', '-')}",
                vpc_id=vpc.id,
                service_name=endpoint_service_name(region, service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=list(self.private_subnet_ids.values()),
                security_group_ids=[group.id],
                tags=self._named(f"{name}-{service}"),
                opts=child,
            )

    def _flow_logs(self, name: str, vpc: aws.ec2.Vpc) -> None:
        child = pulumi.ResourceOptions(parent=self)
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=flow_log_group(name),
            retention_in_days=self.plan.log_retention_days,
            kms_key_id=self._logs_key_arn,
            tags=self._tags,
            opts=pulumi.ResourceOptions(parent=self, protect=self.plan.protect_logs),
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            assume_role_policy=json.dumps(service_trust_policy("vpc-flow-logs.amazonaws.com")),
            tags=self._tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=group.arn.apply(lambda arn: json.dumps(flow_logs_policy(arn))),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=600,
            tags=self._named(f"{name}-flow-logs"),
            opts=child,
        )
