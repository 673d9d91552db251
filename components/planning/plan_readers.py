"""Readers of planned resources: the facts the cost model and the policy rules both need, as plain data.

A planned resource is read through a small protocol (type, name, inputs with the engine's camelCase names,
numbers maybe floats, anything maybe absent), so a reader serves an offline Plan, a CrossGuard PolicyResource
seen through an adapter, or a test's dict alike, and needs neither Pulumi nor the offline engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from inferstack import catalog
from inferstack.provider_types import Aws, Gcp, K8s

NODE_POOL_TYPES: tuple[str, ...] = (Aws.EKS_NODE_GROUP, Gcp.GKE_NODE_POOL, K8s.COMPUTE_CLASS, K8s.KARPENTER_NODE_POOL)
# A ComputeClass or a Karpenter NodePool names no node count: inferstack keeps the pool's bounds and its models'
# on-demand base on the object (gcp/plan/compute_class.py, aws/plan/karpenter.py); GKE enforces the bounds through
# the cluster's auto-provisioning limits, Karpenter through the NodePool's GPU limit.
MIN_NODES_ANNOTATION = "inferstack.dev/min-nodes"
MAX_NODES_ANNOTATION = "inferstack.dev/max-nodes"
ON_DEMAND_BASE_ANNOTATION = "inferstack.dev/on-demand-base"
# The auto-created nodes' boot disk, the cluster's auto-provisioning default disk size (a class names none).
BOOT_DISK_ANNOTATION = "inferstack.dev/boot-disk-gb"
# Kubernetes taint effects in the GKE and EKS API spelling the node pool readers report.
API_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}
# Karpenter's capacity types (karpenter.sh/capacity-type values) in the spec's purchase spelling.
KARPENTER_PURCHASE = {"reserved": "reserved", "spot": "spot", "on-demand": "on_demand"}
# GKE gives a node pool a 100 GB boot disk and e2-medium machines when they are unset.
GKE_DEFAULT_DISK_GB = 100.0
GKE_DEFAULT_MACHINE = "e2-medium"


class PlanResource(Protocol):
    """The parts of a planned resource a reader uses (infra.plan.PlannedResource has them)."""

    @property
    def type(self) -> str: ...  # noqa: D102

    @property
    def name(self) -> str: ...  # noqa: D102

    @property
    def inputs(self) -> Mapping[str, Any]: ...  # noqa: D102


@dataclass(frozen=True)
class NodePool:
    """One EKS node group or GKE node pool as planned: machines, purchase option, scaling bounds and GPUs."""

    name: str
    type: str
    instance_types: tuple[str, ...]
    spot: bool
    min_nodes: float
    max_nodes: float
    gpus_per_node: int
    # Per-node boot disk in GB; 0 when the plan leaves it to a launch template (EKS).
    disk_gb: float
    taints: tuple[Mapping[str, Any], ...]
    # The purchase options tried in order (a ComputeClass's priorities, a Karpenter NodePool's
    # capacity types), in the spec's spelling: reserved, spot, flex_start, on_demand; a node group or pool has one.
    purchase: tuple[str, ...] = ()
    # Replicas its models keep on on-demand nodes whatever the first purchase option (an annotation on a
    # ComputeClass or NodePool).
    on_demand_base: int = 0

    @property
    def instance_type(self) -> str:
        """The machine the pool is priced at: its first instance type ("unknown" when none is named)."""
        return self.instance_types[0] if self.instance_types else "unknown"

    @property
    def max_gpus(self) -> float:
        """GPUs at maximum scale."""
        return self.gpus_per_node * self.max_nodes


def _num(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def eks_node_group_bounds(inputs: Mapping[str, Any]) -> tuple[float, float]:
    """Minimum and maximum nodes of an EKS node group (its desired size when no maximum is planned)."""
    scaling = _map(inputs.get("scalingConfig"))
    return _num(scaling.get("minSize")), _num(scaling.get("maxSize"), _num(scaling.get("desiredSize")))


def gke_node_pool_bounds(inputs: Mapping[str, Any], default_zones: int) -> tuple[float, float]:
    """Minimum and maximum nodes of a GKE node pool (per-zone counts times its zones, or total counts)."""
    zones = len(_list(inputs.get("nodeLocations"))) or default_zones
    auto = _map(inputs.get("autoscaling"))
    if "totalMinNodeCount" in auto or "totalMaxNodeCount" in auto:
        return _num(auto.get("totalMinNodeCount")), _num(auto.get("totalMaxNodeCount"))
    if auto:
        return _num(auto.get("minNodeCount")) * zones, _num(auto.get("maxNodeCount")) * zones
    count = _num(inputs.get("nodeCount"), _num(inputs.get("initialNodeCount"), 1.0))
    return count * zones, count * zones


def _eks(res: PlanResource) -> NodePool:
    inputs = res.inputs
    types = tuple(str(t) for t in _list(inputs.get("instanceTypes")))
    known = catalog.instance_types("aws")
    low, high = eks_node_group_bounds(inputs)
    return NodePool(
        name=res.name,
        type=res.type,
        instance_types=types,
        spot=str(inputs.get("capacityType", "ON_DEMAND")).upper() == "SPOT",
        min_nodes=low,
        max_nodes=high,
        # A group of mixed types is counted at its largest GPU type: the cap must hold whichever launches.
        gpus_per_node=max((known[t].gpus for t in types if t in known), default=0),
        disk_gb=_num(inputs.get("diskSize")),
        taints=tuple(_map(t) for t in _list(inputs.get("taints"))),
    )


def _gke(res: PlanResource, default_zones: int) -> NodePool:
    config = _map(res.inputs.get("nodeConfig"))
    machine = str(config.get("machineType", GKE_DEFAULT_MACHINE))
    accelerators = _list(config.get("guestAccelerators"))
    if accelerators:
        gpus = int(sum(_num(_map(a).get("count")) for a in accelerators))
    else:  # A2/A3/G2 machine types come with their GPUs attached.
        known = catalog.instance_types("gcp").get(machine)
        gpus = known.gpus if known else 0
    low, high = gke_node_pool_bounds(res.inputs, default_zones)
    return NodePool(
        name=res.name,
        type=res.type,
        instance_types=(machine,),
        spot=bool(config.get("spot") or config.get("preemptible")),
        min_nodes=low,
        max_nodes=high,
        gpus_per_node=gpus,
        disk_gb=_num(config.get("diskSizeGb"), GKE_DEFAULT_DISK_GB),
        taints=tuple(_map(t) for t in _list(config.get("taints"))),
    )


def _rung_kind(rung: Mapping[str, Any]) -> str:
    if _map(rung.get("reservations")).get("affinity") == "Specific":
        return "reserved"
    if _map(rung.get("flexStart")).get("enabled"):
        return "flex_start"
    return "spot" if rung.get("spot") else "on_demand"


def _compute_class(res: PlanResource) -> NodePool | None:
    spec = _map(res.inputs.get("spec"))
    rungs = [_map(rung) for rung in _list(spec.get("priorities"))]
    if not rungs:
        return None
    annotations = _map(_map(res.inputs.get("metadata")).get("annotations"))
    config = _map(spec.get("nodePoolConfig"))
    first = rungs[0]
    return NodePool(
        name=res.name,
        type=res.type,
        instance_types=tuple(str(rung.get("machineType", GKE_DEFAULT_MACHINE)) for rung in rungs[:1]),
        spot=bool(first.get("spot")),
        min_nodes=float(annotations.get(MIN_NODES_ANNOTATION, 0)),
        max_nodes=float(annotations.get(MAX_NODES_ANNOTATION, 0)),
        gpus_per_node=int(_num(_map(first.get("gpu")).get("count"))),
        disk_gb=float(annotations.get(BOOT_DISK_ANNOTATION, GKE_DEFAULT_DISK_GB)),
        taints=tuple(
            {**taint, "effect": API_EFFECTS.get(str(taint.get("effect")), taint.get("effect"))}
            for taint in (_map(t) for t in _list(config.get("taints")))
        ),
        purchase=tuple(_rung_kind(rung) for rung in rungs),
        on_demand_base=int(annotations.get(ON_DEMAND_BASE_ANNOTATION, 0)),
    )


def _text_num(value: Any) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def _karpenter(res: PlanResource) -> NodePool:
    spec = _map(res.inputs.get("spec"))
    template = _map(_map(spec.get("template")).get("spec"))
    wanted = {str(_map(r).get("key")): _list(_map(r).get("values")) for r in _list(template.get("requirements"))}
    types = tuple(str(t) for t in wanted.get("node.kubernetes.io/instance-type", []))
    capacity = tuple(KARPENTER_PURCHASE.get(str(c), str(c)) for c in wanted.get("karpenter.sh/capacity-type", []))
    known = catalog.instance_types("aws")
    per_node = max((known[t].gpus for t in types if t in known), default=0)
    gpu_limit = _text_num(_map(spec.get("limits")).get("nvidia.com/gpu", 0))
    annotations = _map(_map(res.inputs.get("metadata")).get("annotations"))
    taints = [
        {**_map(t), "effect": API_EFFECTS.get(str(_map(t).get("effect")), _map(t).get("effect"))}
        for t in _list(template.get("taints"))
    ]
    return NodePool(
        name=res.name,
        type=res.type,
        instance_types=types,
        # Priced and judged by the first capacity type Karpenter takes.
        spot=bool(capacity) and capacity[0] == "spot",
        min_nodes=_text_num(annotations.get(MIN_NODES_ANNOTATION, 0)),
        # Karpenter's limits are in resources: the GPU limit over GPUs per node is the most nodes it launches.
        max_nodes=gpu_limit // per_node if per_node else 0.0,
        gpus_per_node=per_node,
        disk_gb=0.0,
        taints=tuple(taints),
        purchase=capacity,
        on_demand_base=int(_text_num(annotations.get(ON_DEMAND_BASE_ANNOTATION, 0))),
    )


def node_pool(res: PlanResource, *, default_zones: int = 1) -> NodePool | None:
    """The node pool a planned resource is, or None for any other type.

    `default_zones` counts the zones of a GKE pool that names none (it then spans its cluster's zones).
    """
    if res.type == Aws.EKS_NODE_GROUP:
        return _eks(res)
    if res.type == Gcp.GKE_NODE_POOL:
        return _gke(res, default_zones)
    if res.type == K8s.COMPUTE_CLASS:
        return _compute_class(res)
    if res.type == K8s.KARPENTER_NODE_POOL:
        return _karpenter(res)
    return None


def node_pools(resources: Iterable[PlanResource], *, default_zones: int = 1) -> list[NodePool]:
    """Every EKS node group, GKE node pool and Karpenter NodePool among planned resources, in plan order."""
    return [pool for res in resources if (pool := node_pool(res, default_zones=default_zones)) is not None]
