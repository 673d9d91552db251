"""The VPC of a GCP environment as data: node, pod and service ranges, names, and every ingress firewall rule."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Literal

from inferstack.catalog.gke import gke_facts
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.gcp.plan.location import region
from inferstack.planning.subnets import plan_cluster_ranges
from inferstack.spec.models import EnvironmentSpec
from inferstack.target import SERVING_PORT

# Google's load-balancer and health-check probes come from these ranges (IPv4), per the Cloud Load
# Balancing "Firewall rules" page; nothing else from outside the VPC may reach a node.
HEALTH_CHECK_RANGES = (IPv4Network("35.191.0.0/16"), IPv4Network("130.211.0.0/22"))
WORLD = IPv4Network("0.0.0.0/0")
PODS_RANGE_NAME = "pods"
SERVICES_RANGE_NAME = "services"
# GCP evaluates lower numbers first; 65534 sits just above the implied rules, so every allow wins over it.
DENY_ALL_PRIORITY = 65534
ALLOW_PRIORITY = 1000


@dataclass(frozen=True)
class NetworkRanges:
    """The regional subnetwork's node range and its pod and service secondary ranges."""

    nodes: IPv4Network
    pods: IPv4Network
    services: IPv4Network


@dataclass(frozen=True)
class FirewallRule:
    """One ingress firewall rule: what it lets in (or denies), from where, to which nodes and why."""

    key: str
    description: str
    action: Literal["allow", "deny"]
    priority: int
    protocols: tuple[tuple[str, tuple[str, ...]], ...]
    source_ranges: tuple[IPv4Network, ...]
    target_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class GcpNetworkPlan:
    """Everything GcpNetwork creates, named: the VPC, its one regional subnetwork, Cloud NAT and the firewall."""

    environment: str
    region: str
    ranges: NetworkRanges
    flow_logs: bool
    firewall_rules: tuple[FirewallRule, ...]

    def named(self, part: str) -> str:
        """The GCP name of one of the network's resources (names are unique per project)."""
        return f"{self.environment}-{part}"


def network_ranges(spec: EnvironmentSpec) -> NetworkRanges:
    """Nodes and pods from the shared planner; services from network.services_cidr, as on EKS.

    `network.services_cidr` means "the Kubernetes Service range" on every cloud, so GKE uses it for the
    services secondary range and the planner's services block stays free. The spec checks already make it
    private and disjoint from `network.cidr` (which holds the node and pod ranges).
    """
    planned = plan_cluster_ranges(spec.network.cidr)
    return NetworkRanges(nodes=planned.nodes, pods=planned.pods, services=spec.network.services_cidr)


def gpu_node_tag(spec: EnvironmentSpec) -> str:
    """The network tag on every GPU node: the only target of the health-check firewall rule."""
    return f"{spec.name}-gpu-node"


def system_node_tag(spec: EnvironmentSpec) -> str:
    """The network tag on system nodes."""
    return f"{spec.name}-system-node"


def plan_firewall_rules(spec: EnvironmentSpec) -> tuple[FirewallRule, ...]:
    """Deny all ingress by default; allow the cluster to talk to itself and Google's probes to the serving port."""
    ranges = network_ranges(spec)
    return (
        FirewallRule(
            key="deny-all-ingress",
            description="Deny every ingress not allowed by a higher-priority rule (explicit default deny).",
            action="deny",
            priority=DENY_ALL_PRIORITY,
            protocols=(("all", ()),),
            source_ranges=(WORLD,),
        ),
        FirewallRule(
            key="allow-intra-cluster",
            description="Nodes and pods of the cluster reach each other; NetworkPolicies narrow it per namespace.",
            action="allow",
            priority=ALLOW_PRIORITY,
            protocols=(("tcp", ()), ("udp", ()), ("icmp", ())),
            source_ranges=(ranges.nodes, ranges.pods),
        ),
        FirewallRule(
            key="allow-health-checks",
            description=(
                f"Google load-balancer health checks reach the serving port {SERVING_PORT} on GPU nodes only."
            ),
            action="allow",
            priority=ALLOW_PRIORITY,
            protocols=(("tcp", (str(SERVING_PORT),)),),
            source_ranges=HEALTH_CHECK_RANGES,
            target_tags=(gpu_node_tag(spec),),
        ),
    )


def control_plane_ports() -> tuple[str, ...]:
    """TCP ports the API server calls on add-on pods (webhooks, aggregated APIs) beyond those GKE opens itself."""
    opened = set(gke_facts().control_plane.open_ports)
    wanted = {port for chart in k8s_addons().charts.values() for port in chart.control_plane_ports}
    return tuple(str(port) for port in sorted(wanted - opened))


def plan_control_plane_rule(spec: EnvironmentSpec) -> FirewallRule:
    """Let the control plane reach the add-ons' webhook and aggregated-API ports (KEDA's 6443 and 9443) on the nodes.

    GKE's own rule opens only 443 and 10250 from the control plane; without this one the KEDA metrics API is
    unavailable and its webhooks time out. The source is the control plane's private address, known only once the
    cluster exists, so the rule's `source_ranges` stay empty here and the cluster component fills them in.
    """
    ports = control_plane_ports()
    return FirewallRule(
        key="allow-control-plane-webhooks",
        description=f"The GKE control plane reaches add-on webhooks and aggregated APIs (tcp {', '.join(ports)}).",
        action="allow",
        priority=ALLOW_PRIORITY,
        protocols=(("tcp", ports),),
        source_ranges=(),
        target_tags=(system_node_tag(spec), gpu_node_tag(spec)),
    )


def plan_network(spec: EnvironmentSpec) -> GcpNetworkPlan:
    """The environment's VPC: ranges, flow logs and firewall rules."""
    return GcpNetworkPlan(
        environment=spec.name,
        region=region(spec),
        ranges=network_ranges(spec),
        flow_logs=spec.network.flow_logs,
        firewall_rules=plan_firewall_rules(spec),
    )
