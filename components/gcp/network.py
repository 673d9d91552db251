"""GcpNetwork: a custom-mode VPC, one regional subnetwork with pod and service ranges, Cloud NAT, firewall."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from inferstack.gcp.plan.network import PODS_RANGE_NAME, SERVICES_RANGE_NAME, FirewallRule, GcpNetworkPlan

TYPE_TOKEN = "inferstack:index:GcpNetwork"


def _allows(rule: FirewallRule) -> list[gcp.compute.FirewallAllowArgsDict] | None:
    """The allowed protocol/ports of an allow rule (no ports: every port)."""
    if rule.action != "allow":
        return None
    return [{"protocol": protocol, "ports": list(ports) or None} for protocol, ports in rule.protocols]


def _denies(rule: FirewallRule) -> list[gcp.compute.FirewallDenyArgsDict] | None:
    """The denied protocol/ports of a deny rule (no ports: every port)."""
    if rule.action != "deny":
        return None
    return [{"protocol": protocol, "ports": list(ports) or None} for protocol, ports in rule.protocols]


def firewall(
    name: str,
    rule: FirewallRule,
    *,
    gcp_name: str,
    network_id: pulumi.Input[str],
    source_ranges: pulumi.Input[Sequence[pulumi.Input[str]]],
    opts: pulumi.ResourceOptions,
) -> gcp.compute.Firewall:
    """One ingress firewall rule of the environment's VPC."""
    return gcp.compute.Firewall(
        name,
        name=gcp_name,
        description=rule.description,
        network=network_id,
        direction="INGRESS",
        priority=rule.priority,
        source_ranges=source_ranges,
        target_tags=list(rule.target_tags) or None,
        allows=_allows(rule),
        denies=_denies(rule),
        opts=opts,
    )


class GcpNetwork(pulumi.ComponentResource):
    """The environment's VPC: nodes reach Google APIs privately and the internet only through Cloud NAT."""

    network: gcp.compute.Network
    subnetwork: gcp.compute.Subnetwork

    def __init__(self, name: str, plan: GcpNetworkPlan, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        region = plan.region
        ranges = plan.ranges
        self.ranges = ranges
        self.network = gcp.compute.Network(
            f"{name}-vpc",
            name=plan.named("vpc"),
            description=f"inferstack environment {plan.environment}",
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=child,
        )
        log_config: gcp.compute.SubnetworkLogConfigArgsDict | None = (
            # Sampling half the flows with metadata keeps the cost bounded while every talker still shows up.
            {"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"}
            if plan.flow_logs
            else None
        )
        self.subnetwork = gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=plan.named(region),
            description="GKE nodes; pods and services in the secondary ranges",
            network=self.network.id,
            region=region,
            ip_cidr_range=str(ranges.nodes),
            secondary_ip_ranges=[
                {"range_name": PODS_RANGE_NAME, "ip_cidr_range": str(ranges.pods)},
                {"range_name": SERVICES_RANGE_NAME, "ip_cidr_range": str(ranges.services)},
            ],
            private_ip_google_access=True,
            stack_type="IPV4_ONLY",
            log_config=log_config,
            opts=child,
        )
        self.router = gcp.compute.Router(
            f"{name}-router", name=plan.named("router"), network=self.network.id, region=region, opts=child
        )
        self.nat = gcp.compute.RouterNat(
            f"{name}-nat",
            name=plan.named("nat"),
            router=self.router.name,
            region=region,
            nat_ip_allocate_option="AUTO_ONLY",
            # Only this subnetwork (nodes and pods) is translated; nothing is reachable from outside through NAT.
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[{"name": self.subnetwork.id, "source_ip_ranges_to_nats": ["ALL_IP_RANGES"]}],
            log_config={"enable": True, "filter": "ERRORS_ONLY"},
            opts=child,
        )
        self.firewalls = {
            rule.key: firewall(
                f"{name}-{rule.key}",
                rule,
                gcp_name=plan.named(rule.key),
                network_id=self.network.id,
                source_ranges=[str(cidr) for cidr in rule.source_ranges],
                opts=child,
            )
            for rule in plan.firewall_rules
        }
        self.register_outputs({"network": self.network.id, "subnetwork": self.subnetwork.id})
