"""What the VPC holds, decided from the spec alone: subnets per zone, NAT placement, endpoints, subnet tags."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Literal

from inferstack.planning.defaults import audit_logs_protected, log_retention_days, zone_slots
from inferstack.planning.subnets import plan_zone_subnets
from inferstack.spec.models import EnvironmentSpec

# Interface endpoints a private cluster needs to pull images (ECR API + registry), assume IRSA roles (STS) and
# ship logs without crossing NAT; S3 is a (free) gateway endpoint, and ECR image layers are served from S3.
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "sts", "logs")
GATEWAY_ENDPOINT_SERVICES = ("s3",)

Tier = Literal["private", "public"]


@dataclass(frozen=True)
class ZoneNetwork:
    """One zone's subnets and the zone whose NAT gateway its private subnet routes through."""

    zone: str
    private: IPv4Network
    public: IPv4Network
    nat_zone: str


@dataclass(frozen=True)
class NetworkPlan:
    """The VPC layout of one environment."""

    vpc: IPv4Network
    zones: dict[str, ZoneNetwork]
    nat_zones: tuple[str, ...]
    interface_endpoints: tuple[str, ...]
    gateway_endpoints: tuple[str, ...]
    flow_logs: bool
    log_retention_days: int
    # Protect the flow-log group from deletion (production: it is an audit trail).
    protect_logs: bool = False


def plan_network(spec: EnvironmentSpec) -> NetworkPlan:
    """Subnets from the zone planner; NAT in the first zone (single) or every zone (per_zone)."""
    subnets = plan_zone_subnets(spec.network.cidr, zone_slots(spec))
    zones = list(subnets.zones)
    # The first zone in slot order: stable when zones are appended to the spec.
    nat_zones = tuple(zones) if spec.network.nat == "per_zone" else (zones[0],)
    private = spec.security_profile == "private"
    return NetworkPlan(
        vpc=subnets.vpc,
        zones={
            zone: ZoneNetwork(
                zone=zone,
                private=plan.private,
                public=plan.public,
                nat_zone=zone if zone in nat_zones else nat_zones[0],
            )
            for zone, plan in subnets.zones.items()
        },
        nat_zones=nat_zones,
        interface_endpoints=INTERFACE_ENDPOINT_SERVICES if private else (),
        gateway_endpoints=GATEWAY_ENDPOINT_SERVICES if private else (),
        flow_logs=spec.network.flow_logs,
        log_retention_days=log_retention_days(spec),
        protect_logs=audit_logs_protected(spec),
    )


def endpoint_service_name(region: str, service: str) -> str:
    """The VPC endpoint service name of an AWS service in a region."""
    return f"com.amazonaws.{region}.{service}"


def subnet_tags(cluster_name: str, tier: Tier) -> dict[str, str]:
    """Tags that let load-balancer controllers find the subnets and mark them as shared with the cluster."""
    role = "kubernetes.io/role/internal-elb" if tier == "private" else "kubernetes.io/role/elb"
    return {role: "1", f"kubernetes.io/cluster/{cluster_name}": "shared", "inferstack.dev/tier": tier}
