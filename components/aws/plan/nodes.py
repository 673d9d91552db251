"""What each EKS managed node group is, decided from the spec and the catalog: types, AMI, zones, capacity.

Labels, taints, disk and node size are the pool-scheduling decision both clouds share
(`inferstack.planning.scheduling`); this module adds what only EKS has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from inferstack import catalog
from inferstack.catalog.eks import eks_catalog, gpu_ami_type
from inferstack.planning.defaults import pool_instance_type, pool_zones, system_instance_type
from inferstack.planning.scheduling import (
    PoolPlanError,
    PoolScheduling,
    offered_zones,
    schedule_gpu_pool,
    schedule_system_pool,
    system_zones,
)
from inferstack.spec.models import EnvironmentSpec
from inferstack.target import Taint

AUTOSCALER_TEMPLATE = "k8s.io/cluster-autoscaler/node-template"

CapacityType = Literal["ON_DEMAND", "SPOT"]


@dataclass(frozen=True)
class EksNodePoolPlan:
    """One managed node group: everything the component needs, as plain data."""

    scheduling: PoolScheduling
    instance_types: tuple[str, ...]
    ami_type: str
    capacity_type: CapacityType
    zones: tuple[str, ...]
    min_size: int
    max_size: int
    autoscaler_tags: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The pool's key in the spec (`system` for the system pool)."""
        return self.scheduling.key

    @property
    def desired_size(self) -> int:
        """The size at creation; afterwards the cluster autoscaler owns it (Pulumi ignores changes)."""
        return self.min_size


def autoscaler_tags(labels: dict[str, str], taints: tuple[Taint, ...]) -> dict[str, str]:
    """Node-template tags that tell the cluster autoscaler a pool's labels and taints while it has no nodes."""
    # The autoscaler reads Kubernetes spelling here (value:NoSchedule), not the EKS API's NO_SCHEDULE.
    tags = {f"{AUTOSCALER_TEMPLATE}/label/{key}": value for key, value in sorted(labels.items())}
    tags.update({f"{AUTOSCALER_TEMPLATE}/taint/{t.key}": f"{t.value}:{t.effect}" for t in taints})
    return tags


def plan_eks_gpu_pool(spec: EnvironmentSpec, key: str) -> EksNodePoolPlan:
    """The node group of one `node_pools` entry."""
    pool = spec.node_pools[key]
    resolved = pool_instance_type(spec, pool)
    ami_type = gpu_ami_type(pool.gpu)
    if resolved is None or spec.region is None or ami_type is None:
        raise PoolPlanError(f"node pool {key}: no instance type or AMI for {pool.gpus_per_node}× {pool.gpu}")
    primary, itype = resolved
    zones = offered_zones(spec, pool_zones(spec, pool), itype.regions[spec.region].zones)
    types = [primary]
    if pool.capacity[0] == "spot" and pool.instance_type is None:
        # Spot capacity is per type and zone: several types with the same GPUs make a reclaim less likely to
        # empty the pool. Same GPU kind and count, so a model's placement never depends on which one came up.
        for name, other in catalog.gpu_instance_types("aws", pool.gpu, pool.gpus_per_node, spec.region):
            if name != primary and set(other.regions[spec.region].zones) & set(zones):
                types.append(name)
    scheduling = schedule_gpu_pool("aws", key, pool, itype)
    return EksNodePoolPlan(
        scheduling=scheduling,
        instance_types=tuple(types),
        ami_type=ami_type,
        capacity_type="SPOT" if pool.capacity[0] == "spot" else "ON_DEMAND",
        zones=zones,
        min_size=pool.min,
        max_size=pool.max,
        autoscaler_tags=autoscaler_tags(scheduling.labels, scheduling.taints),
    )


def plan_eks_system_pool(spec: EnvironmentSpec) -> EksNodePoolPlan:
    """The small on-demand CPU pool that runs add-ons (DNS, autoscaler), spread over every zone."""
    name = system_instance_type(spec)
    itype = catalog.instance_types("aws").get(name or "")
    if name is None or itype is None or spec.region not in itype.regions:
        raise PoolPlanError(f"system pool: instance type {name!r} is not in the AWS catalog for {spec.region}")
    system = spec.cluster.system_pool
    scheduling = schedule_system_pool("aws", itype)
    return EksNodePoolPlan(
        scheduling=scheduling,
        instance_types=(name,),
        ami_type=eks_catalog().cpu_ami_type,
        capacity_type="ON_DEMAND",
        zones=system_zones(spec, itype.regions[spec.region].zones),
        min_size=system.min,
        max_size=system.max,
        autoscaler_tags=autoscaler_tags(scheduling.labels, scheduling.taints),
    )
