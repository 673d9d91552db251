"""What a stack's Plan costs: the planned resources priced, each model's serving, and the bucket the weights fill.

Pure data from the spec and the Plan (the catalog holds the prices); the CLI only renders it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, replace
from typing import Any

from inferstack.planning.capacity import spec_stored_weights_gb
from inferstack.planning.cost import CostReport, CostRow, NodeFloor, price_plan
from inferstack.planning.defaults import effective_zones
from inferstack.planning.fit import nodes_at, pool_models
from inferstack.planning.plan_readers import NODE_POOL_TYPES, PlanResource, node_pool
from inferstack.planning.provisioning import reserved_nodes
from inferstack.planning.spec_serving import ModelServing, spec_serving, spec_startups, spec_wakes
from inferstack.spec import EnvironmentSpec
from inferstack.target import POOL_LABEL


def bucket_size_gb(spec: EnvironmentSpec) -> float:
    """The stated bucket size: what staging copies of every model with a known shape, each revision once.

    Staging copies the weights the engine loads and skips duplicate formats (`k8s/file_selection.py`), so this is
    the checkpoint as published: fp8 at load still stages the 16-bit weights. Files a model's `staging.allow`
    adds are not sized offline.
    """
    sizes = (spec_stored_weights_gb(model) for model in {m.source: m for m in spec.models.values()}.values())
    return round(sum(size for size in sizes if size is not None), 1)


def _pool_key(res: PlanResource) -> str | None:
    """The spec pool a planned node group / node pool serves, from the pool label inferstack puts on its nodes."""
    # A node pool's labels are in nodeConfig, a node group's at the top, a ComputeClass's in its metadata.
    config = res.inputs.get("nodeConfig", res.inputs.get("metadata"))
    labels = (config if isinstance(config, Mapping) else res.inputs).get("labels")
    key = labels.get(POOL_LABEL) if isinstance(labels, Mapping) else None
    return str(key) if key is not None else None


def node_floors(spec: EnvironmentSpec, resources: Iterable[PlanResource]) -> dict[str, NodeFloor]:
    """Nodes each planned GPU pool needs for its models' replicas.min (packed as the scheduler packs them)."""
    models = pool_models(spec)
    floors: dict[str, NodeFloor] = {}
    for res in resources:
        key = _pool_key(res) if res.type in NODE_POOL_TYPES else None
        pool = spec.node_pools.get(key) if key is not None else None
        if pool is None or key is None:
            continue
        served = models.get(key, [])
        needed = nodes_at(pool.gpus_per_node, served, at="min") if served else 0
        reasons: list[str] = []
        if needed:
            names = ", ".join(f"{m.key} {m.min}×TP{m.tp}" for m in served)
            reasons.append(f"replicas.min ({names}) need {needed} node(s)")
        planned = node_pool(res)
        # A Karpenter pool's on-demand base NodePool takes no reservation: only the one trying reserved first does.
        reserved = reserved_nodes(pool) if planned is None or planned.purchase[:1] in ((), ("reserved",)) else 0
        if reserved > (needed or 0):
            reasons.append(f"its {reserved} reserved node(s) are billed whether used or not")
        nodes = max(needed or 0, reserved)
        if nodes:
            floors[res.name] = NodeFloor(float(nodes), "; ".join(reasons))
    return floors


OWNED = "you own these nodes: inferstack neither creates nor prices them"


def owned_node_rows(spec: EnvironmentSpec) -> list[CostRow]:
    """A $0 row per described pool (`existing:`): its nodes are counted, never bought (cloud: kubernetes only)."""
    rows: list[CostRow] = []
    for key, pool in sorted(spec.node_pools.items()):
        if pool.existing is None:
            continue
        nodes = float(pool.existing.nodes)
        item = f"{pool.gpus_per_node}× {pool.gpu}, {pool.existing.vcpus} vCPU, {pool.existing.memory_gib:g} GiB"
        rows.append(
            CostRow(
                resource=f"node_pools.{key}",
                type="existing nodes",
                item=item,
                unit="node-month",
                unit_usd=0.0,
                quantity_min=nodes,
                quantity_max=nodes,
                monthly_min=0.0,
                monthly_max=0.0,
                as_of="",
                note=OWNED,
                source="not priced: nodes the cluster already has",
                price_region="yours",
            )
        )
    return rows


def stack_cost(
    spec: EnvironmentSpec, resources: Iterable[PlanResource], bucket_gb: float | None = None
) -> tuple[CostReport, list[ModelServing]]:
    """Price a stack's planned resources (the bucket at `bucket_gb`, default its models' weights) and its serving."""
    zones = len(effective_zones(spec)) or 1
    gb = bucket_gb if bucket_gb is not None else bucket_size_gb(spec)
    items = list(resources)
    floors = node_floors(spec, items)
    report = price_plan(items, cloud=spec.cloud, region=spec.region, bucket_gb=gb, default_zones=zones, floors=floors)
    owned = owned_node_rows(spec)
    if owned:
        notes = [*report.notes, f"described GPU nodes cost $0 here: {OWNED}"]
        report = replace(report, rows=[*report.rows, *owned], notes=notes)
    return report, spec_serving(spec)


def cost_document(stack: str, spec: EnvironmentSpec, report: CostReport, serving: list[ModelServing]) -> dict[str, Any]:
    """The cost of a stack as plain data (what `inferstack cost --json` prints)."""
    data = report.to_dict()
    data["stack"] = stack
    data["budget_monthly_usd"] = spec.budget.monthly_usd
    data["models"] = [item.__dict__ for item in serving]
    data["startup"] = {key: estimate.to_dict() for key, estimate in spec_startups(spec).items()}
    data["wake"] = [{**asdict(plan), "summary": plan.summary()} for plan in spec_wakes(spec)]
    return data
