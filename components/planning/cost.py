"""Monthly cost of what a Plan contains, at minimum and at maximum scale.

Prices the planned resources, not the intent: node groups, node pools and GKE ComputeClasses by their machine type,
purchase option and autoscaling bounds (the minimum raised to the nodes the models' replicas.min need), their
root volumes or boot disks, control-plane fees, NAT gateways and their public IPv4 addresses, interface VPC
endpoints per zone, load balancers, buckets (at a stated size), KMS keys and log ingestion. Every other resource
type is in `NOT_PRICED` with the reason, so a new type is a decision, not an omission. Resources are read through a
small protocol (type, name, inputs with the engine's camelCase names) and node pools through
`plan_readers.node_pools`, the reader the policy rules share; so it needs neither Pulumi nor the offline engine.
A month is 730 hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, cast

from inferstack.catalog.schema import Cloud
from inferstack.planning.cost_karpenter import karpenter_pool_rows, node_class_key
from inferstack.planning.cost_rows import (
    HOURS_PER_MONTH,
    Context,
    CostRow,
    NodeFloor,
    eks_root_volume_rows,
    gke_boot_disk_row,
    service_row,
    vm_row,
)
from inferstack.planning.cost_unpriced import NOT_PRICED, UNPRICED_PREFIXES
from inferstack.planning.names import ACCESS_LOGS_SUFFIX
from inferstack.planning.plan_readers import NodePool, PlanResource, node_pool
from inferstack.provider_types import Aws, Gcp, K8s

__all__ = ["HOURS_PER_MONTH", "NOT_PRICED", "PRICERS", "CostReport", "CostRow", "NodeFloor", "price_plan"]

CLOUD_NAT_VM_CAP = 32
TRAFFIC = "traffic not modelled: 0 GB assumed"


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


def _bounds(ctx: Context, pool: NodePool) -> tuple[float, float, str]:
    """A pool's nodes at min and max scale: min is at least what the models' replicas.min need."""
    floor = ctx.floors.get(pool.name)
    if floor is None or floor.nodes <= pool.min_nodes:
        return pool.min_nodes, pool.max_nodes, ""
    nmin = min(floor.nodes, pool.max_nodes)
    return nmin, pool.max_nodes, f"min {nmin:g} nodes, not the pool's {pool.min_nodes:g}: {floor.reason}"


def _node_pool(ctx: Context, res: PlanResource) -> list[CostRow]:
    pool = node_pool(res, default_zones=ctx.default_zones)
    if pool is None:
        return []
    nmin, nmax, note = _bounds(ctx, pool)
    rows = [vm_row(ctx, res, pool.instance_type, pool.spot, nmin, nmax, note)]
    if res.type == Gcp.GKE_NODE_POOL:
        rows.append(gke_boot_disk_row(ctx, res, pool.disk_gb, nmin, nmax))
    elif pool.disk_gb:  # diskSize on the group itself (no launch template)
        rows.append(service_row(ctx, res, "block_storage", f"node disks {pool.disk_gb:g} GB each", *_gb(pool, nmin)))
    else:
        rows.extend(eks_root_volume_rows(ctx, res, nmin, nmax))
    return rows


# What a ComputeClass row says about the price it shows (the catalog has no committed-use or DWS rates).
RESERVED_AT_ON_DEMAND = (
    "reservation priced at the on-demand rate: a reservation bills as on-demand unless a committed-use discount "
    "covers it, and the catalog records no committed rate"
)
SPOT_MIX = "min at the spot rate; max with every node on its on-demand fallback (spot unavailable)"


def _compute_class(ctx: Context, res: PlanResource) -> list[CostRow]:
    """A ComputeClass pool, priced from its first priority; the max is the on-demand fallback when it has one."""
    pool = node_pool(res, default_zones=ctx.default_zones)
    if pool is None:
        return []
    nmin, nmax, note = _bounds(ctx, pool)
    first = pool.purchase[0] if pool.purchase else "on_demand"
    row = vm_row(ctx, res, pool.instance_type, first == "spot", nmin, nmax, note)
    warnings = [row.warning] if row.warning else []
    if first == "reserved":
        row = replace(row, item=row.item.replace(" on-demand", " reserved", 1))
        warnings.append(RESERVED_AT_ON_DEMAND)
    elif first == "spot" and "on_demand" in pool.purchase and row.unit_usd:
        fallback = vm_row(ctx, res, pool.instance_type, False, nmin, nmax)
        row = replace(row, monthly_max=fallback.monthly_max)
        warnings.append(SPOT_MIX)
    row = replace(row, warning="; ".join(warnings))
    return [row, gke_boot_disk_row(ctx, res, pool.disk_gb, nmin, nmax)]


def _gb(pool: NodePool, nmin: float) -> tuple[float, float]:
    return pool.disk_gb * nmin, pool.disk_gb * pool.max_nodes


def _cloud_nat(ctx: Context, res: PlanResource) -> list[CostRow]:
    capped = ctx.nodes_max > CLOUD_NAT_VM_CAP
    row = service_row(
        ctx, res, "cloud_nat_vm", "Cloud NAT VM-hours", ctx.nodes_min, min(ctx.nodes_max, CLOUD_NAT_VM_CAP)
    )
    if capped:
        cap = service_row(ctx, res, "cloud_nat_max", "Cloud NAT above 32 VMs", 0, 1)
        row = replace(row, monthly_max=cap.monthly_max, note=cap.note)
    return [row, service_row(ctx, res, "cloud_nat_data", "Cloud NAT data processed", 0, 0, TRAFFIC)]


def _interface_endpoint(ctx: Context, res: PlanResource) -> list[CostRow]:
    if str(res.inputs.get("vpcEndpointType", "Gateway")) != "Interface":
        return []  # gateway endpoints (S3, DynamoDB) have no hourly or data charge
    subnets = res.inputs.get("subnetIds")
    zones = float(len(subnets)) if isinstance(subnets, list | tuple) and subnets else float(ctx.default_zones)
    service = str(res.inputs.get("serviceName", "")).rsplit(".", 1)[-1] or "?"
    return [
        service_row(ctx, res, "interface_endpoint", f"interface endpoint {service} in {zones:g} zone(s)", zones, zones),
        service_row(ctx, res, "interface_endpoint_data", f"interface endpoint {service} data", 0, 0, TRAFFIC),
    ]


def _is_lb_service(res: PlanResource) -> bool:
    spec = res.inputs.get("spec") or {}
    return isinstance(spec, Mapping) and spec.get("type") == "LoadBalancer"


def _gateway_proxy(ctx: Context, res: PlanResource) -> list[CostRow]:
    """The gateway's load balancer: Envoy Gateway creates it from the EnvoyProxy's Service settings."""
    service = _dig(res.inputs, "spec", "provider", "kubernetes", "envoyService")
    # Envoy Gateway's default Service type is LoadBalancer; only an explicit ClusterIP has none.
    if service.get("type", "LoadBalancer") != "LoadBalancer":
        return []
    return [service_row(ctx, res, "load_balancer", "gateway load balancer (Envoy Gateway's proxy Service)", 1, 1)]


def _dig(value: Any, *keys: str) -> Mapping[str, Any]:
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _one(key: str, item: str) -> Pricer:
    return lambda c, r: [service_row(c, r, key, item, 1, 1)]


def _bucket(ctx: Context, res: PlanResource) -> list[CostRow]:
    if res.name.endswith(ACCESS_LOGS_SUFFIX):
        # Access logs are text, small beside the weights and not sized offline.
        return [service_row(ctx, res, "object_storage", "storage of access logs (not sized offline)", 0, 0)]
    gb = ctx.bucket_gb
    return [service_row(ctx, res, "object_storage", f"storage at {gb:g} GB (the models' weights)", gb, gb)]


Pricer = Callable[[Context, PlanResource], list[CostRow]]

PRICERS: dict[str, Pricer] = {
    Aws.EKS_NODE_GROUP: _node_pool,
    Gcp.GKE_NODE_POOL: _node_pool,
    K8s.COMPUTE_CLASS: _compute_class,
    K8s.KARPENTER_NODE_POOL: karpenter_pool_rows,
    Aws.EKS_CLUSTER: _one("eks_cluster", "EKS control plane"),
    Gcp.GKE_CLUSTER: _one("gke_cluster", "GKE cluster fee"),
    Aws.NAT_GATEWAY: lambda c, r: [
        service_row(c, r, "nat_gateway", "NAT gateway", 1, 1),
        service_row(c, r, "nat_gateway_data", "NAT data processed", 0, 0, TRAFFIC),
    ],
    Aws.EIP: _one("public_ipv4", "public IPv4 address"),
    Aws.VPC_ENDPOINT: _interface_endpoint,
    Gcp.ROUTER_NAT: _cloud_nat,
    Aws.LB_LOAD_BALANCER: _one("load_balancer", "load balancer"),
    Aws.ALB_LOAD_BALANCER: _one("load_balancer", "load balancer"),
    Gcp.FORWARDING_RULE: _one("load_balancer", "forwarding rule"),
    Gcp.GLOBAL_FORWARDING_RULE: _one("load_balancer", "forwarding rule"),
    K8s.ENVOY_PROXY: _gateway_proxy,
    K8s.SERVICE: lambda c, r: _one("load_balancer", "LoadBalancer Service")(c, r) if _is_lb_service(r) else [],
    Aws.S3_BUCKET: _bucket,
    Aws.S3_BUCKET_V2: _bucket,
    Gcp.STORAGE_BUCKET: _bucket,
    Aws.KMS_KEY: _one("kms_key", "KMS key"),
    Gcp.KMS_CRYPTO_KEY: _one("kms_key", "KMS key version"),
    Aws.LOG_GROUP: lambda c, r: [service_row(c, r, "log_ingestion", "log ingestion", 0, 0, TRAFFIC)],
}


def is_priced_or_free(type_token: str) -> bool:
    """Whether the cost model has decided about a resource type: it prices it, or lists why it does not."""
    return type_token in PRICERS or type_token in NOT_PRICED or type_token.startswith(UNPRICED_PREFIXES)


def price_plan(
    resources: Iterable[PlanResource],
    *,
    cloud: str,
    region: str | None,
    bucket_gb: float = 0.0,
    default_zones: int = 1,
    floors: Mapping[str, NodeFloor] | None = None,
) -> CostReport:
    """Price every resource of a plan at min and max scale; kubernetes (an existing cluster) costs nothing here.

    `floors` raises a node pool's minimum (by resource name) to the nodes its models' replicas.min need.
    """
    # Only this cloud's resources (and the Kubernetes objects on its cluster) are priced from its tables.
    items = [res for res in resources if res.type.startswith((f"{cloud}:", "kubernetes:"))]
    if cloud not in ("aws", "gcp") or region is None:
        return CostReport(cloud, region, [], ["an existing cluster: its nodes are not priced by inferstack"])
    templates = {
        str(ident): res
        for res in items
        if res.type == Aws.LAUNCH_TEMPLATE and (ident := getattr(res, "id", None)) is not None
    }
    # A Karpenter NodePool's root volumes are set on the EC2NodeClass it names.
    for res in items:
        if res.type == K8s.KARPENTER_NODE_CLASS:
            metadata = res.inputs.get("metadata")
            templates[node_class_key(str(metadata.get("name") if isinstance(metadata, Mapping) else res.name))] = res
    ctx = Context(cast(Cloud, cloud), region, bucket_gb, default_zones, templates=templates, floors=floors or {})
    pools = [p for res in items if (p := node_pool(res, default_zones=default_zones)) is not None]
    bounds = [_bounds(ctx, pool) for pool in pools]
    ctx = replace(ctx, nodes_min=sum(b[0] for b in bounds), nodes_max=sum(b[1] for b in bounds))
    rows = [row for res in items if res.type in PRICERS for row in PRICERS[res.type](ctx, res)]
    notes = [
        "per-GB charges (NAT and endpoint data, log ingestion, load balancer capacity units, egress) depend on "
        "traffic: their rows show the unit price at 0 GB",
    ]
    return CostReport(cloud, region, rows, notes)
