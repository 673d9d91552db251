"""Served models: on an existing pool, with a fitting engine and parallelism, and fitting in GPU memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from inferstack import catalog
from inferstack.planning import capacity, model_fit
from inferstack.planning.kv_range import kv_capacity_range
from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec, ModelShapeSpec, tensor_parallel_of
from inferstack.validation.common import field_path, suggest
from inferstack.validation.precision import context_issue


def check_models(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Each model runs on an existing pool with an engine that fits it, and its numbers are consistent."""
    for name, model in spec.models.items():
        base = ("models", name)
        if model.replicas.min > model.replicas.max:
            yield SpecIssue(
                field_path(*base, "replicas", "max"),
                f"must be ≥ min (got {model.replicas.max} < {model.replicas.min})",
                "raise max or lower min",
            )
        if model.image is not None and model.image.rsplit("/", 1)[-1].endswith(":latest"):
            yield SpecIssue(field_path(*base, "image"), "the tag latest is not pinned", "use a version tag or a digest")
        if model.engine == "vllm-cpu" and spec.cloud == "kubernetes":
            yield from _cpu_model_issues(spec, name)
            continue
        if model.engine == "vllm-cpu":
            yield SpecIssue(
                field_path(*base, "engine"), "vllm-cpu is for cloud: kubernetes", "use engine: vllm on a GPU pool"
            )
        # On an existing cluster the GPU nodes are described, not created: the fix says so.
        add = "describe your GPU nodes under node_pools (existing:)" if spec.cloud == "kubernetes" else None
        if model.pool is None:
            yield SpecIssue(
                field_path(*base, "pool"),
                "is required: name the node pool that runs the model",
                suggest("", spec.node_pools) if spec.node_pools else add or "add a node pool under node_pools",
            )
            continue
        pool = spec.node_pools.get(model.pool)
        if pool is None:
            yield SpecIssue(
                field_path(*base, "pool"),
                f"no node pool named {model.pool!r}",
                suggest(model.pool, spec.node_pools) if spec.node_pools else add or "add it under node_pools",
            )
            continue
        tp = tensor_parallel_of(model)
        if tp > pool.gpus_per_node or pool.gpus_per_node % tp:
            yield SpecIssue(
                field_path(*base, "tensor_parallel"),
                f"{tp} does not divide the {pool.gpus_per_node} GPUs per node of pool {model.pool}",
                "use a divisor of gpus_per_node, or a pool with more GPUs per node",
            )


def _cpu_model_issues(spec: EnvironmentSpec, name: str) -> Iterator[SpecIssue]:
    """The CPU engine runs on an existing cluster's ordinary nodes, on one device, never on a GPU pool."""
    model, base = spec.models[name], ("models", name)
    if model.pool is not None:
        yield SpecIssue(
            field_path(*base, "pool"), "the CPU engine runs on the cluster's CPU nodes, not a GPU pool", "remove it"
        )
    if tensor_parallel_of(model) != 1:
        yield SpecIssue(field_path(*base, "tensor_parallel"), "the CPU engine runs on one device", "use 1")


def check_model_shapes(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Every model's shape is known (on every cloud: the manifests size the pod from it) and self-consistent."""
    for name, model in spec.models.items():
        path = ("models", name, "shape")
        if isinstance(model.shape, str) and catalog.model_shape(model.shape) is None:
            yield SpecIssue(
                field_path(*path),
                f"unknown model shape {model.shape!r}",
                suggest(model.shape, catalog.model_shapes()),
            )
        if isinstance(model.shape, ModelShapeSpec):
            yield from shape_issues(model.shape, *path)


def shape_issues(shape: ModelShapeSpec, *path: str) -> Iterator[SpecIssue]:
    """The problems of one set of shape numbers (a stack's inline `shape:` or `inferstack size --shape`)."""
    if shape.active_params_b is not None and shape.active_params_b > shape.params_b:
        yield SpecIssue(
            field_path(*path, "active_params_b"),
            f"{shape.active_params_b:g}B active parameters are more than the {shape.params_b:g}B in total",
            "active_params_b counts the parameters used per token (MoE): at most params_b, or leave it out",
        )
    yield from expert_issues(shape, *path)
    if shape.kv_heads > shape.attention_heads or shape.attention_heads % shape.kv_heads:
        # Grouped-query attention shares each KV head among a whole number of query heads.
        yield SpecIssue(
            field_path(*path, "kv_heads"),
            f"{shape.kv_heads} KV heads do not divide the {shape.attention_heads} attention heads",
            "copy num_key_value_heads and num_attention_heads from the model's config.json",
        )
    if shape.head_dim is None and shape.hidden_size < shape.attention_heads:
        yield SpecIssue(
            field_path(*path, "hidden_size"),
            f"{shape.hidden_size} is smaller than the {shape.attention_heads} attention heads",
            "copy hidden_size from the model's config.json, or give head_dim",
        )
    if shape.sliding_layers and shape.sliding_window is None:
        yield SpecIssue(
            field_path(*path, "sliding_layers"),
            "is set but sliding_window is not: without a window no layer slides",
            "add sliding_window (config.json's sliding_window), or remove sliding_layers",
        )
    if shape.sliding_layers is not None and shape.sliding_layers > shape.layers:
        yield SpecIssue(
            field_path(*path, "sliding_layers"),
            f"{shape.sliding_layers} sliding layers are more than the {shape.layers} layers",
            "count the sliding_attention entries of config.json's layer_types (at most layers)",
        )
    if shape.qk_rope_head_dim is not None and shape.kv_lora_rank is None:
        yield SpecIssue(
            field_path(*path, "qk_rope_head_dim"),
            "is part of a latent-attention (MLA) cache, but kv_lora_rank is not set",
            "add kv_lora_rank from config.json, or remove qk_rope_head_dim",
        )


def expert_issues(shape: ModelShapeSpec, *path: str) -> Iterator[SpecIssue]:
    """A MoE's routed-expert count must fit inside its total and leave the active parameters room."""
    experts = shape.expert_params_b
    if experts is None:
        return
    fix = (
        "count the routed experts from config.json (MoE layers x experts x 3 x hidden_size x moe_intermediate_size, "
        "in billions), or leave expert_params_b out"
    )
    if shape.active_params_b is None:
        yield SpecIssue(field_path(*path, "expert_params_b"), "is set but active_params_b is not (a dense model)", fix)
    elif experts > shape.params_b:
        yield SpecIssue(
            field_path(*path, "expert_params_b"),
            f"{experts:g}B of routed experts are more than the {shape.params_b:g}B in total",
            fix,
        )
    elif shape.params_b - experts - shape.vocab_size * shape.hidden_size / 1e9 > shape.active_params_b + 0.05:
        # What is not a routed expert (less the input embedding, a lookup) every token multiplies by.
        yield SpecIssue(
            field_path(*path, "active_params_b"),
            f"{shape.active_params_b:g}B active parameters are fewer than the "
            f"{shape.params_b - experts:g}B that are not routed experts",
            fix,
        )


def check_model_fit(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Each GPU model fits its pool: weights, one full-length sequence's KV cache and the runtime."""
    for name in spec.models:
        try:
            result = model_fit.spec_model_fit(spec, name)
        except capacity.UnknownShape:
            continue  # check_model_shapes reports it
        # A context the engine refuses is its own issue (check_context): memory advice for it would mislead.
        if result is not None and not result.fit.fits and context_issue(spec.models[name]) is None:
            problem, fix = model_fit.fit_message(result)
            yield SpecIssue(field_path("models", name), problem, fix)


def warn_tight_fit(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """A model whose one full-length sequence fits only if vLLM's runtime memory stays near its estimate.

    vLLM refuses to start when the KV cache cannot hold one sequence of max_model_len ("To serve at least one request
    with the models's max seq len ..."); the runtime's own memory per GPU is an estimate with a range
    (efficiency.yaml's runtime estimate ± runtime_overhead_spread_gib).
    """
    spread = catalog.efficiency().factors.runtime_overhead_spread_gib.value
    for name in spec.models:
        try:
            result = model_fit.spec_model_fit(spec, name)
        except capacity.UnknownShape:
            continue
        if result is None or not result.fit.fits:
            continue
        fit = result.fit
        if kv_capacity_range(fit, result.tp)[0] < 1:
            yield SpecWarning(
                field_path("models", name),
                f"one {result.context}-token sequence needs {fit.kv_per_sequence_gib:.1f} GiB of KV cache and "
                f"{fit.kv_budget_gib:.1f} GiB is left after weights and the estimated runtime: if vLLM's runtime takes "
                f"{spread:g} GiB more per GPU than estimated, it refuses to start (its max seq len does not fit the "
                "KV cache)",
                "lower max_model_len, raise gpu_memory_utilization, raise tensor_parallel, or use a larger GPU",
            )
