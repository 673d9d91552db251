"""Sizing with the catalog's facts: model shapes, GPUs, efficiency factors and a spec's models.

`sizing.py` holds the arithmetic; this module turns catalog entries and spec fields into its inputs and
answers the questions the spec check, `inferstack size` and the cost model ask.
"""

from __future__ import annotations

from inferstack import catalog
from inferstack.catalog.schema import ModelShape
from inferstack.planning.cuda_graphs import engine_defaults
from inferstack.planning.precision import (
    Checkpoint,
    checkpoint_of,
    engine_dtype,
    stored_weights_gb,
)
from inferstack.planning.sizing import (
    Accelerator,
    Efficiency,
    Precision,
    Shape,
    weight_bytes,
)
from inferstack.spec.models import ModelShapeSpec, ModelSpec


class UnknownShape(ValueError):
    """A model names a shape key the catalog does not have."""


def shape_of(entry: ModelShape | ModelShapeSpec) -> Shape:
    """The sizing shape of a catalog entry or an inline spec shape."""
    head_dim = entry.head_dim or entry.hidden_size // entry.attention_heads
    return Shape(
        params_b=entry.params_b,
        active_params_b=entry.active_params_b,
        expert_params_b=entry.expert_params_b,
        layers=entry.layers,
        hidden_size=entry.hidden_size,
        attention_heads=entry.attention_heads,
        kv_heads=entry.kv_heads,
        head_dim=head_dim,
        context=entry.context,
        weight_bits=entry.weight_bits,
        sliding_window=entry.sliding_window,
        sliding_layers=sliding_layers_of(entry),
        kv_lora_rank=entry.kv_lora_rank,
        qk_rope_head_dim=entry.qk_rope_head_dim or 0,
        vocab_size=entry.vocab_size,
        tie_word_embeddings=entry.tie_word_embeddings,
    )


def sliding_layers_of(entry: ModelShape | ModelShapeSpec) -> int:
    """How many layers slide: the count given (at most every layer), else all of them when there is a window."""
    if entry.sliding_window is None:
        return 0
    # A count above the layers is reported by the spec check (check_model_shapes); capping it here keeps the other
    # checks, which size the model meanwhile, from failing on it.
    return entry.layers if entry.sliding_layers is None else min(entry.sliding_layers, entry.layers)


def hub_id(source: str) -> str:
    """The org/name of a pinned `hf://org/name@rev` source."""
    return source.removeprefix("hf://").split("@", 1)[0]


def model_shape(name: str) -> tuple[str, Shape] | None:
    """A shape by catalog key or hub id, with the catalog key; None when unknown."""
    found = catalog.model_shape(name)
    return (found[0], shape_of(found[1])) if found else None


def spec_model_shape(model: ModelSpec) -> tuple[str, Shape] | None:
    """A model's shape: its `shape` (catalog key or inline), else its hub id; None when the hub id is unknown."""
    if isinstance(model.shape, ModelShapeSpec):
        return "inline shape", shape_of(model.shape)
    if isinstance(model.shape, str):
        found = model_shape(model.shape)
        if found is None:
            raise UnknownShape(model.shape)
        return found
    return model_shape(hub_id(model.source))


def default_efficiency(gpu: str | None = None) -> Efficiency:
    """The catalog's efficiency factors (for one GPU type when `gpu` names it)."""
    table = catalog.efficiency()
    per_gpu = table.gpus.get(gpu) if gpu is not None else None
    link = table.interconnects[per_gpu.interconnect if per_gpu is not None else "nvlink"]
    return Efficiency(
        mbu=per_gpu.decode_mbu if per_gpu is not None else table.factors.decode_mbu.value,
        step_overhead_s=table.factors.step_overhead_s.value,
        # The pinned engine schedules asynchronously (v0.14 on): host work overlaps the GPU (efficiency.yaml).
        sequence_overhead_s=table.factors.v1_sequence_overhead_s.value,
        overlap_sequence_overhead=True,
        request_latency_s=table.factors.v1_request_latency_s.value,
        request_latency_per_token_rate=table.factors.v1_request_latency_per_token_rate.value,
        allreduce_latency_s=link.allreduce_latency_s,
        link_gbps=link.link_gbps,
        prefill_stall=table.factors.prefill_stall.value,
        # The pinned engine is vLLM V1: prefill chunks ride in the decode steps (efficiency.yaml prefill_stall).
        piggyback_prefill=True,
        moe_gemm=table.factors.moe_gemm.value,
        moe_serial=table.factors.moe_serial.value,
        moe_layer_s=table.factors.moe_layer_floor_s.value,
        marlin_moe_serial=table.factors.moe_serial.value * (1 - table.factors.marlin_moe_overlap.value),
        int4_gemm=table.factors.int4_gemm.value,
        attention_in_kv_dtype=True,
        kernels_in_sequence=True,
        batched_tokens=per_gpu.max_num_batched_tokens if per_gpu is not None else None,
        prefill_mfu=table.factors.prefill_mfu.value,
        decode_mfu=table.factors.decode_mfu.value,
        overhead_gib=table.factors.runtime_non_torch_gib.value,
        overhead_tp_gib=(per_gpu.non_torch_tp_gib if per_gpu is not None else None) or link.non_torch_gib,
        activation_gib=table.factors.activation_peak_gib.value,
        # The pinned release sorts the logits in its sampler pass (the Triton top-k/top-p arrived in v0.17).
        sampler_bytes=table.factors.sampler_warmup_bytes.value,
        max_num_seqs=engine_defaults(gpu)[0],
        reserved_gib=table.factors.cuda_reserved_gib.value,
        tp_efficiency=dict(table.tensor_parallel.efficiency),
    )


def engine_max_num_seqs(gpu: str) -> int:
    """vLLM's default cap on running sequences on this GPU type (256 when the catalog does not say)."""
    return engine_defaults(gpu)[0]


def accelerator(gpu_key: str, tp: int = 1, quantization: str | None = None) -> Accelerator:
    """The replica's GPUs; FP8 (FP4) weights compute at the FP8 (FP4) rate where the GPU has such tensor cores."""
    gpu = catalog.gpus()[gpu_key]
    low = {"fp8": gpu.fp8_dense_tflops, "modelopt_fp4": gpu.fp4_dense_tflops}.get(quantization or "")
    tflops = low or gpu.bf16_dense_tflops or gpu.fp16_dense_tflops
    return Accelerator(
        gpu=gpu_key,
        memory_gib=gpu.memory_gib,
        bandwidth_gbps=gpu.memory_bandwidth_gbps,
        tflops=tflops,
        count=tp,
        fp8_tensor_cores=gpu.fp8_dense_tflops is not None,
        fp4_tensor_cores=gpu.fp4_dense_tflops is not None,
        tflops_16bit=gpu.bf16_dense_tflops or gpu.fp16_dense_tflops,
        tflops_fp8=gpu.fp8_dense_tflops,
        compute_capability=gpu.arch.compute_capability if gpu.arch is not None else None,
    )


def weights_gb(shape: Shape, prec: Precision) -> float:
    """Size of the weights in GB (10^9 bytes) at a precision (the stored size is `precision.stored_weights_gb`)."""
    return weight_bytes(shape, prec) / 1e9


def spec_checkpoint(model: ModelSpec, shape: Shape) -> Checkpoint:
    """The checkpoint a spec model's source names (quantized or not)."""
    return checkpoint_of(hub_id(model.source), shape)


def spec_stored_weights_gb(model: ModelSpec) -> float | None:
    """GB staging copies for a spec model (its loaded checkpoint, duplicate formats skipped); None: shape unknown."""
    found = spec_model_shape(model)
    return stored_weights_gb(found[1], spec_checkpoint(model, found[1])) if found is not None else None


def spec_engine_dtype(model: ModelSpec, gpu: str | None) -> str:
    """The --dtype a spec model's engine is given on a GPU (see `precision.engine_dtype`)."""
    name = model.shape if isinstance(model.shape, str) else None if model.shape is not None else hub_id(model.source)
    found = catalog.model_shape(name) if name is not None else None
    return engine_dtype(model.dtype, gpu, found[1].torch_dtype if found is not None else None)
