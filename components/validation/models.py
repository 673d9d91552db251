"""Served models: on an existing pool, with a fitting engine and parallelism, and fitting in GPU memory."""

from __future__ import annotations

from collections.abc import Iterable

from inferstack import catalog
from inferstack.planning import capacity
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec, tensor_parallel_of
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
        if spec.cloud == "kubernetes":
            if model.engine != "vllm-cpu":
                yield SpecIssue(
                    field_path(*base, "engine"),
                    f"{model.engine} needs a GPU pool, which cloud: kubernetes does not manage yet",
                    "use engine: vllm-cpu",
                )
            if model.pool is not None:
                yield SpecIssue(field_path(*base, "pool"), "cloud: kubernetes has no node pools", "remove it")
            if tensor_parallel_of(model) != 1:
                yield SpecIssue(field_path(*base, "tensor_parallel"), "the CPU engine runs on one device", "use 1")
            continue
        if model.engine == "vllm-cpu":
            yield SpecIssue(
                field_path(*base, "engine"), "vllm-cpu is for cloud: kubernetes", "use engine: vllm on a GPU pool"
            )
        if model.pool is None:
            yield SpecIssue(
                field_path(*base, "pool"),
                "is required: name the node pool that runs the model",
                suggest("", spec.node_pools) if spec.node_pools else "add a node pool under node_pools",
            )
            continue
        pool = spec.node_pools.get(model.pool)
        if pool is None:
            yield SpecIssue(
                field_path(*base, "pool"),
                f"no node pool named {model.pool!r}",
                suggest(model.pool, spec.node_pools) if spec.node_pools else "add it under node_pools",
            )
            continue
        tp = tensor_parallel_of(model)
        if tp > pool.gpus_per_node or pool.gpus_per_node % tp:
            yield SpecIssue(
                field_path(*base, "tensor_parallel"),
                f"{tp} does not divide the {pool.gpus_per_node} GPUs per node of pool {model.pool}",
                "use a divisor of gpus_per_node, or a pool with more GPUs per node",
            )


def check_model_fit(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Each GPU model fits its pool: weights, one full-length sequence's KV cache and the runtime."""
    for name, model in spec.models.items():
        try:
            result = capacity.spec_model_fit(spec, name)
        except capacity.UnknownShape:
            yield SpecIssue(
                field_path("models", name, "shape"),
                f"unknown model shape {model.shape!r}",
                suggest(str(model.shape), catalog.model_shapes()),
            )
            continue
        # A context the engine refuses is its own issue (check_context): memory advice for it would mislead.
        if result is not None and not result.fit.fits and context_issue(model) is None:
            problem, fix = capacity.fit_message(result)
            yield SpecIssue(field_path("models", name), problem, fix)
