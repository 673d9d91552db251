"""Scale to zero that wakes: which models sleep at zero, how long a request is held, what a first request waits
and what sleeping saves.

The KEDA HTTP add-on (catalog `k8s_addons.yaml`, keda-add-ons-http) puts its interceptor in front of a sleeping
model: one InterceptorRoute per model routes the model's wake host names to the model's own Service and holds a
request until a replica is ready, for at most the route's readiness timeout (then 504). The model's one ScaledObject
gains an external-push trigger fed by the add-on's scaler, so a held request scales the Deployment from 0 to 1; the
queue-depth and KV-cache triggers keep scaling it out. Pure: plain numbers from the start-up model and the prices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.planning.cost_rows import HOURS_PER_MONTH
from inferstack.planning.existing_nodes import node_bounds
from inferstack.planning.fit import nodes_at, pool_models
from inferstack.planning.names import serving_namespace
from inferstack.planning.provisioning import reserved_nodes
from inferstack.planning.startup import StartupEstimate
from inferstack.spec.models import EnvironmentSpec, ModelSpec

# Names the chart gives its Services (`<chart name>-<service>`, kedacore/charts http-add-on templates at 0.15.0).
INTERCEPTOR_SERVICE = "keda-add-ons-http-interceptor-proxy"
INTERCEPTOR_PORT = 8080
SCALER_SERVICE = "keda-add-ons-http-external-scaler"
SCALER_PORT = 9090
# The interceptor pods' labels (templates/interceptor/deployment.yaml): what an engine's NetworkPolicy admits.
INTERCEPTOR_LABELS = {"app.kubernetes.io/component": "interceptor", "app.kubernetes.io/name": "http-add-on"}
# The held request's bound is rounded up to whole minutes.
ROUND_S = 60


def addon_namespace() -> str:
    """The namespace the HTTP add-on runs in (beside KEDA)."""
    return k8s_addons().charts["keda-add-ons-http"].namespace


def wakes(model: ModelSpec) -> bool:
    """Whether the model sleeps at zero replicas and a request wakes it."""
    return model.replicas.min == 0 and model.replicas.wake


def any_wakes(spec: EnvironmentSpec) -> bool:
    """Whether some model of the environment wakes on a request (the HTTP add-on is then installed)."""
    return any(wakes(model) for model in spec.models.values())


def wake_service_name(key: str) -> str:
    """The model's wake Service: a DNS name (ExternalName) for the interceptor, so clients call the model by name."""
    return f"{key}-wake"


def wake_hosts(key: str) -> list[str]:
    """The Host names the model's InterceptorRoute matches (the interceptor ignores the port in Host)."""
    short = f"{wake_service_name(key)}.{serving_namespace(key)}"
    return [short, f"{short}.svc", f"{short}.svc.cluster.local"]


def interceptor_address() -> str:
    """The interceptor proxy's in-cluster DNS name, which the wake Service points at."""
    return f"{INTERCEPTOR_SERVICE}.{addon_namespace()}.svc.cluster.local"


def scaler_address() -> str:
    """The add-on's external scaler (host:port) a ScaledObject's external-push trigger names."""
    return f"{SCALER_SERVICE}.{addon_namespace()}:{SCALER_PORT}"


def wake_timeout_s(start: StartupEstimate) -> int:
    """How long the interceptor holds a request: node boot and image pull with the safety factor, plus the probe.

    The startupProbe budget already covers weight load and warm-up times the safety factor; a sleeping model's pool
    may have no node left, so its boot and the image pull come first. Whole minutes, never below one.
    """
    before_probe = (start.node_boot_s + start.image_pull_s) * start.safety_factor
    return max(ROUND_S, math.ceil((before_probe + start.probe_budget_s) / ROUND_S) * ROUND_S)


@dataclass(frozen=True)
class WakePlan:
    """What sleeping at zero means for one model: the wait of a first request, its bound, and the saving."""

    model: str
    # Planned seconds from the first request to its answer starting: node boot when no node is left, then the start.
    first_request_s: float
    node_boots: bool
    timeout_s: int
    # Monthly USD of the nodes one warm replica would keep (0 when the pool keeps them anyway); None: unpriced.
    saving_usd_month: float | None
    # Nodes the warm replica would hold that a reservation pays for anyway: sleeping does not save them.
    reserved_nodes: int = 0

    def summary(self) -> str:
        """One line for people."""
        boot = "node boot + replica start" if self.node_boots else "replica start on a warm node"
        saved = (
            f"sitting at zero saves ${self.saving_usd_month:,.0f}/month against one warm replica"
            if self.saving_usd_month is not None
            else "saving not priced (no catalog price for the pool)"
        )
        if self.reserved_nodes:
            saved += (
                f" ({self.reserved_nodes} node(s) it would use are reserved capacity, billed whether used or not:"
                " sleeping does not save them)"
            )
        return (
            f"{self.model} sleeps at 0 replicas: a first request waits ≈ {self.first_request_s:.0f} s ({boot}), "
            f"held up to {self.timeout_s} s by the KEDA HTTP interceptor; {saved}"
        )


def node_saving(spec: EnvironmentSpec, key: str) -> tuple[bool, int, int]:
    """(whether a wake boots a node, billed nodes one warm replica would keep, of them the reserved ones).

    A pool that takes reservations first fills its first nodes from them; those are billed whether a replica runs
    or not, so a replica that would sit on one saves nothing by sleeping.
    """
    model = spec.models[key]
    pool = spec.node_pools.get(model.pool) if model.pool else None
    if pool is None:
        return False, 0, 0
    models = pool_models(spec).get(model.pool or "", [])
    floor = node_bounds(pool)[0]
    asleep = nodes_at(pool.gpus_per_node, models, at="min") or 0
    awake = nodes_at(pool.gpus_per_node, models, at="min", extra={key: 1}) or asleep
    # A node boots on a wake when the sleeping pool holds no room for the replica.
    boots = max(floor, asleep) < awake
    held = max(0, max(floor, awake) - max(floor, asleep))
    paid_anyway = max(0, min(max(floor, awake), reserved_nodes(pool)) - max(floor, asleep))
    return boots, held - paid_anyway, paid_anyway


def wake_plan(
    spec: EnvironmentSpec, key: str, start: StartupEstimate, node_usd_per_hour: float | None
) -> WakePlan | None:
    """The wake of one model from its planned start-up and its pool's node price; None when it does not wake."""
    model = spec.models[key]
    if not wakes(model):
        return None
    boots, nodes, reserved = node_saving(spec, key)
    first = (start.node_boot_s if boots else 0.0) + start.later_pod_s
    saving = nodes * node_usd_per_hour * HOURS_PER_MONTH if node_usd_per_hour is not None else None
    return WakePlan(key, first, boots, wake_timeout_s(start), saving, reserved)
