"""Context and precision against the model and the hardware: what vLLM would refuse at start is refused here.

- `max_model_len` above the model's context limit (planning/context.py);
- `dtype` the pool's GPU cannot run, `quantization` that does not match the checkpoint or the GPU, an fp8
  `kv_cache_dtype` the GPU's attention kernels cannot store (planning/precision.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from inferstack import catalog
from inferstack.planning.capacity import UnknownShape, spec_checkpoint, spec_model_shape
from inferstack.planning.context import context_problem, spec_model_context
from inferstack.planning.precision import dtype_problem, kv_cache_dtype_problem, quantization_problem
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec, ModelSpec
from inferstack.validation.common import field_path


def context_issue(model: ModelSpec) -> tuple[str, str] | None:
    """(problem, fix) when a model's max_model_len is above its context limit."""
    if model.max_model_len is None:
        return None
    return context_problem(model.max_model_len, spec_model_context(model))


def check_context(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """No model asks for more context than vLLM accepts for it."""
    for name, model in spec.models.items():
        problem = context_issue(model)
        if problem is not None:
            yield SpecIssue(field_path("models", name, "max_model_len"), *problem)


def check_precision(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Each model's dtype runs on its pool's GPU and its quantization matches its checkpoint and GPU."""
    for name, model in spec.models.items():
        pool = spec.node_pools.get(model.pool) if model.pool else None
        gpu = pool.gpu if pool is not None and pool.gpu in catalog.gpus() else None
        if gpu is not None and (problem := dtype_problem(model.dtype, gpu)):
            yield SpecIssue(field_path("models", name, "dtype"), *problem)
        if problem := kv_cache_dtype_problem(model.kv_cache_dtype, gpu, cpu=model.engine == "vllm-cpu"):
            yield SpecIssue(field_path("models", name, "kv_cache_dtype"), *problem)
        try:
            found = spec_model_shape(model)
        except UnknownShape:
            continue  # reported by check_model_fit
        if found is None:
            continue
        problem = quantization_problem(model.quantization, gpu, spec_checkpoint(model, found[1]))
        if problem is not None:
            yield SpecIssue(field_path("models", name, "quantization"), *problem)
