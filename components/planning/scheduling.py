"""How a node pool is kept for its pods, decided once for every cloud: labels, taint, disk, zones, node size.

Both cloud layers build their node pools from a `PoolScheduling`, and the workload layer gets the same facts as a
`TargetPool` (`target_pool`), so the taint a node carries and the toleration a pod gets can never disagree.

Three decisions still differ by cloud, each kept as it is because aligning it changes a shipped plan (a reviewed
change of its own, not part of a refactor):
- the GPU taint's value: GKE puts `nvidia.com/gpu=present:NoSchedule` on GPU nodes itself, so "present" is the
  value that agrees with it; EKS pools were created with "true";
- the default GPU root disk: sized from the node's GPU memory on EKS, a fixed 200 GiB on GKE (too small for an
  8-GPU node's weights; changing a GKE pool's disk size replaces the pool);
- only the EKS system pool carries the pool label (the cluster autoscaler's nodeSelector needs it there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from inferstack import catalog
from inferstack.catalog.schema import InstanceType
from inferstack.planning.defaults import effective_zones
from inferstack.spec.models import ColdStartSpec, EnvironmentSpec, NodePoolSpec
from inferstack.target import GPU_LABEL, GPU_TAINT_EFFECT, GPU_TAINT_KEY, POOL_LABEL, Taint, TaintEffect, TargetPool

Cloud = Literal["aws", "gcp"]

SYSTEM_POOL = "system"
SYSTEM_DISK_GIB = 50
GPU_TAINT_VALUES: dict[Cloud, str] = {"aws": "true", "gcp": "present"}
SYSTEM_POOL_LABELLED: dict[Cloud, bool] = {"aws": True, "gcp": False}
# OS, containerd layers and an extracted CUDA inference image (the vLLM image is ~10 GiB compressed).
IMAGE_ALLOWANCE_GIB = 60
MIN_GPU_DISK_GIB = 100
FIXED_GPU_DISK_GIB = 200
# EKS's and GKE's APIs spell taint effects the same way, unlike Kubernetes (and the autoscaler's node templates).
API_TAINT_EFFECTS: dict[TaintEffect, str] = {
    "NoSchedule": "NO_SCHEDULE",
    "PreferNoSchedule": "PREFER_NO_SCHEDULE",
    "NoExecute": "NO_EXECUTE",
}


class PoolPlanError(ValueError):
    """A pool cannot be planned (the spec checks should have caught it first)."""


@dataclass(frozen=True)
class PoolScheduling:
    """What makes a pool's nodes the pool's: their labels and taints, their size and root disk."""

    key: str
    gpu: str | None
    gpus_per_node: int
    vcpus: int
    memory_gib: float
    disk_gib: int
    labels: dict[str, str]
    taints: tuple[Taint, ...]
    # The pool's opt-in cold-start accelerators (node config: local NVMe RAID0, GKE image streaming).
    cold_start: ColdStartSpec = field(default_factory=ColdStartSpec)


def gpu_taints(cloud: Cloud) -> tuple[Taint, ...]:
    """The one taint on every GPU node: only pods that tolerate it (GPU pods) land there."""
    return (Taint(GPU_TAINT_KEY, GPU_TAINT_VALUES[cloud], GPU_TAINT_EFFECT),)


def api_taint_effect(effect: TaintEffect) -> str:
    """A taint effect in the EKS and GKE APIs' spelling (NoSchedule -> NO_SCHEDULE)."""
    return API_TAINT_EFFECTS[effect]


def default_gpu_disk_gib(cloud: Cloud, itype: InstanceType) -> int:
    """Root disk of a GPU node when the pool does not say (see the module docstring for why clouds differ).

    On EKS: the image allowance plus the node's total GPU memory (the weights a node serves fit in its GPUs, so
    that much disk holds a local copy of them), rounded up to 10 GiB, at least 100.
    """
    if cloud == "gcp":
        return FIXED_GPU_DISK_GIB
    gpu_memory = catalog.gpus()[itype.gpu].memory_gib * itype.gpus if itype.gpu else 0
    return max(MIN_GPU_DISK_GIB, int(math.ceil((IMAGE_ALLOWANCE_GIB + gpu_memory) / 10) * 10))


def schedule_gpu_pool(cloud: Cloud, key: str, pool: NodePoolSpec, itype: InstanceType) -> PoolScheduling:
    """A `node_pools` entry's scheduling: pool and GPU labels (plus its own), the GPU taint, the node's size."""
    if itype.gpu is None:
        raise PoolPlanError(f"node pool {key}: the instance type has no GPUs")
    # The node's facts come from the type; the spec checks make them equal to the pool's gpu and gpus_per_node.
    return PoolScheduling(
        key=key,
        gpu=itype.gpu,
        gpus_per_node=itype.gpus,
        vcpus=itype.vcpus,
        memory_gib=itype.memory_gib,
        disk_gib=pool.disk_gib or default_gpu_disk_gib(cloud, itype),
        labels={POOL_LABEL: key, GPU_LABEL: itype.gpu, **pool.labels},
        taints=gpu_taints(cloud),
        cold_start=pool.cold_start,
    )


def schedule_system_pool(cloud: Cloud, itype: InstanceType) -> PoolScheduling:
    """The system pool's scheduling: untainted, so add-ons land there; labelled where the autoscaler needs it."""
    return PoolScheduling(
        key=SYSTEM_POOL,
        gpu=None,
        gpus_per_node=0,
        vcpus=itype.vcpus,
        memory_gib=itype.memory_gib,
        disk_gib=SYSTEM_DISK_GIB,
        labels={POOL_LABEL: SYSTEM_POOL} if SYSTEM_POOL_LABELLED[cloud] else {},
        taints=(),
    )


def offered_zones(spec: EnvironmentSpec, wanted: Sequence[str], offered: Sequence[str]) -> tuple[str, ...]:
    """The wanted zones that offer the type, in the environment's zone order (stable when zones are added).

    A node in a zone that lacks the type could only ever fail to launch.
    """
    keep = set(wanted) & set(offered)
    return tuple(zone for zone in effective_zones(spec) if zone in keep)


def system_zones(spec: EnvironmentSpec, offered: Sequence[str]) -> tuple[str, ...]:
    """The system pool's zones: every zone of the environment that offers its type (all of them if none does)."""
    # Falling back keeps a catalog gap from leaving the cluster without nodes for DNS and the autoscaler.
    zones = effective_zones(spec)
    return offered_zones(spec, zones, offered) or tuple(zones)


def target_pool(scheduling: PoolScheduling, cloud: str | None = None) -> TargetPool:
    """What the workload layer needs to schedule onto a GPU pool, from the same decision that built the pool."""
    if scheduling.gpu is None:
        raise PoolPlanError(f"pool {scheduling.key} has no GPUs: the workload layer schedules onto GPU pools only")
    return TargetPool(
        name=scheduling.key,
        gpu=scheduling.gpu,
        gpus_per_node=scheduling.gpus_per_node,
        vcpus=scheduling.vcpus,
        memory_gib=scheduling.memory_gib,
        labels=dict(scheduling.labels),
        taints=scheduling.taints,
        local_nvme=scheduling.cold_start.local_nvme,
        image_streaming=scheduling.cold_start.image_streaming,
        fast_image_pull=scheduling.cold_start.fast_image_pull,
        compile_cache=scheduling.cold_start.compile_cache,
        cloud=cloud,
    )
