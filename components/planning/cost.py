"""Monthly cost of what a Plan contains, at minimum and at maximum scale.

Prices the planned resources, not the intent: node groups and node pools by their instance/machine type,
purchase option and autoscaling bounds, control-plane fees, NAT, load balancers, buckets (at a stated size),
KMS keys. Resources are read through a small protocol (type, name, inputs with the engine's camelCase names) and
node pools through `plan_readers.node_pools`, the reader the policy rules share; so it needs neither Pulumi nor
the offline engine. A month is 730 hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from inferstack import catalog
from inferstack.catalog.schema import Cloud
from inferstack.planning.plan_readers import PlanResource, node_pool, node_pools
from inferstack.provider_types import Aws, Gcp, K8s

HOURS_PER_MONTH = 730.0
CLOUD_NAT_VM_CAP = 32


@dataclass(frozen=True)
class CostRow:
    """One priced line: a resource, how many units at min and max scale, the unit price and its date."""

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


@dataclass(frozen=True)
class CostReport:
    """Every priced row of a plan and the totals."""

    cloud: str
    region: str | None
    rows: list[CostRow]
    notes: list[str] = field(default_factory=list)

    @property
    def monthly_min(self) -> float:
        """Monthly USD with every autoscaled group at its minimum."""
        return sum(row.monthly_min for row in self.rows)

    @property
    def monthly_max(self) -> float:
        """Monthly USD with every autoscaled group at its maximum."""
        return sum(row.monthly_max for row in self.rows)

    @property
    def as_of(self) -> str:
        """The oldest price date used (empty when nothing was priced)."""
        return min((row.as_of for row in self.rows if row.as_of), default="")

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (the `--json` output)."""
        return {
            "cloud": self.cloud,
            "region": self.region,
            "hours_per_month": HOURS_PER_MONTH,
            "monthly_usd": {"min": round(self.monthly_min, 2), "max": round(self.monthly_max, 2)},
            "prices_as_of": self.as_of,
            "rows": [asdict(row) for row in self.rows],
            "notes": self.notes,
        }


@dataclass(frozen=True)
class _Context:
    cloud: Cloud
    region: str
    bucket_gb: float
    default_zones: int
    nodes_min: float
    nodes_max: float


def _service_row(ctx: _Context, res: PlanResource, key: str, item: str, qmin: float, qmax: float) -> CostRow:
    price = catalog.service_prices(ctx.cloud)[key]
    per_month = {"hour": HOURS_PER_MONTH, "gb": 0.0, "gb_month": 1.0, "month": 1.0}[price.unit]
    unit = {"hour": "hour", "gb": "GB", "gb_month": "GB-month", "month": "month"}[price.unit]
    return CostRow(
        resource=res.name,
        type=res.type,
        item=item,
        unit=unit,
        unit_usd=price.usd,
        quantity_min=qmin,
        quantity_max=qmax,
        monthly_min=price.usd * per_month * qmin,
        monthly_max=price.usd * per_month * qmax,
        as_of=price.as_of.isoformat(),
        note=price.note,
    )


def _vm_row(ctx: _Context, res: PlanResource, type_name: str, spot: bool, nmin: float, nmax: float) -> CostRow:
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
        note=itype.source if itype else "",
        warning=warning,
    )


def _disk_row(ctx: _Context, res: PlanResource, gb: float, nmin: float, nmax: float) -> CostRow:
    return _service_row(ctx, res, "block_storage", f"node disks {gb:g} GB each", gb * nmin, gb * nmax)


def _node_pool(ctx: _Context, res: PlanResource) -> list[CostRow]:
    pool = node_pool(res, default_zones=ctx.default_zones)
    if pool is None:
        return []
    rows = [_vm_row(ctx, res, pool.instance_type, pool.spot, pool.min_nodes, pool.max_nodes)]
    if pool.disk_gb:
        rows.append(_disk_row(ctx, res, pool.disk_gb, pool.min_nodes, pool.max_nodes))
    return rows


def _cloud_nat(ctx: _Context, res: PlanResource) -> list[CostRow]:
    rows: list[CostRow] = []
    capped = ctx.nodes_max > CLOUD_NAT_VM_CAP
    row = _service_row(ctx, res, "cloud_nat_vm", "Cloud NAT VM-hours", ctx.nodes_min, min(ctx.nodes_max, 32))
    if capped:
        cap = _service_row(ctx, res, "cloud_nat_max", "Cloud NAT above 32 VMs", 0, 1)
        row = CostRow(**{**asdict(row), "monthly_max": cap.monthly_max, "note": cap.note})
    rows.append(row)
    rows.append(_service_row(ctx, res, "cloud_nat_data", "Cloud NAT data (per GB, traffic not modelled)", 0, 0))
    return rows


def _is_lb_service(res: PlanResource) -> bool:
    spec = res.inputs.get("spec") or {}
    return isinstance(spec, Mapping) and spec.get("type") == "LoadBalancer"


Pricer = Callable[[_Context, PlanResource], list[CostRow]]

PRICERS: dict[str, Pricer] = {
    Aws.EKS_NODE_GROUP: _node_pool,
    Gcp.GKE_NODE_POOL: _node_pool,
    Aws.EKS_CLUSTER: lambda c, r: [_service_row(c, r, "eks_cluster", "EKS control plane", 1, 1)],
    Gcp.GKE_CLUSTER: lambda c, r: [_service_row(c, r, "gke_cluster", "GKE cluster fee", 1, 1)],
    Aws.NAT_GATEWAY: lambda c, r: [
        _service_row(c, r, "nat_gateway", "NAT gateway", 1, 1),
        _service_row(c, r, "nat_gateway_data", "NAT data (per GB, traffic not modelled)", 0, 0),
    ],
    Gcp.ROUTER_NAT: _cloud_nat,
    Aws.LB_LOAD_BALANCER: lambda c, r: [_service_row(c, r, "load_balancer", "load balancer", 1, 1)],
    Aws.ALB_LOAD_BALANCER: lambda c, r: [_service_row(c, r, "load_balancer", "load balancer", 1, 1)],
    Gcp.FORWARDING_RULE: lambda c, r: [_service_row(c, r, "load_balancer", "forwarding rule", 1, 1)],
    Gcp.GLOBAL_FORWARDING_RULE: lambda c, r: [_service_row(c, r, "load_balancer", "forwarding rule", 1, 1)],
    K8s.SERVICE: lambda c, r: (
        [_service_row(c, r, "load_balancer", "LoadBalancer Service", 1, 1)] if _is_lb_service(r) else []
    ),
    Aws.S3_BUCKET: lambda c, r: [_bucket(c, r)],
    Aws.S3_BUCKET_V2: lambda c, r: [_bucket(c, r)],
    Gcp.STORAGE_BUCKET: lambda c, r: [_bucket(c, r)],
    Aws.KMS_KEY: lambda c, r: [_service_row(c, r, "kms_key", "KMS key", 1, 1)],
    Gcp.KMS_CRYPTO_KEY: lambda c, r: [_service_row(c, r, "kms_key", "KMS key version", 1, 1)],
}


def _bucket(ctx: _Context, res: PlanResource) -> CostRow:
    return _service_row(ctx, res, "object_storage", f"storage at {ctx.bucket_gb:g} GB", ctx.bucket_gb, ctx.bucket_gb)


def price_plan(
    resources: Iterable[PlanResource],
    *,
    cloud: str,
    region: str | None,
    bucket_gb: float = 0.0,
    default_zones: int = 1,
) -> CostReport:
    """Price every resource of a plan at min and max scale; kubernetes (an existing cluster) costs nothing here."""
    # Only this cloud's resources (and the Kubernetes objects on its cluster) are priced from its tables.
    items = [res for res in resources if res.type.startswith((f"{cloud}:", "kubernetes:"))]
    if cloud not in ("aws", "gcp") or region is None:
        return CostReport(cloud, region, [], ["an existing cluster: its nodes are not priced by inferstack"])
    pools = node_pools(items, default_zones=default_zones)
    nodes_min, nodes_max = sum(p.min_nodes for p in pools), sum(p.max_nodes for p in pools)
    ctx = _Context(cast(Cloud, cloud), region, bucket_gb, default_zones, nodes_min, nodes_max)
    rows = [row for res in items if res.type in PRICERS for row in PRICERS[res.type](ctx, res)]
    notes = ["per-GB charges (NAT data, load balancer capacity units, egress) depend on traffic and are not included"]
    return CostReport(cloud, region, rows, notes)
