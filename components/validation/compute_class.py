"""GKE ComputeClass pools: flex-start only where a ComputeClass can ask for it, and what auto-created nodes change.

A ComputeClass places every replica of a model by the same priority list, so it cannot keep some replicas on
on-demand while the others run on spot: an on-demand base is refused when spot is tried before on-demand.
Node pools GKE creates from a class follow the pending pods: they keep no idle nodes for a pool's `min`.
"""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.planning.fit import nodes_at, pool_models
from inferstack.planning.provisioning import provisioner
from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec, NodePoolSpec
from inferstack.validation.common import field_path


def _compute_class(spec: EnvironmentSpec) -> bool:
    return spec.cloud == "gcp" and provisioner(spec) == "compute_class"


def _spot_before_on_demand(pool: NodePoolSpec) -> bool:
    if "spot" not in pool.capacity:
        return False
    return "on_demand" not in pool.capacity or pool.capacity.index("spot") < pool.capacity.index("on_demand")


def check_compute_class(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """flex_start needs a GKE ComputeClass; an on-demand base needs on-demand tried before spot on a class."""
    uses_classes = _compute_class(spec)
    for key, pool in sorted(spec.node_pools.items()):
        if pool.flex_start and not uses_classes:
            yield SpecIssue(
                field_path("node_pools", key, "flex_start"),
                "flex-start is GKE's Dynamic Workload Scheduler, asked for by a ComputeClass priority"
                + ("" if spec.cloud == "gcp" else f" (cloud is {spec.cloud})"),
                "set cluster.provisioner: compute_class on gcp, or remove flex_start",
            )
    if not uses_classes:
        return
    for key, model in sorted(spec.models.items()):
        pool = spec.node_pools.get(model.pool or "")
        if pool is None or model.replicas.on_demand_base == 0 or not _spot_before_on_demand(pool):
            continue
        yield SpecIssue(
            field_path("models", key, "replicas", "on_demand_base"),
            f"pool {model.pool}'s ComputeClass tries spot before on-demand for every replica alike, so it cannot keep "
            f"{model.replicas.on_demand_base} of them on on-demand nodes",
            f"put on_demand before spot in node_pools.{model.pool}.capacity, serve the base from a second pool "
            "whose capacity is on_demand, or set on_demand_base: 0",
        )


def warn_compute_class(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """What a ComputeClass pool does differently: queued flex-start start-up, no idle nodes kept for `min`."""
    if not _compute_class(spec):
        return
    for key, pool in sorted(spec.node_pools.items()):
        if pool.flex_start:
            yield SpecWarning(
                field_path("node_pools", key, "flex_start"),
                "a flex-start node is queued until Dynamic Workload Scheduler finds the capacity, so a scale-out "
                "that reaches that priority may wait minutes to hours before the replica even starts loading; "
                "flex-start VMs run at most 7 days, then GKE replaces them (one reload per week per replica)",
                "keep it for scarce GPUs a model can wait for; list reserved or spot first for fast start-up",
            )
        if pool.cold_start.local_nvme:
            yield SpecWarning(
                field_path("node_pools", key, "cold_start", "local_nvme"),
                "a ComputeClass pool's auto-created nodes keep images and pod storage on the boot disk: inferstack "
                "does not yet set the class's local SSD storage, so the machine's bundled NVMe stays unused",
                "accept the slower image pull and weight copy, or use provisioner managed_pools for this pool",
            )
        busy = nodes_at(pool.gpus_per_node, pool_models(spec).get(key, []), at="min") or 0
        if pool.min > busy:
            yield SpecWarning(
                field_path("node_pools", key, "min"),
                f"GKE creates a ComputeClass pool's nodes for pending pods only: of min {pool.min}, the "
                f"{pool.min - busy} node(s) the models' replicas.min do not fill are not kept",
                f"lower min to {busy}, or raise the models' replicas.min to keep more nodes running",
            )
