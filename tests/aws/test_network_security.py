"""Network and security groups: subnets per zone, NAT modes, endpoints, rules with reasons, API access."""

from __future__ import annotations

import json
from ipaddress import IPv4Network
from typing import get_args

import pytest

from inferstack.aws.environment import public_access_cidrs
from inferstack.aws.plan.network import INTERFACE_ENDPOINT_SERVICES, Tier, plan_network, subnet_tags
from inferstack.aws.plan.security_rules import ANYWHERE, plan_security_rules
from inferstack.spec import EnvironmentSpec
from tests.aws.conftest import PlannedStack

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def spec(**overrides: object) -> EnvironmentSpec:
    base: dict[str, object] = {
        "name": "t",
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az2", "use1-az4"],
        "node_pools": {"l4": {"gpu": "nvidia-l4", "max": 2}},
    }
    return EnvironmentSpec.model_validate({**base, **overrides})


@pytest.mark.parametrize(
    ("nat", "expected"), [("single", ("use1-az1",)), ("per_zone", ("use1-az1", "use1-az2", "use1-az4"))]
)
def test_nat_placement(nat: str, expected: tuple[str, ...]) -> None:
    plan = plan_network(spec(network={"nat": nat}))
    assert plan.nat_zones == expected
    # Every private subnet routes through a NAT that exists, in its own zone when there is one there.
    for zone, layout in plan.zones.items():
        assert layout.nat_zone == (zone if zone in expected else expected[0])


def test_adding_a_zone_moves_no_existing_subnet() -> None:
    two, three = plan_network(spec(zones=["use1-az1", "use1-az4"])), plan_network(spec())
    for zone, layout in two.zones.items():
        assert three.zones[zone] == layout
    subnets = [net for layout in three.zones.values() for net in (layout.private, layout.public)]
    assert not any(a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1 :])
    assert all(net.subnet_of(IPv4Network("10.0.0.0/16")) for net in subnets)


@pytest.mark.parametrize(("profile", "endpoints"), [("standard", ()), ("private", INTERFACE_ENDPOINT_SERVICES)])
def test_endpoints_only_in_the_private_profile(profile: str, endpoints: tuple[str, ...]) -> None:
    plan = plan_network(spec(security_profile=profile))
    assert plan.interface_endpoints == endpoints
    assert plan.gateway_endpoints == (("s3",) if endpoints else ())


@pytest.mark.parametrize("tier", get_args(Tier))
def test_subnet_tags_name_the_lb_role_and_the_cluster(tier: Tier) -> None:
    tags = subnet_tags("prod", tier)
    role = "kubernetes.io/role/internal-elb" if tier == "private" else "kubernetes.io/role/elb"
    assert tags[role] == "1" and tags["kubernetes.io/cluster/prod"] == "shared"


@pytest.mark.parametrize("endpoints", [False, True])
def test_every_rule_is_described_and_no_ingress_is_open_to_the_world(endpoints: bool) -> None:
    rules = plan_security_rules("10.0.0.0/16", endpoints)
    assert all(rule.description for rule in rules)
    assert len({(rule.group, rule.key) for rule in rules}) == len(rules)
    assert all(rule.cidr != ANYWHERE for rule in rules if rule.direction == "ingress")
    assert all((rule.peer_group is None) != (rule.cidr is None) for rule in rules)
    assert any(rule.group == "endpoints" for rule in rules) is endpoints


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_planned_rules_have_descriptions_and_no_world_ingress(aws_stacks: dict[str, PlannedStack], stack: str) -> None:
    plan = aws_stacks[stack].plan
    rules = plan.of_type(INGRESS) + plan.of_type(EGRESS)
    assert rules and all(rule.inputs.get("description") for rule in rules)
    for rule in plan.of_type(INGRESS):
        assert rule.inputs.get("cidrIpv4") != ANYWHERE, rule.name
        assert "cidrIpv6" not in rule.inputs
    for group in plan.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert "ingress" not in group.inputs and "egress" not in group.inputs, "rules are standalone resources"


def test_prod_has_private_endpoints_with_their_own_group(aws_stacks: dict[str, PlannedStack]) -> None:
    prod = aws_stacks["aws-prod"]
    endpoints = {e.inputs["serviceName"]: e for e in prod.plan.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert set(endpoints) == {f"com.amazonaws.us-east-1.{s}" for s in ("s3", *INTERFACE_ENDPOINT_SERVICES)}
    group = prod.one("aws:ec2/securityGroup:SecurityGroup", "prod-network-endpoints-sg")
    for service, endpoint in endpoints.items():
        if service.endswith(".s3"):
            assert endpoint.inputs["vpcEndpointType"] == "Gateway" and len(endpoint.inputs["routeTableIds"]) == 3
        else:
            assert endpoint.inputs["securityGroupIds"] == [group.id] and endpoint.inputs["privateDnsEnabled"]
    (rule,) = [r for r in prod.plan.of_type(INGRESS) if r.inputs["securityGroupId"] == group.id]
    assert rule.inputs["cidrIpv4"] == "10.50.0.0/16" and rule.inputs["fromPort"] == 443
    assert not aws_stacks["aws-dev"].plan.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")


@pytest.mark.parametrize(("stack", "nats"), [("aws-dev", 1), ("aws-prod", 3)])
def test_nat_gateways_and_private_routes(aws_stacks: dict[str, PlannedStack], stack: str, nats: int) -> None:
    plan = aws_stacks[stack].plan
    nat_ids = {nat.id for nat in plan.of_type("aws:ec2/natGateway:NatGateway")}
    assert len(nat_ids) == nats
    private_routes = [r for r in plan.of_type("aws:ec2/route:Route") if "natGatewayId" in r.inputs]
    assert {r.inputs["natGatewayId"] for r in private_routes} == nat_ids
    assert all(r.inputs["destinationCidrBlock"] == "0.0.0.0/0" for r in private_routes)


def test_flow_logs_go_to_a_log_group_with_retention(aws_stacks: dict[str, PlannedStack]) -> None:
    prod = aws_stacks["aws-prod"]
    (flow,) = prod.plan.of_type("aws:ec2/flowLog:FlowLog")
    group = prod.one("aws:cloudwatch/logGroup:LogGroup", "prod-network-flow-logs")
    assert flow.inputs["logDestination"].endswith(group.inputs["name"])
    # Production keeps a year by default; the group is encrypted with the environment's logs key.
    assert flow.inputs["trafficType"] == "ALL" and group.inputs["retentionInDays"] == 365
    (key,) = [k for k in prod.plan.of_type("aws:kms/key:Key") if k.name == "prod-logs-key"]
    assert key.id and group.inputs["kmsKeyId"].endswith(f":key/{key.id}")


def test_no_flow_logs_when_turned_off() -> None:
    assert not plan_network(spec(network={"flow_logs": False})).flow_logs


@pytest.mark.parametrize(
    ("overrides", "cidrs"),
    [
        ({"network": {"api_access": ["203.0.113.0/24"]}}, ["203.0.113.0/24"]),
        ({}, []),
        ({"security_profile": "private"}, []),
    ],
)
def test_public_api_access_only_for_named_cidrs(overrides: dict[str, object], cidrs: list[str]) -> None:
    assert public_access_cidrs(spec(**overrides)) == cidrs


@pytest.mark.parametrize(("stack", "public"), [("aws-dev", ["203.0.113.0/24"]), ("aws-prod", None)])
def test_cluster_endpoint_access(aws_stacks: dict[str, PlannedStack], stack: str, public: list[str] | None) -> None:
    (cluster,) = aws_stacks[stack].plan.of_type("aws:eks/cluster:Cluster")
    vpc = cluster.inputs["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is (public is not None)
    assert vpc.get("publicAccessCidrs") == public
    assert json.dumps(cluster.inputs).count("0.0.0.0/0") == 0
