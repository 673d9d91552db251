"""Whether a spec model fits its pool's GPUs, and what would make it fit when it does not.

Every suggested change is one validation accepts: fp8 only on GPUs that run it and for checkpoints that are not already
quantized, AWQ/GPTQ only through a published checkpoint of that method the catalog records (named with the `source:`
to switch to, since vLLM reads the method from the checkpoint).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from inferstack import catalog
from inferstack.planning.capacity import (
    accelerator,
    spec_checkpoint,
    spec_model_shape,
)
from inferstack.planning.context import default_context
from inferstack.planning.engine_version import model_release, vllm_efficiency
from inferstack.planning.lora import spec_lora_gib
from inferstack.planning.precision import (
    FP8_MIN_CAPABILITY,
    compute_capability,
    engine_kv_cache_dtype,
    loaded_kept_16bit_params_b,
    loaded_quantization,
)
from inferstack.planning.sizing import (
    Efficiency,
    MemoryFit,
    Precision,
    Shape,
    memory_fit,
    precision,
    sampler_peak_gib,
)
from inferstack.spec.models import EnvironmentSpec, ModelSpec, tensor_parallel_of

TP_DEGREES = (1, 2, 4, 8)
# The max_num_seqs values a fit suggestion tries, largest first (each below the engine's current cap).
FEWER_SEQUENCES = (256, 128, 64)


@dataclass(frozen=True)
class Alternative:
    """One change that would make a model fit."""

    change: str
    need_gib: float
    offer_gib: float


def quantization_options(
    gpu_key: str, checkpoint_quantization: str | None, published: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(quantization, how to ask for it) that a model could switch to on this GPU: fp8 at load, or a published
    quantized checkpoint of the model (awq/gptq, or NVFP4 on a GPU with FP4 tensor cores), never a method its current
    checkpoint cannot load."""
    if checkpoint_quantization is not None:
        # A quantized checkpoint loads only its own method (validation refuses any other).
        return []
    options: list[tuple[str, str]] = []
    arch = compute_capability(gpu_key)
    if arch is None or arch[1] >= FP8_MIN_CAPABILITY:
        options.append(("fp8", "quantization: fp8"))
    for hub_id, method in sorted(published.items()):
        if method in ("awq", "gptq"):
            options.append((method, f"source: hf://{hub_id}@<revision> (its {method} checkpoint)"))
            break
    # NVFP4 runs anywhere from Turing (FP4 Marlin), but it is only offered where it multiplies natively.
    if catalog.gpus()[gpu_key].fp4_dense_tflops is not None:
        for hub_id, method in sorted(published.items()):
            if method == "modelopt_fp4":
                options.append((method, f"source: hf://{hub_id}@<revision> (its NVFP4 checkpoint)"))
                break
    return options


def fit_alternatives(
    shape: Shape,
    *,
    gpu_key: str,
    tp: int,
    max_tp: int,
    quantization: str | None,
    context: int,
    utilization: float,
    eff: Efficiency,
    quantizations: list[tuple[str, str]] | None = None,
    efficiency_of: Callable[[str], Efficiency] | None = None,
    kv_cache_dtype: str = "auto",
    kept_16bit_params_b: float = 0.0,
) -> list[Alternative]:
    """What would fit: a lower max_num_seqs, more tensor parallel (within `max_tp`), a larger GPU, or one of
    `quantizations`. `efficiency_of` gives another GPU's factors (its own default max_num_seqs); None: `eff`'s.
    Every option keeps the KV cache dtype, and the checkpoint's 16-bit layers where it keeps its own quantization."""
    out: list[Alternative] = []

    def check(change: str, gpu: str, degree: int, quant: str | None, engine: Efficiency = eff) -> bool:
        kept = kept_16bit_params_b if quant == quantization else 0.0
        acc, prec = accelerator(gpu, degree, quant), precision(shape, quant, kv_cache_dtype, kept)
        fit = memory_fit(shape, acc, prec, engine, context=context, utilization=utilization)
        if fit.fits:
            out.append(Alternative(change, fit.need_gib, fit.offer_gib))
        return fit.fits

    # The engine's sampler warm-up holds max_num_seqs rows of logits: fewer rows is a one-line change.
    if sampler_peak_gib(shape, eff) > eff.activation_gib:
        for seqs in (s for s in FEWER_SEQUENCES if s < eff.max_num_seqs):
            if check(f"max_num_seqs: {seqs}", gpu_key, tp, quantization, dataclasses.replace(eff, max_num_seqs=seqs)):
                break
    for degree in TP_DEGREES:
        where = "" if degree <= max_tp else f" on a pool with {degree} GPUs per node"
        if degree > tp and check(f"tensor_parallel: {degree}{where}", gpu_key, degree, quantization):
            break
    base = catalog.gpus()[gpu_key].memory_gib
    bigger = sorted((g.memory_gib, key) for key, g in catalog.gpus().items() if g.memory_gib > base)
    for _, key in bigger:
        engine = efficiency_of(key) if efficiency_of is not None else eff
        if check(f"a larger GPU ({tp}× {key})", key, tp, quantization, engine):
            break
    for quant, change in quantizations or []:
        if quant == quantization:
            continue
        if check(change, gpu_key, tp, quant):
            break
        # Quantization alone is not enough: say which tensor-parallel degree it needs.
        degrees = [d for d in TP_DEGREES if tp < d <= max_tp]
        if any(check(f"{change} with tensor_parallel: {d}", gpu_key, d, quant) for d in degrees):
            break
    return out


@dataclass(frozen=True)
class ModelFit:
    """A spec model's memory fit on its pool, with what it was computed from."""

    model: str
    shape_name: str
    gpu: str
    tp: int
    context: int
    precision: Precision
    utilization: float
    fit: MemoryFit
    alternatives: list[Alternative]


def _published(shape_name: str) -> Mapping[str, str]:
    """The quantized checkpoints the catalog records for a shape (none for an inline shape)."""
    found = catalog.model_shape(shape_name)
    return found[1].quantized.hub_ids if found is not None and found[1].quantized is not None else {}


def _model_efficiency(model: ModelSpec, gpu: str) -> Efficiency:
    """The factors a spec model runs with on a GPU: its image's release, and its own max_num_seqs where set (both
    decide how much the engine's profile pass holds back)."""
    eff = vllm_efficiency(gpu, model_release(model))
    return eff if model.max_num_seqs is None else dataclasses.replace(eff, max_num_seqs=model.max_num_seqs)


def spec_model_fit(spec: EnvironmentSpec, key: str) -> ModelFit | None:
    """The fit of one model on its pool; None when there is no GPU pool or no known shape to size it with."""
    model = spec.models[key]
    pool = spec.node_pools.get(model.pool) if model.pool else None
    if pool is None or pool.gpu not in catalog.gpus():
        return None
    found = spec_model_shape(model)
    if found is None:
        return None
    name, shape = found
    tp = tensor_parallel_of(model)
    context = default_context(model, shape.context)
    eff = _model_efficiency(model, pool.gpu)
    # GPU memory holds the loaded precision (fp8 at load halves a 16-bit checkpoint; an AWQ checkpoint stays 4-bit).
    checkpoint = spec_checkpoint(model, shape)
    quantization = loaded_quantization(checkpoint, model.quantization)
    kv_cache_dtype = engine_kv_cache_dtype(model.kv_cache_dtype, checkpoint)
    prec = precision(shape, quantization, kv_cache_dtype, loaded_kept_16bit_params_b(checkpoint, quantization))
    acc = accelerator(pool.gpu, tp, quantization)
    lora = spec_lora_gib(model, shape, tp)
    fit = memory_fit(shape, acc, prec, eff, context=context, utilization=model.gpu_memory_utilization, lora_gib=lora)
    alternatives = (
        []
        if fit.fits
        else fit_alternatives(
            shape,
            gpu_key=pool.gpu,
            tp=tp,
            max_tp=pool.gpus_per_node,
            quantization=quantization,
            context=context,
            utilization=model.gpu_memory_utilization,
            eff=eff,
            quantizations=quantization_options(pool.gpu, checkpoint.quantization, _published(name)),
            efficiency_of=lambda gpu: _model_efficiency(model, gpu),
            kv_cache_dtype=kv_cache_dtype,
            kept_16bit_params_b=prec.kept_16bit_params_b,
        )
    )
    return ModelFit(key, name, pool.gpu, tp, context, prec, model.gpu_memory_utilization, fit, alternatives)


def fit_message(result: ModelFit) -> tuple[str, str]:
    """The problem and the fix of a model that does not fit, as a SpecIssue message and fix."""
    fit, kept = result.fit, result.precision.kept_16bit_params_b
    bits = f"{result.precision.weight_bits:g} bits" + (f", {kept:g}B parameters at 16" if kept else "")
    problem = (
        f"{result.shape_name} needs {fit.need_gib:.1f} GiB per replica (weights {fit.weights_gib:.1f} GiB at "
        f"{bits}, KV cache {fit.kv_gib:.1f} GiB for one {result.context}-token "
        f"sequence, runtime {fit.overhead_gib:.1f} GiB"
        + (f", LoRA adapter slots {fit.lora_gib:.1f} GiB" if fit.lora_gib else "")
        + f") but {result.tp}× {result.gpu} offer {fit.offer_gib:.1f} GiB "
        f"at gpu_memory_utilization {result.utilization:g}"
    )
    options = [f"{alt.change} ({alt.need_gib:.0f} of {alt.offer_gib:.0f} GiB)" for alt in result.alternatives]
    options.append("a smaller max_model_len" if fit.kv_gib > 0 else "a smaller model")
    return problem, "would fit: " + "; or ".join(options)
