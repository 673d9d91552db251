"""GKE node pools as data: machine and accelerator type, zones, per-zone start count, network tags.

Whatever keeps a pool for its pods (labels, taint, disk, node size) comes from `inferstack.planning.scheduling`,
as on EKS; GKE adds its accelerator naming, total-count autoscaling and firewall tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from inferstack import catalog
from inferstack.gcp.plan.labels import resource_labels
from inferstack.gcp.plan.location import GcpPlanError, region
from inferstack.gcp.plan.network import gpu_node_tag, system_node_tag
from inferstack.planning.defaults import pool_instance_type, pool_zones, system_instance_type
from inferstack.planning.scheduling import (
    SYSTEM_POOL,
    PoolScheduling,
    offered_zones,
    schedule_gpu_pool,
    schedule_system_pool,
    system_zones,
)
from inferstack.spec.models import EnvironmentSpec

# GKE-managed drivers: LATEST, because current vLLM images are built against CUDA 12.8+ (driver R570+),
# which the per-version DEFAULT driver of older GKE minors does not reach.
GPU_DRIVER_VERSION = "LATEST"
GKE_NODE_POOL_NAME_MAX = 40


@dataclass(frozen=True)
class AutoscalingPlan:
    """Node bounds of a pool across all its zones, and the per-zone count it is created with."""

    total_min: int
    total_max: int
    initial_per_zone: int
    location_policy: Literal["ANY", "BALANCED"]


@dataclass(frozen=True)
class Accelerators:
    """The GPUs attached to each node of a GPU pool, in GKE's accelerator naming."""

    accelerator_type: str
    count: int


@dataclass(frozen=True)
class GkeNodePoolPlan:
    """Everything a GKE node pool is made of, resolved from the spec and the catalog."""

    scheduling: PoolScheduling
    pool_name: str
    machine_type: str
    accelerators: Accelerators | None
    zones: tuple[str, ...]
    spot: bool
    autoscaling: AutoscalingPlan
    network_tags: tuple[str, ...]
    resource_labels: dict[str, str]

    @property
    def key(self) -> str:
        """The pool's key in the spec (`system` for the system pool)."""
        return self.scheduling.key


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


def plan_gke_gpu_pool(spec: EnvironmentSpec, key: str) -> GkeNodePoolPlan:
    """The GKE node pool for `node_pools.<key>`: catalog machine and accelerator type, zones that offer it."""
    pool = spec.node_pools[key]
    where = region(spec)
    resolved = pool_instance_type(spec, pool)
    if resolved is None:
        raise GcpPlanError(f"node pool {key}: no machine type resolved (was the spec checked?)")
    machine_type, itype = resolved
    offer = itype.regions.get(where)
    if itype.accelerator_type is None or offer is None:
        raise GcpPlanError(f"node pool {key}: {machine_type} has no accelerator type or is not offered in {where}")
    zones = offered_zones(spec, pool_zones(spec, pool), offer.zones)
    if not zones:
        raise GcpPlanError(f"node pool {key}: {machine_type} is offered in none of the pool's zones")
    spot = pool.capacity[0] == "spot"
    return GkeNodePoolPlan(
        scheduling=schedule_gpu_pool("gcp", key, pool, itype),
        pool_name=f"gpu-{key}"[:GKE_NODE_POOL_NAME_MAX],
        machine_type=machine_type,
        accelerators=Accelerators(itype.accelerator_type, itype.gpus),
        zones=zones,
        spot=spot,
        autoscaling=autoscaling(pool.min, pool.max, len(zones), spot=spot),
        network_tags=(gpu_node_tag(spec),),
        resource_labels=resource_labels(spec),
    )


def plan_gke_system_pool(spec: EnvironmentSpec) -> GkeNodePoolPlan:
    """The CPU system pool: catalog machine type, in every zone of the environment that offers it."""
    where = region(spec)
    machine_type = system_instance_type(spec)
    itype = catalog.instance_types("gcp").get(machine_type or "")
    if machine_type is None or itype is None or where not in itype.regions:
        raise GcpPlanError(f"system pool: machine type {machine_type!r} is not offered in {where}")
    zones = system_zones(spec, itype.regions[where].zones)
    pool = spec.cluster.system_pool
    return GkeNodePoolPlan(
        scheduling=schedule_system_pool("gcp", itype),
        pool_name=SYSTEM_POOL,
        machine_type=machine_type,
        accelerators=None,
        zones=zones,
        spot=False,
        autoscaling=autoscaling(pool.min, pool.max, len(zones), spot=False),
        network_tags=(system_node_tag(spec),),
        resource_labels=resource_labels(spec),
    )
