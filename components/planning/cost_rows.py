"""The rows of the cost model: one priced line per thing a planned resource bills for, at min and max scale.

Each row carries its unit price, the region that price is from, its source and date, so a reader can check it.
A price missing for the plan's region is taken from the table's reference region, and the row says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from inferstack import catalog
from inferstack.catalog.schema import Cloud
from inferstack.planning.plan_readers import PlanResource

HOURS_PER_MONTH = 730.0
_PER_MONTH = {"hour": HOURS_PER_MONTH, "gb": 0.0, "gb_month": 1.0, "month": 1.0}
_UNIT = {"hour": "hour", "gb": "GB", "gb_month": "GB-month", "month": "month"}


@dataclass(frozen=True)
class CostRow:
    """One priced line: a resource, how many units at min and max scale, the unit price, its region, source, date."""

    resource: str
    type: str
    item: str
    unit: str
    unit_usd: float
    quantity_min: float
    quantity_max: float
    monthly_min: float
    monthly_max: float
    as_of: str
    note: str = ""
    warning: str = ""
    # Where the unit price comes from, and the region it is the price of ("all regions" for a global price).
    source: str = ""
    price_region: str = ""
    # Why quantity_min is above the pool's own minimum (its models' replicas.min need more nodes); empty otherwise.
    min_note: str = ""


@dataclass(frozen=True)
class NodeFloor:
    """Nodes a pool needs at minimum scale beyond its autoscaling minimum, and why (the models' replicas.min)."""

    nodes: float
    reason: str


@dataclass(frozen=True)
class Context:
    """What every pricer needs besides the resource: cloud, region, stated sizes and the plan's cross-references."""

    cloud: Cloud
    region: str
    bucket_gb: float
    default_zones: int
    nodes_min: float = 0.0
    nodes_max: float = 0.0
    # Launch templates by their id, so a node group's root volumes are read where they are set.
    templates: Mapping[str, PlanResource] = field(default_factory=dict)
    # Minimum nodes by node-pool resource name that the models' replicas.min need.
    floors: Mapping[str, NodeFloor] = field(default_factory=dict)


def _region_warning(ctx: Context, used: str) -> str:
    if used in (ctx.region, "all regions"):
        return ""
    return f"no {ctx.region} price in inferstack's catalog: the {used} price is used"


def service_row(
    ctx: Context, res: PlanResource, key: str, item: str, qmin: float, qmax: float, note: str = ""
) -> CostRow:
    """A row priced from the managed-service table (`prices.yaml`) in the plan's region."""
    price = catalog.service_prices(ctx.cloud)[key]
    usd, used = price.price_in(ctx.region)
    per_month = _PER_MONTH[price.unit]
    return CostRow(
        resource=res.name,
        type=res.type,
        item=item,
        unit=_UNIT[price.unit],
        unit_usd=usd,
        quantity_min=qmin,
        quantity_max=qmax,
        monthly_min=usd * per_month * qmin,
        monthly_max=usd * per_month * qmax,
        as_of=price.as_of.isoformat(),
        note="; ".join(part for part in (note, price.note) if part),
        warning=_region_warning(ctx, used),
        source=price.source,
        price_region=used,
    )


def vm_row(
    ctx: Context, res: PlanResource, type_name: str, spot: bool, nmin: float, nmax: float, min_note: str = ""
) -> CostRow:
    """A row of node-hours priced from the instance/machine type table in the plan's region."""
    itype = catalog.instance_types(ctx.cloud).get(type_name)
    offer = itype.regions.get(ctx.region) if itype else None
    warning = ""
    if itype is None or offer is None:
        usd, as_of, warning = 0.0, "", f"{type_name} has no catalog price in {ctx.region}: not priced"
    elif spot and offer.spot_usd_per_hour is not None:
        usd, as_of = offer.spot_usd_per_hour, itype.as_of.isoformat()
    else:
        usd, as_of = offer.on_demand_usd_per_hour, itype.as_of.isoformat()
        if spot:
            warning = "no spot price recorded: on-demand price used (an upper bound)"
    label = f"{type_name} {'spot' if spot else 'on-demand'}"
    if itype is not None and itype.gpu is not None:
        label += f" ({itype.gpus}× {itype.gpu})"
    return CostRow(
        resource=res.name,
        type=res.type,
        item=label,
        unit="node-hour",
        unit_usd=usd,
        quantity_min=nmin,
        quantity_max=nmax,
        monthly_min=usd * HOURS_PER_MONTH * nmin,
        monthly_max=usd * HOURS_PER_MONTH * nmax,
        as_of=as_of,
        warning=warning,
        source=itype.source if itype else "",
        price_region=ctx.region if offer is not None else "",
        min_note=min_note,
    )


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def template_volumes(template: PlanResource) -> list[tuple[float, str]]:
    """The EBS volumes (GB, volume type) one node of a launch template gets."""
    mappings = template.inputs.get("blockDeviceMappings")
    out: list[tuple[float, str]] = []
    for mapping in mappings if isinstance(mappings, list | tuple) else []:
        ebs = _map(_map(mapping).get("ebs"))
        if ebs:
            out.append((_num(ebs.get("volumeSize")), str(ebs.get("volumeType", "gp2"))))
    return out


def eks_root_volume_rows(ctx: Context, res: PlanResource, nmin: float, nmax: float) -> list[CostRow]:
    """The root volumes of an EKS node group, read from the launch template it names (gp3 per GB-month)."""
    template_id = _map(res.inputs.get("launchTemplate")).get("id")
    template = ctx.templates.get(str(template_id)) if template_id is not None else None
    if template is None:
        row = service_row(ctx, res, "block_storage", "node root volumes", 0, 0)
        # Unpriced, but never silently: a node group whose template the plan does not show.
        return [replace(row, warning="launch template not in the plan: root volumes not priced")]
    rows = []
    for gb, kind in template_volumes(template):
        item = f"node root volumes {kind} {gb:g} GB each (launch template {template.name})"
        row = service_row(ctx, res, "block_storage", item, gb * nmin, gb * nmax)
        if kind != "gp3":
            row = replace(row, warning=f"{kind} volume priced at the gp3 price")
        rows.append(row)
    return rows


def gke_boot_disk_row(ctx: Context, res: PlanResource, gb: float, nmin: float, nmax: float) -> CostRow:
    """The boot disks of a GKE node pool (balanced persistent disk per GB-month)."""
    kind = str(_map(res.inputs.get("nodeConfig")).get("diskType", "pd-balanced"))
    row = service_row(ctx, res, "block_storage", f"node boot disks {kind} {gb:g} GB each", gb * nmin, gb * nmax)
    if kind != "pd-balanced":
        return replace(row, warning=f"{kind} disk priced at the pd-balanced price")
    return row
