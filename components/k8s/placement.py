"""Where a model's pods run and how much of the node they take: pure functions of the target's pool.

A replica that uses `tensor_parallel` of a node's `gpus_per_node` GPUs gets the same share of the node's CPU
and memory, less what the kubelet, the OS and the add-on DaemonSets keep (see `allocatable`). Requests equal
limits, so serving pods get the Guaranteed QoS class and are the last to be evicted under pressure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from inferstack import catalog
from inferstack.target import GPU_TAINT_EFFECT, GPU_TAINT_KEY, Taint, TargetPool

# Kept back on every node for kubelet, container runtime, OS and DaemonSets (CNI, device plugin, DCGM, …).
RESERVED_VCPUS = 1.0
RESERVED_VCPU_SHARE = 0.05
RESERVED_MEMORY_GIB = 2.0
RESERVED_MEMORY_SHARE = 0.10
# The CPU engine on an existing cluster (no pool facts): enough for a sub-1B model on a laptop.
CPU_ENGINE_VCPUS = 2
CPU_ENGINE_MEMORY_GIB = 6
# /dev/shm for NCCL/PyTorch inter-process traffic; capped so it never eats the container's memory limit.
SHM_SHARE = 0.25
SHM_MAX_GIB = 16
SHM_MIN_GIB = 1
# Host memory the streaming loader may buffer while reading weights.
STREAM_BUFFER_SHARE = 0.25


@dataclass(frozen=True)
class PodShape:
    """The container's CPU and memory (requests = limits), GPUs, and the shared-memory volume size."""

    millicpu: int
    memory_mib: int
    gpus: int
    shm_mib: int

    def resources(self) -> dict[str, Any]:
        """The container `resources` block."""
        amounts = {"cpu": f"{self.millicpu}m", "memory": f"{self.memory_mib}Mi"}
        if self.gpus:
            amounts["nvidia.com/gpu"] = str(self.gpus)
        return {"requests": dict(amounts), "limits": dict(amounts)}


def allocatable(pool: TargetPool) -> tuple[float, float]:
    """(vCPUs, GiB) of one node of the pool left for workload pods."""
    vcpus = pool.vcpus - RESERVED_VCPUS - RESERVED_VCPU_SHARE * pool.vcpus
    memory = pool.memory_gib - RESERVED_MEMORY_GIB - RESERVED_MEMORY_SHARE * pool.memory_gib
    return max(vcpus, 0.5), max(memory, 1.0)


def pod_shape(pool: TargetPool | None, tensor_parallel: int) -> PodShape:
    """The engine container's shape: its share of a pool node, or the fixed CPU-engine shape without a pool."""
    if pool is None:
        memory_mib = CPU_ENGINE_MEMORY_GIB * 1024
        return PodShape(CPU_ENGINE_VCPUS * 1000, memory_mib, 0, _shm_mib(memory_mib))
    share = tensor_parallel / pool.gpus_per_node
    vcpus, memory_gib = allocatable(pool)
    millicpu = math.floor(vcpus * share * 1000 / 100) * 100
    memory_mib = math.floor(memory_gib * share * 1024 / 256) * 256
    return PodShape(max(millicpu, 500), max(memory_mib, 1024), tensor_parallel, _shm_mib(memory_mib))


def _shm_mib(memory_mib: int) -> int:
    return int(min(max(memory_mib * SHM_SHARE, SHM_MIN_GIB * 1024), SHM_MAX_GIB * 1024))


def stream_buffer_bytes(shape: PodShape) -> int:
    """Host memory the streaming loader may use, a share of the container's memory limit."""
    return int(shape.memory_mib * STREAM_BUFFER_SHARE) * 1024 * 1024


def weights_upper_bound_gib(pool: TargetPool | None, tensor_parallel: int, shape: PodShape) -> float:
    """The most weight data a replica can hold: its GPUs' memory, or the container memory on CPU."""
    if pool is None:
        return shape.memory_mib / 1024
    return catalog.gpus()[pool.gpu].memory_gib * tensor_parallel


def node_selector(pool: TargetPool | None) -> dict[str, str]:
    """The labels that pin pods to the pool's nodes (none without a pool)."""
    return dict(sorted(pool.labels.items())) if pool else {}


def tolerations(pool: TargetPool | None) -> list[dict[str, str]]:
    """Tolerations for exactly the pool's taints (none without a pool)."""
    if pool is None:
        return []
    return [_toleration(taint) for taint in pool.taints]


def _toleration(taint: Taint) -> dict[str, str]:
    if taint.operator == "Exists":
        return {"key": taint.key, "operator": "Exists", "effect": taint.effect}
    return {"key": taint.key, "operator": "Equal", "value": taint.value, "effect": taint.effect}


def gpu_daemon_tolerations(pools: dict[str, TargetPool]) -> list[dict[str, str]]:
    """Tolerations for GPU DaemonSets (device plugin, DCGM): every distinct taint of the pools, GPU taint first."""
    seen = {(GPU_TAINT_KEY, GPU_TAINT_EFFECT)}
    # Exists, not Equal: the GPU taint's value differs between clouds (planning/scheduling.py).
    out = [{"key": GPU_TAINT_KEY, "operator": "Exists", "effect": GPU_TAINT_EFFECT}]
    for pool in pools.values():
        for taint in pool.taints:
            if (taint.key, taint.effect) not in seen:
                seen.add((taint.key, taint.effect))
                out.append({"key": taint.key, "operator": "Exists", "effect": taint.effect})
    return out
