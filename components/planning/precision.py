"""Precision against hardware and checkpoint: what the engine runs, what the bucket stores, what the GPU holds.

Facts from vLLM's source (read at vllm-project/vllm main, 2026-12-01; the pinned image is v0.16.0):
- bfloat16 needs compute capability ≥ 8.0: the CUDA platform raises "Bfloat16 is only supported on GPUs with compute
  capability of at least 8.0" for an explicit `--dtype bfloat16`; with `--dtype auto` `_resolve_auto_dtype` falls
  back to the platform's first supported dtype (float16 on a T4) with a warning.
- fp8 (`Fp8Config.get_min_capability` = 80) runs natively from 8.9 and weight-only through Marlin kernels on 8.0-8.6;
  below 8.0 vLLM refuses the method.
- A checkpoint with a `quantization_config` is loaded with that method; `--quantization` naming another one fails.
- fp8 on an unquantized checkpoint quantizes at load: the bucket stores, and a replica reads, the 16-bit weights.
- modelopt_fp4 (`ModelOptNvFp4Config`, vLLM 0.16.0 wheel, read 2026-12-03) loads only an NVFP4 checkpoint
  (quantization_config quant_method "modelopt" with an NVFP4 quant_algo); its minimum capability is 7.5. The linear
  backend is FlashInfer's or vLLM's CUTLASS FP4 GEMM on Blackwell (`select_nvfp4_linear_backend`), else FP4 Marlin
  (`is_fp4_marlin_supported`: capability ≥ 7.5), which dequantizes the weights for 16-bit activations.
"""

from __future__ import annotations

from dataclasses import dataclass

from inferstack import catalog
from inferstack.planning.sizing import FOUR_BIT, NVFP4_BITS, Shape

BF16_MIN_CAPABILITY = 8.0
FP8_MIN_CAPABILITY = 8.0
FP8_NATIVE_CAPABILITY = 8.9
# Bits per stored parameter of a quantized checkpoint.
CHECKPOINT_BITS = {
    "awq": FOUR_BIT,
    "gptq": FOUR_BIT,
    "fp8": 8.0,
    "fbgemm_fp8": 8.0,
    "modelopt": 8.0,
    "modelopt_fp4": NVFP4_BITS,
}
A_CHECKPOINT = {
    "awq": "an AWQ",
    "gptq": "a GPTQ",
    "fp8": "an FP8",
    "fbgemm_fp8": "a Meta fbgemm_fp8",
    "modelopt": "a ModelOpt FP8",
    "modelopt_fp4": "an NVFP4 (ModelOpt)",
}
# Methods that load only a checkpoint already quantized with them (fp8 also quantizes a 16-bit checkpoint at load).
PREQUANTIZED_ONLY = ("awq", "gptq", "modelopt_fp4")
# A checkpoint method vLLM runs like one the planner sizes (and a stack may not request: vLLM reads it from the config).
SIZED_AS = {"fbgemm_fp8": "fp8", "modelopt": "fp8"}


@dataclass(frozen=True)
class Checkpoint:
    """The weights as published: their quantization (None: unquantized) and bits per stored parameter."""

    hub_id: str
    quantization: str | None
    stored_bits: float
    # Linear-layer parameters (billions) the quantized checkpoint stores at 16 bits (modules_to_not_convert).
    kept_16bit_params_b: float = 0.0
    # The KV-cache dtype vLLM resolves `--kv-cache-dtype auto` to for it (a ModelOpt kv_cache_quant_algo, see
    # planning/modelopt.py); None: the model's own dtype.
    kv_cache_dtype: str | None = None


def checkpoint_of(hub_id: str, shape: Shape) -> Checkpoint:
    """The checkpoint a hub id names: a known quantized one, else the shape's own (unquantized) weights."""
    method = catalog.checkpoint_quantization(hub_id)
    if method is None:
        return Checkpoint(hub_id, None, shape.weight_bits)
    kept, embedded = catalog.checkpoint_kept_16bit_params_b(hub_id), shape.embedding_params_b
    rest = shape.params_b - kept
    # Every method leaves the embeddings and lm_head 16-bit: the stored bits of the rest average them in.
    bits = ((rest - embedded) * CHECKPOINT_BITS[method] + embedded * 16) / rest
    return Checkpoint(hub_id, method, bits, kept, catalog.checkpoint_kv_cache_dtype(hub_id))


def engine_kv_cache_dtype(requested: str, checkpoint: Checkpoint) -> str:
    """The KV-cache dtype the engine keeps: the requested one, or for `auto` the one the checkpoint names."""
    return checkpoint.kv_cache_dtype if requested == "auto" and checkpoint.kv_cache_dtype else requested


def loaded_kept_16bit_params_b(checkpoint: Checkpoint, loaded: str | None) -> float:
    """The checkpoint's 16-bit linear layers when the engine runs its own quantization (0 for another method)."""
    own = sized_method(checkpoint.quantization)
    return checkpoint.kept_16bit_params_b if loaded is not None and loaded == own else 0.0


def loaded_quantization(checkpoint: Checkpoint, requested: str | None) -> str | None:
    """The quantization the engine runs, as the planner sizes it: the requested one, else the checkpoint's own (vLLM
    reads it from config; fbgemm_fp8 runs as fp8)."""
    return requested if requested is not None else sized_method(checkpoint.quantization)


def sized_method(method: str | None) -> str | None:
    """The planner's method for a checkpoint's stored one (fbgemm_fp8 is sized as fp8)."""
    return SIZED_AS.get(method, method) if method is not None else None


def stored_weights_gb(shape: Shape, checkpoint: Checkpoint) -> float:
    """GB (10^9 bytes) the checkpoint stores: what the bucket holds, staging copies and a replica reads at start."""
    return stored_gb(shape.params_b, checkpoint.stored_bits, checkpoint.kept_16bit_params_b)


def stored_gb(params_b: float, stored_bits: float, kept_16bit_params_b: float = 0.0) -> float:
    """GB stored for `params_b` billion parameters: the kept 16-bit layers at 2 bytes, the rest at `stored_bits`."""
    return (params_b - kept_16bit_params_b) * stored_bits / 8 + kept_16bit_params_b * 2


def compute_capability(gpu: str) -> tuple[str, float] | None:
    """(architecture, compute capability) of a catalog GPU; None when the catalog does not record it."""
    entry = catalog.gpus().get(gpu)
    if entry is None or entry.arch is None:
        return None
    return entry.arch.architecture, entry.arch.compute_capability


def engine_dtype(requested: str, gpu: str | None, checkpoint_dtype: str | None) -> str:
    """The --dtype the engine is given: `auto` resolved as vLLM would where it would fall back, else as asked."""
    arch = compute_capability(gpu) if gpu is not None else None
    if requested == "auto" and checkpoint_dtype == "bfloat16" and arch is not None and arch[1] < BF16_MIN_CAPABILITY:
        # vLLM casts to float16 here anyway; saying so in the manifest keeps the plan and the engine in agreement.
        return "float16"
    return requested


def dtype_problem(dtype: str, gpu: str, *, flags: bool = False) -> tuple[str, str] | None:
    """(problem, fix) when the GPU cannot run the dtype; None when it can or its capability is unknown."""
    arch = compute_capability(gpu)
    if dtype != "bfloat16" or arch is None or arch[1] >= BF16_MIN_CAPABILITY:
        return None
    name, cc = arch
    return (
        f"bfloat16 needs compute capability ≥ {BF16_MIN_CAPABILITY:.1f} (Ampere or newer); {gpu} is {name} "
        f"{cc:g} and supports float16 only: vLLM refuses to start",
        "use --dtype float16 (or auto, which runs float16 here), or an Ampere or newer --gpu"
        if flags
        else "use dtype: float16 (or auto, which runs float16 here), or a pool with an Ampere or newer GPU",
    )


def quantization_problem(
    quantization: str | None, gpu: str | None, checkpoint: Checkpoint, *, flags: bool = False
) -> tuple[str, str] | None:
    """(problem, fix) when the quantization does not match the checkpoint or the GPU; None when it runs.

    `flags` words the fix for `inferstack size` (--model, --dtype) instead of the stack file.
    """
    stored = checkpoint.quantization
    if quantization is None:
        return None
    if stored is not None and stored != quantization:
        other = A_CHECKPOINT[quantization]
        # A method vLLM only reads from the config (fbgemm_fp8) cannot be asked for: leaving it out is the fix.
        own = f"{stored} (or auto)" if stored not in SIZED_AS else "auto"
        return (
            f"{checkpoint.hub_id} is {A_CHECKPOINT[stored]} checkpoint: vLLM loads it with {stored} and refuses "
            f"{quantization}",
            f"use --dtype {own}, or a --model that is {other} checkpoint"
            if flags
            else (
                f"use quantization: {stored} (or leave it out)" if stored not in SIZED_AS else "leave quantization out"
            )
            + f", or a source that is {other} checkpoint",
        )
    # Only a checkpoint the catalog knows is known to be unquantized; an unknown one may be either.
    if quantization in PREQUANTIZED_ONLY and stored is None and catalog.model_shape(checkpoint.hub_id) is not None:
        return (
            f"{quantization} loads only {A_CHECKPOINT[quantization]} checkpoint and {checkpoint.hub_id} is unquantized",
            _quantized_fix(checkpoint.hub_id, quantization, flags),
        )
    arch = compute_capability(gpu) if gpu is not None else None
    if quantization == "fp8" and arch is not None and arch[1] < FP8_MIN_CAPABILITY:
        name, cc = arch
        return (
            f"fp8 needs compute capability ≥ {FP8_MIN_CAPABILITY:.1f} (native from {FP8_NATIVE_CAPABILITY:.1f}, Ada or "
            f"Hopper; weight-only on Ampere); {gpu} is {name} {cc:.1f}: vLLM refuses the method",
            ("use --dtype awq or gptq with a quantized --model, or an Ampere or newer --gpu")
            if flags
            else "use quantization: awq or gptq with a quantized checkpoint, or a pool with an Ampere or newer GPU",
        )
    return None


def kv_cache_dtype_problem(
    kv_cache_dtype: str, gpu: str | None, *, cpu: bool = False, flags: bool = False
) -> tuple[str, str] | None:
    """(problem, fix) when the engine cannot keep an fp8 KV cache on this GPU; None when it can or it is unknown.

    vLLM's CUDA attention backends store fp8 KV from compute capability 8.9 (FlashAttention 3 on Hopper, Triton and
    FlashInfer on Ada and Blackwell); Ampere and Turing have no fp8 attention path in the default backends.
    """
    if kv_cache_dtype == "auto":
        return None
    fix = "use --kv-cache-dtype auto" if flags else "use kv_cache_dtype: auto"
    if cpu:
        return "the CPU engine keeps its KV cache in the model dtype", fix
    arch = compute_capability(gpu) if gpu is not None else None
    if arch is None or arch[1] >= FP8_NATIVE_CAPABILITY:
        return None
    name, cc = arch
    return (
        f"an {kv_cache_dtype} KV cache needs compute capability ≥ {FP8_NATIVE_CAPABILITY:.1f} (Ada, Hopper or newer); "
        f"{gpu} is {name} {cc:g}: vLLM's attention backends there have no fp8 KV path",
        f"{fix}, or " + ("an Ada or newer --gpu" if flags else "a pool with an Ada or newer GPU"),
    )


def _quantized_fix(hub_id: str, quantization: str, flags: bool) -> str:
    found = catalog.model_shape(hub_id)
    published = found[1].quantized if found is not None else None
    options = sorted(
        name for name, method in (published.hub_ids if published else {}).items() if method == quantization
    )
    fp8 = "--dtype fp8" if flags else "quantization: fp8"
    if options:
        use = f"--model {options[0]}" if flags else f"source: hf://{options[0]}@<revision>"
        return f"use {use} (a published {quantization} checkpoint), or {fp8} (quantizes at load)"
    none = "the catalog records none of this model"
    return f"use {A_CHECKPOINT[quantization]} checkpoint ({none}), or {fp8} (quantizes at load)"
