"""GPU nodes a cluster already has (`cloud: kubernetes` pools with `existing:`): how they are selected and counted.

inferstack never creates, scales or labels these nodes, so the facts come from the spec's description, and the
defaults from what NVIDIA's node software puts on GPU nodes (catalog/data/gpu_nodes.yaml): GPU Feature Discovery's
product label selects the pool's GPU; pods tolerate the conventional GPU taint whatever its value.
"""

from __future__ import annotations

from inferstack.catalog.gpu_nodes import gpu_nodes
from inferstack.planning.scheduling import PoolPlanError
from inferstack.spec.models import NodePoolSpec
from inferstack.target import Taint, TargetPool


def default_selector(gpu: str) -> dict[str, str] | None:
    """GPU Feature Discovery's product label for a catalog GPU; None when no real node's value is recorded."""
    facts = gpu_nodes()
    product = facts.products.get(gpu)
    return {facts.labels.product.key: product.label} if product is not None else None


def node_selector(pool: NodePoolSpec) -> dict[str, str] | None:
    """The labels that select a described pool's nodes: its own selector, else the default for its GPU."""
    if pool.existing is None:
        raise PoolPlanError("only a pool with existing: describes nodes to select")
    if pool.existing.selector is not None:
        return dict(pool.existing.selector)
    return default_selector(pool.gpu)


def node_taints(pool: NodePoolSpec) -> tuple[Taint, ...]:
    """The taints a described pool's pods tolerate: its own list, else the GPU taint with any value."""
    if pool.existing is None:
        raise PoolPlanError("only a pool with existing: describes node taints")
    if pool.existing.taints is None:
        taint = gpu_nodes().taint
        return (Taint(taint.key, "", taint.effect, operator="Exists"),)
    return tuple(
        Taint(t.key, t.value, t.effect) if t.value is not None else Taint(t.key, "", t.effect, operator="Exists")
        for t in pool.existing.taints
    )


def node_bounds(pool: NodePoolSpec) -> tuple[int, int]:
    """A pool's (min, max) nodes: a described pool always has exactly its nodes, a managed one autoscales."""
    if pool.existing is not None:
        return pool.existing.nodes, pool.existing.nodes
    return pool.min, pool.max


def described_pool(key: str, pool: NodePoolSpec) -> TargetPool:
    """What the workload layer needs to schedule onto described nodes, from their description alone."""
    if pool.existing is None:
        raise PoolPlanError(f"node pool {key}: cloud: kubernetes pools describe their nodes under existing:")
    selector = node_selector(pool)
    if selector is None:
        raise PoolPlanError(f"node pool {key}: no selector for {pool.gpu} nodes (the spec checks ask for one)")
    return TargetPool(
        name=key,
        gpu=pool.gpu,
        gpus_per_node=pool.gpus_per_node,
        vcpus=pool.existing.vcpus,
        memory_gib=pool.existing.memory_gib,
        labels=selector,
        taints=node_taints(pool),
    )
