"""`gpu: auto` and `tensor_parallel: auto`: the cheapest catalog option that fits the model and meets its objectives.

A pool with `gpu: auto` serves exactly one model; its GPU kind, GPUs per node and instance type become those of
the option with the lowest GPU cost per million output tokens (at the model's `load`, or at capacity) among the
options offered in the stack's region and pool zones. A model with `tensor_parallel: auto` on a fixed pool gets
the divisor of the pool's GPUs per node with the lowest cost per token. Every choice carries its reason, which
`inferstack plan` and `validate` print. Pure and deterministic: same spec, same choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inferstack import catalog
from inferstack.planning.capacity import UnknownShape, spec_model_shape
from inferstack.planning.defaults import pool_zones
from inferstack.planning.serving import Price, Sizing, compare, size
from inferstack.planning.sizing import Shape
from inferstack.planning.spec_request import pool_price, request_for
from inferstack.spec.base import AUTO
from inferstack.spec.errors import ROOT, SpecIssue, join_path
from inferstack.spec.models import EnvironmentSpec, ModelSpec, NodePoolSpec, tensor_parallel_of


@dataclass(frozen=True)
class AutoChoice:
    """One value chosen for `auto`, and why."""

    path: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path} = {self.value}: {self.reason}"


@dataclass(frozen=True)
class AutoResolution:
    """The spec with every `auto` replaced (tensor_parallel always a number), the choices made, and the failures."""

    spec: EnvironmentSpec
    choices: list[AutoChoice] = field(default_factory=list)
    issues: list[SpecIssue] = field(default_factory=list)


def _describe(best: Sizing, options: int) -> str:
    price, capacity = best.price, best.capacity
    assert price is not None and capacity is not None
    per_million = best.usd_per_million_tokens or 0.0
    return (
        f"{best.request.gpu} ×{best.request.tp} per replica on {price.instance_type} ({price.capacity}, "
        f"${price.node_usd_per_hour:.2f}/h per node, {capacity.output_tokens_per_s:,.0f} output tokens/s per replica, "
        f"${per_million:.3f} per 1M output tokens) — the cheapest of {options} option(s) that fit and meet the "
        f"objectives (prices as of {price.as_of})"
    )


def _offered_in_pool_zones(spec: EnvironmentSpec, pool: NodePoolSpec, price: Price) -> bool:
    if spec.cloud == "kubernetes" or spec.region is None:
        return False
    itype = catalog.instance_types(spec.cloud).get(price.instance_type)
    offer = itype.regions.get(spec.region) if itype else None
    return offer is not None and bool(set(offer.zones) & set(pool_zones(spec, pool)))


def _known_shape(model: ModelSpec) -> tuple[str, Shape] | None:
    # An unknown shape key is reported by validation (check_model_shapes); here it only means "cannot choose".
    try:
        return spec_model_shape(model)
    except UnknownShape:
        return None


def _choose_pool(
    spec: EnvironmentSpec, key: str, pool: NodePoolSpec, model_key: str, model: ModelSpec, tp_auto: bool
) -> tuple[NodePoolSpec, ModelSpec, list[AutoChoice]] | SpecIssue:
    path = join_path(ROOT, "node_pools", key, "gpu")
    found = _known_shape(model)
    if found is None:
        return SpecIssue(
            path, f"gpu: auto needs the shape of model {model_key}", "add shape: to the model, or name a GPU"
        )
    spot = pool.capacity[0] == "spot"
    options = compare(request_for(model, found[1], gpu="", tp=1), cloud=spec.cloud, region=spec.region, spot=spot)
    options = [
        option
        for option in options
        if option.price is not None
        and (tp_auto or option.request.tp == tensor_parallel_of(model))
        and (pool.instance_type is None or option.price.instance_type == pool.instance_type)
        and ("gpus_per_node" not in pool.model_fields_set or option.price.gpus_per_node == pool.gpus_per_node)
        and _offered_in_pool_zones(spec, pool, option.price)
    ]
    if not options:
        return SpecIssue(
            path,
            f"no GPU in the {spec.cloud} catalog for {spec.region} fits model {model_key} and meets its objectives",
            "relax load objectives, allow tensor_parallel: auto, quantize, or pick another region",
        )
    best = options[0]
    assert best.price is not None
    chosen_pool = pool.model_copy(
        update={
            "gpu": best.request.gpu,
            "gpus_per_node": best.price.gpus_per_node,
            "instance_type": best.price.instance_type,
        }
    )
    chosen_model = model.model_copy(update={"tensor_parallel": best.request.tp})
    reason = _describe(best, len(options))
    choices = [AutoChoice(path, best.request.gpu, reason)]
    if tp_auto:
        choices.append(
            AutoChoice(join_path(ROOT, "models", model_key, "tensor_parallel"), str(best.request.tp), reason)
        )
    return chosen_pool, chosen_model, choices


def _choose_tp(
    spec: EnvironmentSpec, model_key: str, model: ModelSpec, pool: NodePoolSpec
) -> tuple[ModelSpec, AutoChoice] | SpecIssue:
    path = join_path(ROOT, "models", model_key, "tensor_parallel")
    found = _known_shape(model)
    if found is None or pool_price(spec, pool, 1) is None:
        return SpecIssue(path, "tensor_parallel: auto needs a known model shape and a catalog pool", "set a number")
    sized = []
    for tp in (d for d in range(1, pool.gpus_per_node + 1) if pool.gpus_per_node % d == 0):
        price = pool_price(spec, pool, tp)
        result = size(request_for(model, found[1], gpu=pool.gpu, tp=tp), price, spec.cloud)
        if result.fit.fits and result.capacity is not None:
            sized.append(result)
    if not sized:
        return SpecIssue(
            path,
            f"model {model_key} fits no tensor-parallel degree on the {pool.gpus_per_node}× {pool.gpu} nodes",
            "use a pool with more or larger GPUs, or quantize",
        )
    best = min(sized, key=lambda s: (s.usd_per_million_tokens or float("inf"), s.request.tp))
    return model.model_copy(update={"tensor_parallel": best.request.tp}), AutoChoice(
        path, str(best.request.tp), _describe(best, len(sized))
    )


def resolve_auto(spec: EnvironmentSpec) -> AutoResolution:
    """Replace `gpu: auto` and `tensor_parallel: auto` by chosen values; what cannot be chosen becomes an issue."""
    auto_pools = [key for key, pool in spec.node_pools.items() if pool.gpu == AUTO]
    tp_auto = frozenset(key for key, model in spec.models.items() if model.tensor_parallel == AUTO)
    if not auto_pools and not tp_auto:
        return AutoResolution(spec)
    pools, models = dict(spec.node_pools), dict(spec.models)
    choices: list[AutoChoice] = []
    issues: list[SpecIssue] = []
    for key in auto_pools:
        users = sorted(name for name, model in models.items() if model.pool == key)
        if len(users) != 1 or spec.cloud == "kubernetes" or spec.region is None:
            issues.append(
                SpecIssue(
                    join_path(ROOT, "node_pools", key, "gpu"),
                    f"gpu: auto needs a cloud region and exactly one model on the pool (got {len(users)})",
                    "name a GPU, or give the pool exactly one model",
                )
            )
            continue
        outcome = _choose_pool(spec, key, pools[key], users[0], models[users[0]], users[0] in tp_auto)
        if isinstance(outcome, SpecIssue):
            issues.append(outcome)
            continue
        pools[key], models[users[0]], chosen = outcome
        choices += chosen
    spec = spec.model_copy(update={"node_pools": pools, "models": models})
    for model_key in sorted(tp_auto):
        model = models[model_key]
        pool = pools.get(model.pool or "")
        if pool is None or pool.gpu == AUTO or any(c.path.endswith(f"{model_key}.tensor_parallel") for c in choices):
            continue  # no pool (reported by the checks) or already chosen together with its pool
        outcome = _choose_tp(spec, model_key, model, pool)
        if isinstance(outcome, SpecIssue):
            issues.append(outcome)
            continue
        models[model_key], choice = outcome
        choices.append(choice)
    # What is left had no choice to make (a model without a pool, e.g. the CPU engine on cloud: kubernetes)
    # or failed with an issue above: 1 GPU per replica, so the checks see a number and the spec has no `auto`.
    for model_key in tp_auto:
        if models[model_key].tensor_parallel == AUTO:
            models[model_key] = models[model_key].model_copy(update={"tensor_parallel": 1})
    return AutoResolution(spec.model_copy(update={"models": models}), choices, issues)
