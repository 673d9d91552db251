"""GKE custom ComputeClasses as data: one per GPU pool, its priority list built from the pool's capacity preferences.

With `cluster.provisioner: compute_class` GKE creates a GPU pool's nodes itself (node pool auto-creation), trying
each priority in turn: the pool's named reservations, spot, flex-start, on-demand, in the order the spec lists them.
Fields used and where they are documented (read 2026-12-02):
- GKE "ComputeClass" CRD reference (cloud.google.com/kubernetes-engine/docs/reference/crds/computeclass):
  `priorities[].machineType`, `.gpu{type,count,driverVersion}`, `.spot`, `.reservations{affinity: Specific,
  specific[].name}`, `.flexStart.enabled`, `priorityDefaults.location.zones`, `nodePoolAutoCreation.enabled`,
  `nodePoolConfig{imageType,serviceAccount,nodeLabels,taints,gvnic,imageStreaming}`,
  `whenUnsatisfiable`, `activeMigration.optimizeRulePriority`, `description`.
- GKE "About custom ComputeClasses": GKE labels and taints a class's nodes `cloud.google.com/compute-class=<name>`
  (NoSchedule); a pod selects the class with that nodeSelector; `DoNotScaleUp` leaves pods pending rather than
  falling back to GKE's default machine series (a GPU pod cannot run on it anyway).
- GKE "About flex-start" (Dynamic Workload Scheduler): flex-start VMs are queued until capacity is found, run at
  most seven days and are billed at the DWS discount.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

from inferstack import catalog
from inferstack.gcp.plan.location import GcpPlanError
from inferstack.gcp.plan.nodes import GkeNodePoolPlan, plan_gke_gpu_pool, plan_gke_system_pool
from inferstack.planning.fit import pool_models
from inferstack.planning.plan_readers import (
    BOOT_DISK_ANNOTATION,
    MAX_NODES_ANNOTATION,
    MIN_NODES_ANNOTATION,
    ON_DEMAND_BASE_ANNOTATION,
)
from inferstack.planning.provisioning import provisioner
from inferstack.planning.scheduling import target_pool
from inferstack.spec.models import EnvironmentSpec
from inferstack.target import Taint, TargetPool

API_VERSION = "cloud.google.com/v1"
KIND = "ComputeClass"
COMPUTE_CLASS_LABEL = "cloud.google.com/compute-class"
# The driver GKE installs on auto-created GPU nodes: the latest, as on the managed pools (gcp/plan/nodes.py).
DRIVER_VERSION = "latest"
IMAGE_TYPE = "cos_containerd"
GIB_IN_GB = 1.073741824

PriorityKind = Literal["reserved", "spot", "flex_start", "on_demand"]


@dataclass(frozen=True)
class Priority:
    """One rung of a ComputeClass: a purchase option of the pool's machine, pinned to a zone for a reservation."""

    kind: PriorityKind
    reservation: str | None = None
    zone: str | None = None


@dataclass(frozen=True)
class ComputeClassPlan:
    """Everything a GPU pool's ComputeClass is made of, resolved from the spec and the catalog."""

    pool: GkeNodePoolPlan
    name: str
    priorities: tuple[Priority, ...]
    min_nodes: int
    max_nodes: int
    # The boot disk of the auto-created nodes: the cluster's auto-provisioning default (every pool's largest disk).
    disk_gib: int
    # Replicas the pool's models keep on on-demand nodes (their replicas.on_demand_base, summed).
    on_demand_base: int
    # Move pods back to the first rung when it has room again (reserved first: the reservation is paid for anyway).
    optimize_rule_priority: bool

    @property
    def key(self) -> str:
        """The pool's key in the spec."""
        return self.pool.key

    @property
    def selector(self) -> dict[str, str]:
        """The nodeSelector entry that puts a pod on the class's nodes."""
        return {COMPUTE_CLASS_LABEL: self.name}

    @property
    def taint(self) -> Taint:
        """The taint GKE puts on the class's nodes (pods selecting the class tolerate it)."""
        return Taint(COMPUTE_CLASS_LABEL, self.name)


@dataclass(frozen=True)
class AutoprovisioningPlan:
    """Cluster-wide node auto-provisioning: resource limits and the settings every auto-created node gets."""

    # (resource type, maximum): cpu in cores, memory in GB, and one row per GPU accelerator type.
    limits: tuple[tuple[str, int], ...]
    zones: tuple[str, ...]
    disk_gib: int


def uses_compute_classes(spec: EnvironmentSpec) -> bool:
    """Whether the environment's GPU nodes come from ComputeClasses (GCP with provisioner compute_class)."""
    return spec.cloud == "gcp" and provisioner(spec) == "compute_class"


def priorities(spec: EnvironmentSpec, key: str) -> tuple[Priority, ...]:
    """The pool's capacity preferences as rungs: each reservation (by key) for reserved, flex-start before on-demand."""
    pool = spec.node_pools[key]
    rungs: list[Priority] = []
    for option in pool.capacity:
        if option == "reserved":
            rungs.extend(
                Priority("reserved", reservation.name, reservation.zone)
                for _, reservation in sorted(pool.reservations.items())
                if reservation.name is not None
            )
            continue
        if option == "on_demand" and pool.flex_start:
            rungs.append(Priority("flex_start"))
        rungs.append(Priority(option))
    if pool.flex_start and "on_demand" not in pool.capacity:
        rungs.append(Priority("flex_start"))
    return tuple(rungs)


def plan_compute_class(spec: EnvironmentSpec, key: str) -> ComputeClassPlan:
    """The ComputeClass for `node_pools.<key>`: the pool's machine, GPUs and zones, its preferences as priorities."""
    pool = spec.node_pools[key]
    node_plan = plan_gke_gpu_pool(spec, key)
    rungs = priorities(spec, key)
    if not rungs:
        raise GcpPlanError(f"node pool {key}: no capacity preference gives a ComputeClass priority")
    return ComputeClassPlan(
        pool=node_plan,
        name=node_plan.pool_name,
        priorities=rungs,
        min_nodes=pool.min,
        max_nodes=pool.max,
        disk_gib=max(plan_gke_gpu_pool(spec, other).scheduling.disk_gib for other in spec.node_pools),
        on_demand_base=sum(spec.models[model.key].replicas.on_demand_base for model in pool_models(spec).get(key, [])),
        optimize_rule_priority=rungs[0].kind == "reserved" and len(rungs) > 1,
    )


def compute_class_target(plan: ComputeClassPlan) -> TargetPool:
    """The pool as the workload sees it: its labels plus the class selector, its taints plus the class taint."""
    base = target_pool(plan.pool.scheduling, "gcp")
    labels = {**base.labels, **plan.selector}
    return replace(base, labels=labels, taints=(*base.taints, plan.taint))


def _rung(plan: ComputeClassPlan, rung: Priority) -> dict[str, Any]:
    accelerators = plan.pool.accelerators
    if accelerators is None:
        raise GcpPlanError(f"node pool {plan.key}: a ComputeClass needs the pool's GPUs")
    out: dict[str, Any] = {
        "machineType": plan.pool.machine_type,
        "gpu": {"type": accelerators.accelerator_type, "count": accelerators.count, "driverVersion": DRIVER_VERSION},
    }
    if rung.kind == "reserved":
        # A reservation is zonal: GKE finds it by name in its zone, one of the pool's (validation checks the zone).
        out["reservations"] = {"affinity": "Specific", "specific": [{"name": rung.reservation}]}
    elif rung.kind == "flex_start":
        out["flexStart"] = {"enabled": True}
    else:
        out["spot"] = rung.kind == "spot"
    return out


def compute_class_object(plan: ComputeClassPlan, service_account: str) -> dict[str, Any]:
    """The ComputeClass manifest: priorities, auto-created pools with the environment's node identity and labels."""
    cold = plan.pool.scheduling.cold_start
    node_config: dict[str, Any] = {
        "imageType": IMAGE_TYPE,
        "serviceAccount": service_account,
        "nodeLabels": dict(sorted(plan.pool.scheduling.labels.items())),
        "gvnic": {"enabled": True},
        # The GPU taint GKE puts on GPU nodes itself, stated so no other taint value can creep in.
        "taints": [{"key": t.key, "value": t.value, "effect": t.effect} for t in plan.pool.scheduling.taints],
    }
    if cold.image_streaming:
        node_config["imageStreaming"] = {"enabled": True}
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {
            "name": plan.name,
            "labels": {"inferstack.dev/pool": plan.key},
            "annotations": {
                MIN_NODES_ANNOTATION: str(plan.min_nodes),
                MAX_NODES_ANNOTATION: str(plan.max_nodes),
                ON_DEMAND_BASE_ANNOTATION: str(plan.on_demand_base),
                BOOT_DISK_ANNOTATION: str(plan.disk_gib),
            },
        },
        "spec": {
            "description": f"inferstack GPU pool {plan.key}: {', '.join(r.kind for r in plan.priorities)}",
            "priorities": [_rung(plan, rung) for rung in plan.priorities],
            "priorityDefaults": {"location": {"zones": list(plan.pool.zones)}},
            "nodePoolAutoCreation": {"enabled": True},
            "nodePoolConfig": node_config,
            "whenUnsatisfiable": "DoNotScaleUp",
            "activeMigration": {"optimizeRulePriority": plan.optimize_rule_priority},
        },
    }


def plan_autoprovisioning(spec: EnvironmentSpec) -> AutoprovisioningPlan | None:
    """Node auto-provisioning limits: every pool's `max` nodes (GPUs, vCPUs, memory) plus the system pool's."""
    if not uses_compute_classes(spec) or not spec.node_pools:
        return None
    machines = catalog.instance_types("gcp")
    system = plan_gke_system_pool(spec)
    system_type = machines[system.machine_type]
    cpu = system_type.vcpus * system.autoscaling.total_max
    memory = system_type.memory_gib * system.autoscaling.total_max
    gpus: dict[str, int] = {}
    zones: set[str] = set()
    disk = 0
    for key in sorted(spec.node_pools):
        plan = plan_gke_gpu_pool(spec, key)
        itype = machines[plan.machine_type]
        nodes = spec.node_pools[key].max
        cpu += itype.vcpus * nodes
        memory += itype.memory_gib * nodes
        if plan.accelerators is not None:
            kind = plan.accelerators.accelerator_type
            gpus[kind] = gpus.get(kind, 0) + plan.accelerators.count * nodes
        zones.update(plan.zones)
        disk = max(disk, plan.scheduling.disk_gib)
    # Node auto-provisioning counts memory in GB (10^9 bytes); the catalog's sizes are GiB.
    memory_gb = math.ceil(memory * GIB_IN_GB)
    limits = (("cpu", cpu), ("memory", memory_gb), *sorted(gpus.items()))
    return AutoprovisioningPlan(limits=limits, zones=tuple(sorted(zones)), disk_gib=disk)
