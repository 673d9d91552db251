"""Pure GCP decisions as plain data: ranges, firewall rules, node pool layouts, account ids and labels.

Components in this package only loop over what these functions return, so every choice can be tested
without Pulumi. Inputs are a checked `EnvironmentSpec`; a spec that fails its checks is a caller bug here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Literal

from inferstack import catalog
from inferstack.planning.defaults import effective_zones, pool_instance_type, pool_zones, system_instance_type
from inferstack.planning.subnets import plan_cluster_ranges
from inferstack.spec.models import EnvironmentSpec
from inferstack.target import GPU_LABEL, GPU_TAINT_KEY, POOL_LABEL, SERVING_PORT, Taint

# Google's load-balancer and health-check probes come from these ranges (IPv4), per the Cloud Load
# Balancing "Firewall rules" page; nothing else from outside the VPC may reach a node.
HEALTH_CHECK_RANGES = (IPv4Network("35.191.0.0/16"), IPv4Network("130.211.0.0/22"))
WORLD = IPv4Network("0.0.0.0/0")
PODS_RANGE_NAME = "pods"
SERVICES_RANGE_NAME = "services"
# GCP evaluates lower numbers first; 65534 sits just above the implied rules, so every allow wins over it.
DENY_ALL_PRIORITY = 65534
ALLOW_PRIORITY = 1000
# The same value GKE itself puts on GPU nodes (nvidia.com/gpu=present:NoSchedule).
GPU_TAINT_VALUE = "present"
# GKE-managed drivers: LATEST, because current vLLM images are built against CUDA 12.8+ (driver R570+),
# which the per-version DEFAULT driver of older GKE minors does not reach.
GPU_DRIVER_VERSION = "LATEST"
# Root disk when the pool does not say: the engine image (~10 GB) plus a local copy of the largest
# weights we expect per node; weights are staged in the bucket, the disk is a cache.
DEFAULT_GPU_DISK_GIB = 200
SYSTEM_DISK_GIB = 50
SYSTEM_POOL_NAME = "system"
GKE_NODE_POOL_NAME_MAX = 40
ACCOUNT_ID_MIN, ACCOUNT_ID_MAX = 6, 30
ENV_LABEL = "inferstack-environment"
# GKE's own scopes are coarse; access is governed by the node service account's IAM roles instead.
NODE_OAUTH_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
# The minimum a GKE node needs: write logs and metrics, read metadata, pull images. Nothing else.
NODE_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
)
READER_ROLE = "roles/storage.objectViewer"
# objectUser: create, read, overwrite and delete objects, but no bucket or IAM changes.
WRITER_ROLE = "roles/storage.objectUser"
WORKLOAD_IDENTITY_ROLE = "roles/iam.workloadIdentityUser"
KMS_ENCRYPTER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
# Lets a cluster admin read cluster metadata (get-credentials); Kubernetes rights come from RBAC.
CLUSTER_VIEWER_ROLE = "roles/container.clusterViewer"
KEY_ROTATION_PERIOD = "7776000s"  # 90 days
LOG_ENABLED_COMPONENTS = ("SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER")
MONITORING_ENABLED_COMPONENTS = ("SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER")


class GcpPlanError(ValueError):
    """The spec reached the GCP layer without passing its checks (a bug in the caller, not user input)."""


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
class AutoscalingPlan:
    """Node bounds of a pool across all its zones, and the per-zone count it is created with."""

    total_min: int
    total_max: int
    initial_per_zone: int
    location_policy: Literal["ANY", "BALANCED"]


@dataclass(frozen=True)
class GpuPoolPlan:
    """Everything a GKE GPU node pool is made of, resolved from the spec and the catalog."""

    key: str
    pool_name: str
    machine_type: str
    accelerator_type: str
    gpu: str
    gpus: int
    vcpus: int
    memory_gib: float
    zones: tuple[str, ...]
    spot: bool
    disk_gib: int
    autoscaling: AutoscalingPlan
    labels: dict[str, str]
    taints: tuple[Taint, ...]
    network_tags: tuple[str, ...]


@dataclass(frozen=True)
class SystemPoolPlan:
    """The small CPU pool that runs cluster add-ons."""

    pool_name: str
    machine_type: str
    zones: tuple[str, ...]
    disk_gib: int
    autoscaling: AutoscalingPlan
    network_tags: tuple[str, ...]


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


def firewall_rules(spec: EnvironmentSpec) -> list[FirewallRule]:
    """Deny all ingress by default; allow the cluster to talk to itself and Google's probes to the serving port."""
    ranges = network_ranges(spec)
    return [
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
    ]


def labels(spec: EnvironmentSpec) -> dict[str, str]:
    """Labels for every labelable resource: the stack's tags plus the environment name."""
    return {**spec.tags, ENV_LABEL: spec.name}


def account_id(*parts: str) -> str:
    """A service account id (6-30 chars, lowercase, dashes) from name parts, shortened by a stable hash."""
    joined = "-".join(parts)
    if len(joined) > ACCOUNT_ID_MAX:
        digest = hashlib.sha256(joined.encode()).hexdigest()[:6]
        joined = f"{joined[: ACCOUNT_ID_MAX - len(digest) - 1].rstrip('-')}-{digest}"
    return joined.ljust(ACCOUNT_ID_MIN, "0")


def private_endpoint(spec: EnvironmentSpec) -> bool:
    """Whether the control plane has only a private endpoint (the private profile, or nobody allowed in)."""
    return spec.security_profile == "private" or not spec.network.api_access


def cluster_location(spec: EnvironmentSpec) -> str:
    """The cluster's location: the region (regional, the default) or the single zone (zonal)."""
    region = _region(spec)
    if spec.cluster.location == "zonal":
        return _zones(spec)[0]
    return region


def cluster_node_locations(spec: EnvironmentSpec) -> list[str] | None:
    """Zones of a regional cluster's nodes; None for a zonal one (GKE wants its own zone left out)."""
    return None if spec.cluster.location == "zonal" else _zones(spec)


def release_channel(spec: EnvironmentSpec) -> str:
    """The GKE release channel in the API's spelling (default: REGULAR)."""
    return (spec.cluster.release_channel or "regular").upper()


def autoscaling(total_min: int, total_max: int, zones: int, *, spot: bool) -> AutoscalingPlan:
    """Total bounds (the spec's min/max count nodes, not nodes per zone) and a start count that fits them.

    GKE creates `initial_per_zone` nodes in each zone: the largest even spread reaching `total_min`
    without passing `total_max`; the autoscaler does the rest when pods are pending.
    """
    if zones < 1:
        raise GcpPlanError("a node pool needs at least one zone")
    per_zone = -(-total_min // zones)
    if per_zone * zones > total_max:
        per_zone = total_min // zones
    # Spot capacity is where GKE finds it; on-demand nodes are spread for resilience.
    return AutoscalingPlan(total_min, total_max, per_zone, "ANY" if spot else "BALANCED")


def gpu_pool_plan(spec: EnvironmentSpec, key: str) -> GpuPoolPlan:
    """The GKE node pool for `node_pools.<key>`: catalog machine and accelerator type, zones that offer it."""
    pool = spec.node_pools[key]
    region = _region(spec)
    resolved = pool_instance_type(spec, pool)
    if resolved is None:
        raise GcpPlanError(f"node pool {key}: no machine type resolved (was the spec checked?)")
    machine_type, itype = resolved
    offer = itype.regions.get(region)
    if itype.accelerator_type is None or itype.gpu is None or offer is None:
        raise GcpPlanError(f"node pool {key}: {machine_type} has no accelerator type or is not offered in {region}")
    zones = tuple(zone for zone in pool_zones(spec, pool) if zone in offer.zones)
    if not zones:
        raise GcpPlanError(f"node pool {key}: {machine_type} is offered in none of the pool's zones")
    spot = pool.capacity == "spot"
    pool_labels = {POOL_LABEL: key, GPU_LABEL: itype.gpu, **pool.labels}
    return GpuPoolPlan(
        key=key,
        pool_name=f"gpu-{key}"[:GKE_NODE_POOL_NAME_MAX],
        machine_type=machine_type,
        accelerator_type=itype.accelerator_type,
        gpu=itype.gpu,
        gpus=itype.gpus,
        vcpus=itype.vcpus,
        memory_gib=itype.memory_gib,
        zones=zones,
        spot=spot,
        disk_gib=pool.disk_gib or DEFAULT_GPU_DISK_GIB,
        autoscaling=autoscaling(pool.min, pool.max, len(zones), spot=spot),
        labels=pool_labels,
        taints=(Taint(GPU_TAINT_KEY, GPU_TAINT_VALUE, "NoSchedule"),),
        network_tags=(gpu_node_tag(spec),),
    )


def system_pool_plan(spec: EnvironmentSpec) -> SystemPoolPlan:
    """The CPU system pool: catalog machine type, in every zone of the environment that offers it."""
    region = _region(spec)
    machine_type = system_instance_type(spec)
    itype = catalog.instance_types("gcp").get(machine_type or "")
    if machine_type is None or itype is None or region not in itype.regions:
        raise GcpPlanError(f"system pool: machine type {machine_type!r} is not offered in {region}")
    offered = itype.regions[region].zones
    zones = tuple(zone for zone in _zones(spec) if zone in offered) or tuple(_zones(spec))
    pool = spec.cluster.system_pool
    return SystemPoolPlan(
        pool_name=SYSTEM_POOL_NAME,
        machine_type=machine_type,
        zones=zones,
        disk_gib=SYSTEM_DISK_GIB,
        autoscaling=autoscaling(pool.min, pool.max, len(zones), spot=False),
        network_tags=(system_node_tag(spec),),
    )


def taint_effect(effect: str) -> str:
    """A Kubernetes taint effect in the GKE API's spelling (NoSchedule -> NO_SCHEDULE)."""
    return {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}[effect]


def workload_identity_member(project: str, namespace: str, service_account: str) -> str:
    """The IAM member naming exactly one Kubernetes service account through the project's workload pool."""
    return f"serviceAccount:{project}.svc.id.goog[{namespace}/{service_account}]"


def gke_service_agent(project_number: str) -> str:
    """The GKE service agent, which encrypts cluster secrets with the customer key."""
    return f"serviceAccount:service-{project_number}@container-engine-robot.iam.gserviceaccount.com"


def bucket_name(project: str, env: str) -> str:
    """The model bucket's globally unique name: project and environment, no random suffix."""
    return f"{project}-{env}-models"[:63].rstrip("-")


def _region(spec: EnvironmentSpec) -> str:
    if spec.cloud != "gcp" or spec.region is None:
        raise GcpPlanError("the GCP layer needs cloud: gcp and a region")
    return spec.region


def _zones(spec: EnvironmentSpec) -> list[str]:
    zones = effective_zones(spec)
    if not zones:
        raise GcpPlanError(f"no zones known for region {spec.region}")
    return zones


def admin_usernames(admins: list[str]) -> list[str]:
    """Kubernetes user names of `cluster.admins`: GKE authenticates users and service accounts by email."""
    return [admin.split(":", 1)[1] for admin in admins]
