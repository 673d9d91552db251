"""The planned serving of a spec's models: replicas for their load (or at max), tokens/s and GPU cost.

The token lines of `inferstack cost`; each model is sized on its own pool with `serving.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from inferstack import catalog
from inferstack.planning.capacity import spec_model_shape
from inferstack.planning.model_startup import spec_model_startup
from inferstack.planning.serving import DEFAULT_OUTPUT, DEFAULT_PROMPT, size
from inferstack.planning.spec_request import pool_price, request_for
from inferstack.planning.startup import StartupEstimate, StoreKind
from inferstack.planning.wake import WakePlan, wake_plan, wakes
from inferstack.spec.models import EnvironmentSpec, tensor_parallel_of


@dataclass(frozen=True)
class ModelServing:
    """Planned serving of one spec model: replicas for its load (or at max), tokens/s and GPU cost."""

    model: str
    shape: str
    basis: str
    replicas: int
    replicas_needed: int | None
    output_tokens_per_s: float
    gpu_usd_per_hour: float
    usd_per_million_tokens: float | None
    startup_probe_s: int
    startup: dict[str, object]
    warning: str = ""


def spec_serving(spec: EnvironmentSpec) -> list[ModelServing]:
    """For each GPU model with a known shape: the planned load (or capacity at max replicas) and its GPU cost."""
    out: list[ModelServing] = []
    for key, model in spec.models.items():
        pool = spec.node_pools.get(model.pool) if model.pool else None
        found = spec_model_shape(model) if pool is not None else None
        if pool is None or found is None or pool.gpu not in catalog.gpus():
            continue
        name, shape = found
        load = model.load
        tp = tensor_parallel_of(model)
        request = request_for(model, shape, gpu=pool.gpu, tp=tp, store=model_store_kind(spec))
        price = pool_price(spec, pool, tp)
        sized = size(request, price, spec.cloud)
        if sized.capacity is None:
            continue
        warning = ""
        if load is not None:
            needed = sized.replicas or 1
            replicas = min(max(needed, model.replicas.min), model.replicas.max)
            tokens = min(load.requests_per_second, replicas * sized.capacity.requests_per_s) * load.output_tokens
            basis = f"planned load {load.requests_per_second:g} req/s"
            if needed > model.replicas.max:
                warning = f"needs {needed} replicas for its load, replicas.max is {model.replicas.max}"
        else:
            needed = None
            replicas = model.replicas.max
            tokens = replicas * sized.capacity.output_tokens_per_s
            basis = f"capacity at {replicas} replicas ({DEFAULT_PROMPT} in / {DEFAULT_OUTPUT} out)"
        gpu_hour = price.replica_usd_per_hour * replicas if price else 0.0
        out.append(
            ModelServing(
                model=key,
                shape=name,
                basis=basis,
                replicas=replicas,
                replicas_needed=needed,
                output_tokens_per_s=tokens,
                gpu_usd_per_hour=gpu_hour,
                usd_per_million_tokens=gpu_hour / (tokens * 3600) * 1e6 if price and tokens else None,
                startup_probe_s=sized.startup.probe_budget_s,
                startup=sized.startup.to_dict(),
                warning=warning,
            )
        )
    return out


def model_store_kind(spec: EnvironmentSpec) -> StoreKind:
    """Where replicas read weights: the environment's bucket, or a local cache volume (no bucket, or kubernetes)."""
    return "bucket" if spec.model_store.bucket and spec.cloud != "kubernetes" else "local"


def compile_cache_models(spec: EnvironmentSpec) -> tuple[str, ...]:
    """The models whose replicas persist their compile cache in the bucket (their pool's cold_start.compile_cache)."""
    if model_store_kind(spec) != "bucket":
        return ()
    pools = {name for name, pool in spec.node_pools.items() if pool.cold_start.compile_cache}
    return tuple(sorted(key for key, model in spec.models.items() if model.pool in pools))


def spec_startups(spec: EnvironmentSpec) -> dict[str, StartupEstimate]:
    """The start-up of every model with a known shape: the numbers `cost` prints and the startupProbe renders."""
    out: dict[str, StartupEstimate] = {}
    for key, model in spec.models.items():
        pool = spec.node_pools.get(model.pool) if model.pool else None
        cold = pool.cold_start if pool is not None else None
        estimate = spec_model_startup(model, model_store_kind(spec), spec.cloud, cold, pool.gpu if pool else None)
        if estimate is not None:
            out[key] = estimate
    return out


def spec_wakes(spec: EnvironmentSpec) -> list[WakePlan]:
    """Every model that sleeps at zero and wakes: its first request's wait, the hold bound and the monthly saving."""
    startups = spec_startups(spec)
    out: list[WakePlan] = []
    for key, model in sorted(spec.models.items()):
        pool = spec.node_pools.get(model.pool) if model.pool else None
        if key not in startups or not wakes(model):
            continue
        price = pool_price(spec, pool, tensor_parallel_of(model)) if pool is not None else None
        plan = wake_plan(spec, key, startups[key], price.node_usd_per_hour if price is not None else None)
        if plan is not None:
            out.append(plan)
    return out
