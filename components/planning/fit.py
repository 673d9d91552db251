"""How a pool's models fit on its nodes: replicas per node, nodes needed, and the rollout strategy that fits.

A replica takes `tensor_parallel` GPUs of one node and the same share of the node's CPU and memory
(`k8s/placement.py`), so GPUs are the resource that binds: replicas that fit a node's GPUs fit its CPU and
memory too (`tests/k8s` checks this for every catalog GPU type). Replicas are packed first-fit decreasing,
which is exact when the tensor-parallel degrees divide one another (1, 2, 4, 8 do) and an upper bound otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from inferstack import catalog
from inferstack.planning.capacity import accelerator, spec_model_shape
from inferstack.planning.engine_version import vllm_efficiency
from inferstack.planning.existing_nodes import node_bounds
from inferstack.planning.serving import size
from inferstack.planning.sizing import precision
from inferstack.planning.spec_request import request_for
from inferstack.planning.throughput import Objectives, Performance, performance
from inferstack.spec.models import EnvironmentSpec, tensor_parallel_of


@dataclass(frozen=True)
class Rollout:
    """A Deployment's RollingUpdate bounds: extra replicas started, replicas stopped, during a rollout."""

    max_surge: int = 1
    max_unavailable: int = 0

    def strategy(self) -> dict[str, object]:
        """The Deployment `strategy` block."""
        return {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": self.max_unavailable, "maxSurge": self.max_surge},
        }


# Start the new replica before stopping an old one: no capacity is lost while a rollout runs.
SURGE = Rollout(max_surge=1, max_unavailable=0)
# Stop one old replica first, then start its successor: the only order that needs no spare GPUs.
REPLACE = Rollout(max_surge=0, max_unavailable=1)


@dataclass(frozen=True)
class PoolModel:
    """One model on a pool: its GPUs per replica and its replica bounds."""

    key: str
    tp: int
    min: int
    max: int


def replicas_per_node(gpus_per_node: int, tp: int) -> int:
    """Replicas of `tp` GPUs each that one node of `gpus_per_node` GPUs holds."""
    return gpus_per_node // tp if tp > 0 else 0


def nodes_needed(gpus_per_node: int, replicas: Iterable[tuple[int, int]]) -> int | None:
    """Nodes that hold `(tp, count)` replicas, packed first-fit decreasing; None if a replica fits no node."""
    sizes = sorted((tp for tp, count in replicas for _ in range(count)), reverse=True)
    if any(tp > gpus_per_node or tp <= 0 for tp in sizes):
        return None
    free: list[int] = []
    for tp in sizes:
        for index, room in enumerate(free):
            if room >= tp:
                free[index] = room - tp
                break
        else:
            free.append(gpus_per_node - tp)
    return len(free)


def pool_models(spec: EnvironmentSpec) -> dict[str, list[PoolModel]]:
    """The models of each node pool (pools without models are absent), in model-key order."""
    out: dict[str, list[PoolModel]] = {}
    for key, model in sorted(spec.models.items()):
        if model.pool is None or model.pool not in spec.node_pools:
            continue
        tp = tensor_parallel_of(model)
        out.setdefault(model.pool, []).append(PoolModel(key, tp, model.replicas.min, model.replicas.max))
    return out


def nodes_at(
    gpus_per_node: int, models: Iterable[PoolModel], *, at: str, extra: Mapping[str, int] | None = None
) -> int | None:
    """Nodes the models need with every one at its `min` or `max` replicas (plus `extra` replicas per key)."""
    more = extra or {}
    counts = [(m.tp, (m.min if at == "min" else m.max) + more.get(m.key, 0)) for m in models]
    return nodes_needed(gpus_per_node, counts)


def surge_fits(spec: EnvironmentSpec, key: str) -> bool:
    """Whether one surge replica of the model still finds GPUs while every model of its pool is at max."""
    model = spec.models[key]
    pool = spec.node_pools.get(model.pool) if model.pool else None
    if pool is None:
        return True
    needed = nodes_at(pool.gpus_per_node, pool_models(spec)[model.pool or ""], at="max", extra={key: 1})
    return needed is not None and needed <= node_bounds(pool)[1]


def rollout_strategy(spec: EnvironmentSpec, key: str) -> Rollout:
    """Surge when a surge replica fits at max scale; otherwise replace one replica at a time (never stuck)."""
    # A surge replica that finds no GPU stays Pending, and with maxUnavailable 0 the rollout never finishes.
    return SURGE if surge_fits(spec, key) else REPLACE


@dataclass(frozen=True)
class LoadFit:
    """What a model's planned `load` asks of its pool: replicas needed, or the best latency when none suffices."""

    requests_per_s: float
    objectives: Objectives
    # One replica at its share of the rate (open loop); None when no replica meets the objectives, and then `best`
    # is what one replica does at its lowest latency.
    per_replica: Performance | None
    replicas_needed: int | None
    best: Performance | None


def load_fit(spec: EnvironmentSpec, key: str) -> LoadFit | None:
    """The sizing of a model's `load` on its pool; None without a load, a GPU pool or a known shape."""
    model = spec.models[key]
    pool = spec.node_pools.get(model.pool) if model.pool else None
    if model.load is None or pool is None or pool.gpu not in catalog.gpus():
        return None
    found = spec_model_shape(model)
    if found is None:
        return None
    shape, tp = found[1], tensor_parallel_of(model)
    request = request_for(model, shape, gpu=pool.gpu, tp=tp)
    sized = size(request, None, spec.cloud)
    if not sized.fit.fits:
        return None  # the memory-fit rule reports it
    if sized.capacity is not None:
        # The open-loop sizing says what each replica does at its share of the rate (what `size --rps` prints).
        each = sized.load.per_replica if sized.load is not None else sized.capacity
        return LoadFit(model.load.requests_per_second, request.objectives, each, sized.replicas, None)
    # Latency only grows with concurrency: one request at a time is the best a replica can do.
    best = performance(
        shape,
        accelerator(pool.gpu, tp, request.quantization),
        precision(shape, request.quantization, request.kv_cache_dtype, request.kept_16bit_params_b),
        vllm_efficiency(pool.gpu, request.vllm_release),
        prompt=request.prompt,
        output=request.output,
        concurrency=1,
    )
    return LoadFit(model.load.requests_per_second, request.objectives, None, None, best)
