"""Capacity: the models' replicas fit their pool's nodes, the planned load fits the replicas, objectives are met.

Errors are stacks a cluster could never run as written; warnings are stacks that run, with a consequence the
author should know (a first replica waiting for a node, no replica at all, rollouts that stop a replica first).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from inferstack import catalog
from inferstack.planning.existing_nodes import node_bounds
from inferstack.planning.fit import PoolModel, load_fit, nodes_at, pool_models, replicas_per_node, surge_fits
from inferstack.planning.gateway import gateway_enabled, route_table
from inferstack.planning.names import serving_namespace
from inferstack.planning.wake import INTERCEPTOR_PORT, wake_service_name, wakes
from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec, NodePoolSpec
from inferstack.validation.common import field_path


def _replicas(models: list[PoolModel], at: str) -> str:
    parts = [f"{m.min if at == 'min' else m.max}× {m.key} (tensor_parallel {m.tp})" for m in models]
    return ", ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def check_capacity(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Every model's replicas.max fits its pool's max nodes, and its planned load fits its replicas.max."""
    for pool_key, models in pool_models(spec).items():
        pool = spec.node_pools[pool_key]
        if _miscounted(spec, pool):
            continue
        yield from _check_pool_max(pool_key, pool, models)
    for key in sorted(spec.models):
        yield from _check_load(spec, key)


def _miscounted(spec: EnvironmentSpec, pool: NodePoolSpec) -> bool:
    """`existing:` on a cloud, or missing on kubernetes: no node count to check (check_existing_nodes says so)."""
    return (spec.cloud == "kubernetes") != (pool.existing is not None)


def _max_field(pool: NodePoolSpec) -> str:
    """The field that bounds a pool's nodes: `max`, or `existing.nodes` for nodes the cluster already has."""
    return "existing.nodes" if pool.existing is not None else "max"


def _check_pool_max(pool_key: str, pool: NodePoolSpec, models: list[PoolModel]) -> Iterable[SpecIssue]:
    if any(m.tp > pool.gpus_per_node or m.min > m.max for m in models):
        return  # the parallelism and bounds rules report these
    needed = nodes_at(pool.gpus_per_node, models, at="max")
    most = node_bounds(pool)[1]
    if needed is None or needed <= most:
        return
    gpus = f"{pool.gpus_per_node} GPUs per node"
    bound = _max_field(pool)
    if len(models) == 1:
        (model,) = models
        per_node = replicas_per_node(pool.gpus_per_node, model.tp)
        fits = per_node * most
        yield SpecIssue(
            field_path("models", model.key, "replicas", "max"),
            f"{model.max} replicas of tensor_parallel {model.tp} need {_plural(needed, 'node')} of pool {pool_key} "
            f"({gpus}, {_plural(per_node, 'replica')} per node) but its {bound} is {most}",
            f"raise node_pools.{pool_key}.{bound} to {needed}, lower replicas.max to {fits}, "
            "or use a node with more GPUs per node",
        )
        return
    yield SpecIssue(
        field_path("node_pools", pool_key, *bound.split(".")),
        f"at replicas.max its models ({_replicas(models, 'max')}) need {_plural(needed, 'node')} ({gpus}) "
        f"but {bound} is {most}",
        f"raise {bound} to {needed}, lower the models' replicas.max, or use a node with more GPUs per node",
    )


def _check_load(spec: EnvironmentSpec, key: str) -> Iterable[SpecIssue]:
    model = spec.models[key]
    result = load_fit(spec, key)
    if result is None or model.load is None:
        return
    pool = spec.node_pools[model.pool or ""]
    where = f"{model.tensor_parallel}× {pool.gpu}"
    if result.best is not None:
        best, goals = result.best, result.objectives
        if goals.met_by(best):
            yield SpecIssue(
                field_path("models", key, "load"),
                f"one request of {model.load.prompt_tokens + model.load.output_tokens} tokens does not fit the KV "
                f"cache of a replica on {where}",
                "shorten prompt_tokens/output_tokens, raise tensor_parallel, or use a larger GPU",
            )
            return
        wanted = [f"ttft_ms {goals.ttft_s * 1000:g}" if goals.ttft_s else "", ""]
        wanted[1] = f"tpot_ms {goals.tpot_s * 1000:g}" if goals.tpot_s else ""
        yield SpecIssue(
            field_path("models", key, "load"),
            f"no replica on pool {model.pool} ({where}) meets {' and '.join(w for w in wanted if w)}: the best one "
            f"does is ttft {best.ttft_s * 1000:.0f} ms and tpot {best.tpot_s * 1000:.1f} ms (one request at a time)",
            "relax ttft_ms/tpot_ms, raise tensor_parallel, or use a faster GPU",
        )
        return
    needed, each = result.replicas_needed, result.per_replica
    if needed is None or each is None or needed <= model.replicas.max:
        return
    yield SpecIssue(
        field_path("models", key, "replicas", "max"),
        f"the planned load of {result.requests_per_s:g} req/s needs {needed} replicas "
        f"({result.requests_per_s / needed:.2f} req/s each on {where} at TTFT {each.ttft_s * 1000:,.0f} ms, TPOT "
        f"{each.tpot_s * 1000:,.1f} ms) but replicas.max is {model.replicas.max}",
        f"raise replicas.max to {needed} (and the pool's max to hold them), lower load.requests_per_second, "
        "or use a faster GPU",
    )


def _split_names(spec: EnvironmentSpec, key: str) -> list[str]:
    """The served names of a model that the gateway splits with another model by weight."""
    return [name for name, targets in route_table(spec).items() if len(targets) > 1 and key in {t.key for t in targets}]


def warn_capacity(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """Scale to zero, a first replica that waits for a node to boot, and rollouts that stop a replica first."""
    for key, model in sorted(spec.models.items()):
        if model.replicas.min == 0 and not wakes(model):
            yield SpecWarning(
                field_path("models", key, "replicas", "min"),
                "0 replicas with wake: false: requests fail until something scales the model up",
                "remove wake: false to hold requests while a replica starts, or set min: 1 to keep one serving",
            )
        elif wakes(model) and model.load_balancer is not None:
            # The load balancer's Service selects the engine pods: with none running it has no endpoint to send to.
            yield SpecWarning(
                field_path("models", key, "load_balancer"),
                f"the load balancer reaches replicas directly and does not wake the model at 0 replicas; "
                f"in-cluster clients wake it through http://{wake_service_name(key)}.{serving_namespace(key)}.svc:"
                f"{INTERCEPTOR_PORT}",
                "call the wake address (or a gateway in front of it), or set min: 1 to keep the load balancer serving",
            )
        shared = _split_names(spec, key) if wakes(model) and gateway_enabled(spec) else []
        if shared:
            # The gateway wakes a sleeping model through the interceptor only on names it alone serves; a weighted
            # split sends each revision's share to its Service, whose endpoints are the engine pods: none at zero.
            yield SpecWarning(
                field_path("models", key, "replicas", "min"),
                f"the inference gateway splits {', '.join(shared)} between revisions through their Services, which do "
                "not wake the model at 0 replicas: that share fails until a replica runs; in-cluster clients wake it "
                f"through http://{wake_service_name(key)}.{serving_namespace(key)}.svc:{INTERCEPTOR_PORT}",
                "set min: 1 on a model in a weighted split, or end the split",
            )
    for pool_key, models in pool_models(spec).items():
        pool = spec.node_pools[pool_key]
        if _miscounted(spec, pool) or any(m.tp > pool.gpus_per_node or m.min > m.max for m in models):
            continue
        needed_min = nodes_at(pool.gpus_per_node, models, at="min")
        needed_max = nodes_at(pool.gpus_per_node, models, at="max")
        least, most = node_bounds(pool)
        if needed_max is None or needed_max > most or needed_min is None:
            continue  # check_capacity reports it
        if needed_min > least:
            yield SpecWarning(
                field_path("node_pools", pool_key, "min"),
                f"its models start with {_replicas(models, 'min')} on {_plural(needed_min, 'node')}, but "
                f"the pool keeps {pool.min}: the first replicas wait for the autoscaler to boot a node"
                f"{_boot_time(spec)}",
                f"set min: {needed_min} to keep the nodes warm (they are billed while idle), or accept the wait",
            )
        for model in models:
            if not surge_fits(spec, model.key):
                yield SpecWarning(
                    field_path("models", model.key, "replicas", "max"),
                    f"pool {pool_key} is full at replicas.max, so a rollout stops one replica before starting its "
                    "successor (maxSurge 0, maxUnavailable 1): one replica fewer serves during each step"
                    + (", none while it runs 1 replica" if model.min <= 1 else ""),
                    f"raise node_pools.{pool_key}.{_max_field(pool)} to {_surge_nodes(pool, models, model)} to roll "
                    "out with a surge replica",
                )


def _boot_time(spec: EnvironmentSpec) -> str:
    factor = catalog.efficiency().startup.node_ready_s.get(spec.cloud)
    return f" (about {math.ceil(factor.value / 60)} min on {spec.cloud})" if factor else ""


def _surge_nodes(pool: NodePoolSpec, models: list[PoolModel], model: PoolModel) -> int:
    return nodes_at(pool.gpus_per_node, models, at="max", extra={model.key: 1}) or node_bounds(pool)[1] + 1
