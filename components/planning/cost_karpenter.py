"""The cost rows of a Karpenter NodePool: node-hours across its capacity preferences, and its nodes' root volumes.

A NodePool may launch any capacity type it lists, so its monthly range is a spread over them: minimum scale at
the first preference Karpenter takes (the cheapest it tries: reserved, then spot), maximum scale at the last one
(the fallback it ends on when the first is short, usually on-demand), whose price is the row's unit price.
Reserved capacity is paid for whether it runs or not; the catalog records no reserved or Capacity Block rates, so
it is priced at the on-demand rate and the row says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from inferstack import catalog
from inferstack.planning.cost_rows import HOURS_PER_MONTH, Context, CostRow, service_row, vm_row
from inferstack.planning.plan_readers import NodePool, PlanResource, node_pool

# The key a NodePool's EC2NodeClass is found under in the context's templates (launch templates go by id).
NODE_CLASS_KEY = "ec2nodeclass/"
NO_RESERVED_RATE = "no reserved or Capacity Block rate in the catalog: priced at the on-demand rate"


def node_class_key(name: str) -> str:
    """Where `price_plan` files the EC2NodeClass of that name among the context's templates."""
    return f"{NODE_CLASS_KEY}{name}"


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _capacity_row(ctx: Context, res: PlanResource, pool: NodePool, capacity: str, nodes: float) -> CostRow:
    row = vm_row(ctx, res, pool.instance_type, capacity == "spot", nodes, nodes)
    if capacity == "reserved":
        row = replace(row, item=row.item.replace("on-demand", "reserved"), warning=NO_RESERVED_RATE)
    return row


def _volume_rows(ctx: Context, res: PlanResource, nmin: float, nmax: float) -> list[CostRow]:
    template = _map(_map(_map(res.inputs.get("spec")).get("template")).get("spec"))
    name = str(_map(template.get("nodeClassRef")).get("name", ""))
    node_class = ctx.templates.get(node_class_key(name))
    if node_class is None:
        row = service_row(ctx, res, "block_storage", "node root volumes", 0, 0)
        return [replace(row, warning="EC2NodeClass not in the plan: root volumes not priced")]
    rows = []
    for mapping in _map(node_class.inputs.get("spec")).get("blockDeviceMappings") or []:
        ebs = _map(_map(mapping).get("ebs"))
        size = str(ebs.get("volumeSize", "0")).removesuffix("Gi")
        # Read as GB, as the node groups' launch-template sizes (GiB) are: the two provisioners compare like for like.
        gb = float(size) if size.replace(".", "", 1).isdigit() else 0.0
        item = f"node root volumes {ebs.get('volumeType', 'gp3')} {gb:.0f} GB each (EC2NodeClass {name})"
        rows.append(service_row(ctx, res, "block_storage", item, gb * nmin, gb * nmax))
    return rows


def karpenter_pool_rows(ctx: Context, res: PlanResource) -> list[CostRow]:
    """Node-hours from the first preference (min) to the fallback (max), and the root volumes."""
    pool = node_pool(res)
    if pool is None:
        return []
    order = pool.purchase or ("on_demand",)
    first, last = order[0], order[-1]
    shown = [kind.replace("_", "-") for kind in order]  # as people write it: on-demand
    low = _capacity_row(ctx, res, pool, first, pool.min_nodes)
    high = _capacity_row(ctx, res, pool, last, pool.max_nodes)
    itype = catalog.instance_types("aws").get(pool.instance_type)
    label = f"{pool.instance_type} {' → '.join(shown)}"
    if itype is not None and itype.gpu is not None:
        label += f" ({itype.gpus}× {itype.gpu})"
    note = (
        f"min at {shown[0]} (${low.unit_usd:g}/node-hour), max at {shown[-1]} (Karpenter's fallback)"
        if first != last
        else ""
    )
    # The unit price is the fallback's, the one the maximum is bought at; the minimum is at the first preference.
    row = replace(
        high,
        item=label,
        quantity_min=pool.min_nodes,
        monthly_min=low.unit_usd * HOURS_PER_MONTH * pool.min_nodes,
        note=note,
        warning="; ".join(dict.fromkeys(w for w in (low.warning, high.warning) if w)),
    )
    return [row, *_volume_rows(ctx, res, pool.min_nodes, pool.max_nodes)]
