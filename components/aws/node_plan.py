"""What each EKS managed node group is, decided from the spec and the catalog: types, AMI, zones, labels, disk.

Root volumes default to an allowance for the OS and the engine image plus the node's total GPU memory: the weights
a node serves fit in its GPUs, so that much disk holds a local copy of them (a cache, or a download before load).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from inferstack import catalog
from inferstack.catalog.eks import eks_catalog, gpu_ami_type
from inferstack.catalog.schema import InstanceType
from inferstack.planning.defaults import effective_zones, pool_instance_type, pool_zones, system_instance_type
from inferstack.spec.models import EnvironmentSpec
from inferstack.target import GPU_LABEL, GPU_TAINT_KEY, POOL_LABEL, Taint

SYSTEM_POOL = "system"
GPU_TAINT_VALUE = "true"
# OS, containerd layers and an extracted CUDA inference image (the vLLM image is ~10 GiB compressed).
IMAGE_ALLOWANCE_GIB = 60
MIN_GPU_DISK_GIB = 100
SYSTEM_DISK_GIB = 50
AUTOSCALER_TEMPLATE = "k8s.io/cluster-autoscaler/node-template"
EKS_TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}

CapacityType = Literal["ON_DEMAND", "SPOT"]


class NodePlanError(ValueError):
    """A pool cannot be planned (the spec checks should have caught it first)."""


@dataclass(frozen=True)
class NodePoolPlan:
    """One managed node group: everything the component needs, as plain data."""

    key: str
    instance_types: tuple[str, ...]
    ami_type: str
    capacity_type: CapacityType
    zones: tuple[str, ...]
    min_size: int
    max_size: int
    disk_gib: int
    labels: dict[str, str]
    taints: tuple[Taint, ...]
    gpu: str | None
    gpus_per_node: int
    vcpus: int
    memory_gib: float
    autoscaler_tags: dict[str, str] = field(default_factory=dict)

    @property
    def desired_size(self) -> int:
        """The size at creation; afterwards the cluster autoscaler owns it (Pulumi ignores changes)."""
        return self.min_size


def default_disk_gib(itype: InstanceType) -> int:
    """Root volume for a GPU type: image allowance plus total GPU memory, rounded up to 10 GiB, at least 100."""
    gpu_memory = catalog.gpus()[itype.gpu].memory_gib * itype.gpus if itype.gpu else 0
    return max(MIN_GPU_DISK_GIB, int(math.ceil((IMAGE_ALLOWANCE_GIB + gpu_memory) / 10) * 10))


def autoscaler_tags(labels: dict[str, str], taints: tuple[Taint, ...]) -> dict[str, str]:
    """Node-template tags that tell the cluster autoscaler a pool's labels and taints while it has no nodes."""
    tags = {f"{AUTOSCALER_TEMPLATE}/label/{key}": value for key, value in sorted(labels.items())}
    tags.update({f"{AUTOSCALER_TEMPLATE}/taint/{t.key}": f"{t.value}:{t.effect}" for t in taints})
    return tags


def _ordered(spec: EnvironmentSpec, zones: set[str]) -> tuple[str, ...]:
    return tuple(zone for zone in effective_zones(spec) if zone in zones)


def plan_gpu_pool(spec: EnvironmentSpec, key: str) -> NodePoolPlan:
    """The node group of one `node_pools` entry."""
    pool = spec.node_pools[key]
    resolved = pool_instance_type(spec, pool)
    ami_type = gpu_ami_type(pool.gpu)
    if resolved is None or spec.region is None or ami_type is None:
        raise NodePlanError(f"node pool {key}: no instance type or AMI for {pool.gpus_per_node}× {pool.gpu}")
    primary, itype = resolved
    offer = itype.regions[spec.region]
    # Only zones that offer the type: a subnet elsewhere would only ever fail to launch.
    zones = _ordered(spec, set(pool_zones(spec, pool)) & set(offer.zones))
    types = [primary]
    if pool.capacity == "spot" and pool.instance_type is None:
        # Spot capacity is per type and zone: several types with the same GPUs make a reclaim less likely to
        # empty the pool. Same GPU kind and count, so a model's placement never depends on which one came up.
        for name, other in catalog.gpu_instance_types("aws", pool.gpu, pool.gpus_per_node, spec.region):
            if name != primary and set(other.regions[spec.region].zones) & set(zones):
                types.append(name)
    labels = {POOL_LABEL: key, GPU_LABEL: pool.gpu, **pool.labels}
    taints = (Taint(GPU_TAINT_KEY, GPU_TAINT_VALUE, "NoSchedule"),)
    return NodePoolPlan(
        key=key,
        instance_types=tuple(types),
        ami_type=ami_type,
        capacity_type="SPOT" if pool.capacity == "spot" else "ON_DEMAND",
        zones=zones,
        min_size=pool.min,
        max_size=pool.max,
        disk_gib=pool.disk_gib or default_disk_gib(itype),
        labels=labels,
        taints=taints,
        gpu=pool.gpu,
        gpus_per_node=pool.gpus_per_node,
        vcpus=itype.vcpus,
        memory_gib=itype.memory_gib,
        autoscaler_tags=autoscaler_tags(labels, taints),
    )


def plan_system_pool(spec: EnvironmentSpec) -> NodePoolPlan:
    """The small on-demand CPU pool that runs add-ons (DNS, autoscaler), spread over every zone."""
    name = system_instance_type(spec)
    itype = catalog.instance_types("aws").get(name or "")
    if name is None or itype is None or spec.region not in itype.regions:
        raise NodePlanError(f"system pool: instance type {name!r} is not in the AWS catalog for {spec.region}")
    system = spec.cluster.system_pool
    labels = {POOL_LABEL: SYSTEM_POOL}
    return NodePoolPlan(
        key=SYSTEM_POOL,
        instance_types=(name,),
        ami_type=eks_catalog().cpu_ami_type,
        capacity_type="ON_DEMAND",
        zones=_ordered(spec, set(effective_zones(spec))),
        min_size=system.min,
        max_size=system.max,
        disk_gib=SYSTEM_DISK_GIB,
        labels=labels,
        taints=(),
        gpu=None,
        gpus_per_node=0,
        vcpus=itype.vcpus,
        memory_gib=itype.memory_gib,
        autoscaler_tags=autoscaler_tags(labels, ()),
    )
