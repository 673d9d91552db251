"""Capacity of one model replica on one GPU type: shapes, precision, efficiency factors, memory fit, KV capacity.

Pure arithmetic on plain dataclasses, no catalog and no cloud. The time model is in `step_time.py` (one forward
pass) and `throughput.py` (a replica at a concurrency); every time there is the physical roofline divided by the
efficiency factors here, plus fixed costs, so a prediction is never faster than the hardware;
`Efficiency.physical()` gives the roofline itself.

Units: parameters in billions, memory in GiB (2**30 bytes), bandwidth in GB/s, compute in TFLOPS, time in s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

# Shape, Precision and the KV-cache bytes live in their own modules (model_shape.py, kv_cache.py); importing them
# here keeps `from inferstack.planning.sizing import Shape` working for existing callers.
from inferstack.planning.kv_cache import kv_bytes_per_token as kv_bytes_per_token
from inferstack.planning.model_shape import Precision as Precision
from inferstack.planning.model_shape import Shape as Shape

GIB = float(2**30)
# AWQ/GPTQ store 4-bit weights plus a scale (and zero) per group of 128: ~4.25 bits per parameter.
FOUR_BIT = 4.25
# NVFP4 (ModelOpt's modelopt_fp4): a 4-bit E2M1 value per weight and one FP8 E4M3 scale per group of 16 (vLLM's
# ModelOptNvFp4Config group_size default), plus a per-tensor FP32 scale too small to count.
NVFP4_BITS = 4.5
# vLLM methods that quantize the linear layers only (the embedding and lm_head keep the checkpoint's 16-bit dtype).
LINEAR_ONLY_METHODS = frozenset({"fp8", "awq", "gptq", "modelopt_fp4"})
# The dtype a quantization method leaves the embedding and lm_head in (the BF16/FP16 checkpoint's).
UNQUANTIZED_BITS = 16.0


@dataclass(frozen=True)
class Accelerator:
    """The GPUs of one replica: one GPU type times the tensor-parallel degree."""

    gpu: str
    memory_gib: float
    bandwidth_gbps: float
    tflops: float
    count: int = 1
    # False on GPUs without FP8 tensor cores (Ampere, Turing): FP8 weights run weight-only there (FP8 Marlin).
    fp8_tensor_cores: bool = True
    # True on GPUs with FP4 tensor cores (Blackwell): NVFP4 weights multiply natively there, elsewhere weight-only.
    fp4_tensor_cores: bool = False
    # Peak dense TFLOPS per GPU at 16 bits and at FP8 (None: unknown, or no FP8 tensor cores). `tflops` is the rate
    # of the weights' GEMMs; attention multiplies queries by the KV cache, at the KV dtype's rate (see step_time).
    tflops_16bit: float | None = None
    tflops_fp8: float | None = None
    # CUDA compute capability (None: unknown): vLLM picks some kernels by it (Marlin below 9.0 for MXFP4 experts).
    compute_capability: float | None = None


@dataclass(frozen=True)
class Efficiency:
    """Factors that turn the physical roofline into an achievable time (each ≤ 1) and the runtime's memory."""

    mbu: float
    prefill_mfu: float
    decode_mfu: float
    # GPU memory per GPU outside weights, KV cache and the profile pass's activations (CUDA context, allocator
    # reserve); with tensor parallel `overhead_tp_gib` instead (NCCL and custom all-reduce buffers), where set.
    overhead_gib: float
    tp_efficiency: Mapping[int, float] = field(default_factory=lambda: {1: 1.0})
    overhead_tp_gib: float | None = None
    # The engine sizes its KV cache after a profile pass: the forward pass at the token budget (`activation_gib` at
    # its peak), then the sampler on `max_num_seqs` rows of logits (`sampler_bytes` per row and vocabulary entry).
    # The larger of the two peaks is held back from the KV cache; 0 on the roofline.
    activation_gib: float = 0.0
    sampler_bytes: float = 0.0
    max_num_seqs: int = 0
    # GPU memory the CUDA runtime's total leaves out of the driver's (the engine's share is of the runtime's); 0 on
    # the roofline.
    reserved_gib: float = 0.0
    # Fixed time of every forward pass (scheduler, sampling, kernel launches), seconds; 0 on the roofline.
    step_overhead_s: float = 0.0
    # CPU time per running sequence in every decode step that the GPU waits for (vLLM before 0.6 ran scheduling,
    # input preparation and output processing between steps); 0 on the roofline and for engines that overlap it.
    sequence_overhead_s: float = 0.0
    # True when that CPU work runs while the GPU computes the step (vLLM 0.6's asynchronous output processing and
    # multi-step scheduling): the step takes the longer of the two, not their sum.
    overlap_sequence_overhead: bool = False
    # Tensor parallel: latency of one all-reduce (two per layer per pass) and the bus bandwidth per GPU (GB/s);
    # None: communication is free (the roofline).
    allreduce_latency_s: float = 0.0
    link_gbps: float | None = None
    # Share of prefill time that is not hidden inside memory-bound decode steps (chunked prefill mixes them):
    # 1 adds prefill and decode, 0 overlaps them perfectly (the roofline).
    prefill_stall: float = 0.0
    # True when prefill chunks ride in the decode steps (vLLM V1's chunked prefill, Sarathi-Serve's piggybacking): a
    # prompt then costs what its tokens add to a pass that reads the weights anyway, not `prefill_stall` of a pass.
    piggyback_prefill: bool = False
    # GEMM efficiency grouped expert kernels keep against dense ones, and weight-only int4 kernels (dequantization
    # in the matmul) against 16-bit ones, when compute-bound; 1 on the roofline.
    moe_gemm: float = 1.0
    # Share of the shorter of a grouped expert GEMM's weight stream and its math that adds to the longer (fused MoE
    # kernels overlap the two less than dense GEMMs do): 1 sums them, 0 takes the larger (the roofline).
    moe_serial: float = 0.0
    # moe_serial where the experts run through vLLM's Marlin MoE kernel (weight-only AWQ/GPTQ, FP8 without FP8 tensor
    # cores, MXFP4 below compute capability 9.0); None: moe_serial.
    marlin_moe_serial: float | None = None
    # Fixed time of one MoE layer's expert kernels in every pass (routing, token alignment, the two grouped GEMM
    # launches, activation, combine), on top of streaming the experts it touches; 0 on the roofline.
    moe_layer_s: float = 0.0
    int4_gemm: float = 1.0
    # Latency a lone request's first token pays outside the GPU passes (the API server's request handling, the
    # trip to the engine core and back, streaming the token); 0 on the roofline.
    request_latency_s: float = 0.0
    # What the token stream of the other running sequences adds to that latency, in s per output token/s: one API
    # server streams every running sequence's tokens between the engine core and the clients, and a new request's
    # handling and first token queue behind that work, which grows with the tokens it streams a second.
    request_latency_per_token_rate: float = 0.0
    # True when attention is a kernel of its own between the GEMMs of a layer (every engine's forward pass): its KV
    # reads cannot hide behind the GEMMs' math, so a step is the GEMMs' roofline plus attention's. False on the
    # roofline, where one fused pass could overlap every read with every multiply.
    kernels_in_sequence: bool = False
    # True when attention runs at the KV cache's precision (FlashAttention multiplies in the model dtype; FP8 only
    # with an fp8 KV cache); False on the roofline, where attention may use the GPU's fastest tensor cores.
    attention_in_kv_dtype: bool = False
    # Forward steps per scheduler call (vLLM 0.6's --num-scheduler-steps): a request that arrives while the batch
    # runs is scheduled when the run in flight ends; 1 on the roofline and in the engines inferstack deploys.
    steps_per_schedule: int = 1
    # The engine's token budget per pass (vLLM --max-num-batched-tokens): a longer prompt prefills in chunks, one
    # pass each; None: one pass per prompt (the roofline).
    batched_tokens: int | None = None

    @classmethod
    def physical(cls) -> Efficiency:
        """The roofline itself: every unit at peak, no fixed costs, perfect tensor-parallel scaling and overlap.

        Prefill rides in the decode steps (one weight read serves both), the fastest schedule there is.
        """
        return cls(
            mbu=1.0, prefill_mfu=1.0, decode_mfu=1.0, overhead_gib=0.0, tp_efficiency={1: 1.0}, piggyback_prefill=True
        )

    def tp(self, degree: int) -> float:
        """Share of the ideal speed-up kept at this TP degree (the nearest tabulated degree below it)."""
        known = [d for d in self.tp_efficiency if d <= degree]
        return self.tp_efficiency[max(known)] if known else 1.0


# vLLM --kv-cache-dtype values that store one byte per element ("auto" keeps the model dtype, 2 bytes).
FP8_KV_DTYPES = frozenset({"fp8", "fp8_e4m3", "fp8_e5m2"})


def precision(
    shape: Shape, quantization: str | None, kv_cache_dtype: str = "auto", kept_16bit_params_b: float = 0.0
) -> Precision:
    """Weight bits from the quantization (else the checkpoint's own) and KV bytes (2, or 1 for an fp8 cache).

    `kept_16bit_params_b`: linear-layer parameters (billions) the quantized checkpoint leaves at 16 bits.
    """
    if quantization == "fp8":
        bits = 8.0
    elif quantization in ("awq", "gptq"):
        bits = FOUR_BIT
    elif quantization == "modelopt_fp4":
        bits = NVFP4_BITS
    else:
        bits = shape.weight_bits
    kv = 1.0 if kv_cache_dtype in FP8_KV_DTYPES else 2.0
    weight_only = quantization in ("awq", "gptq") or (quantization is None and shape.weight_bits < 8)
    # vLLM's fp8, AWQ, GPTQ and ModelOpt FP4 methods quantize the linear layers only: the embedding and lm_head keep
    # the 16-bit dtype of the checkpoint (Fp8Config and ModelOptNvFp4Config.get_quant_method return a method for
    # LinearBase and FusedMoE only; the lm_head is a ParallelLMHead, an embedding).
    linear_only = quantization in LINEAR_ONLY_METHODS
    embedding = UNQUANTIZED_BITS if linear_only and shape.vocab_size else None
    return Precision(
        weight_bits=bits,
        kv_bytes=kv,
        int4_weights=weight_only,
        embedding_bits=embedding,
        fp8_weights=quantization == "fp8",
        marlin_method=quantization in ("awq", "gptq"),
        fp4_weights=quantization == "modelopt_fp4",
        kept_16bit_params_b=kept_16bit_params_b if linear_only else 0.0,
    )


def embedding_bytes(prec: Precision, params_b: float) -> float:
    """Bytes of `params_b` billion embedding/lm_head parameters at the precision they are stored in."""
    return params_b * 1e9 * (prec.embedding_bits or prec.weight_bits) / 8


def weight_bytes(shape: Shape, prec: Precision) -> float:
    """Bytes of all weights of the model (the embedding and lm_head at their own bits when they are not quantized)."""
    embedded, kept = shape.embedding_params_b, prec.kept_16bit_params_b
    quantized = (shape.params_b - embedded - kept) * 1e9 * prec.weight_bits / 8
    return quantized + kept * 1e9 * UNQUANTIZED_BITS / 8 + embedding_bytes(prec, embedded)


@dataclass(frozen=True)
class MemoryFit:
    """Memory per replica: what is needed for `concurrency` sequences of `context` tokens and what is offered."""

    weights_gib: float
    kv_per_sequence_gib: float
    kv_gib: float
    overhead_gib: float
    need_gib: float
    offer_gib: float
    max_sequences: int
    # LoRA adapter slots vLLM preallocates (planning/lora.py); they come out of the KV cache's share.
    lora_gib: float = 0.0
    # The part of overhead_gib that is the profile's sampler pass over max_num_seqs rows (0 where the forward pass's
    # peak is larger): the share a lower max_num_seqs gives back to the KV cache.
    sampler_gib: float = 0.0

    @property
    def fits(self) -> bool:
        """True when weights, the KV cache and the runtime fit the share of GPU memory the engine may use."""
        return self.need_gib <= self.offer_gib

    @property
    def kv_budget_gib(self) -> float:
        """Memory left for the KV cache once weights and runtime are placed (negative when they do not fit)."""
        return self.offer_gib - self.weights_gib - self.overhead_gib - self.lora_gib


def runtime_gib(shape: Shape, eff: Efficiency, gpus: int) -> float:
    """GPU memory per GPU outside weights and KV cache: the fixed part plus the profile pass's larger peak."""
    fixed = eff.overhead_tp_gib if gpus > 1 and eff.overhead_tp_gib is not None else eff.overhead_gib
    return fixed + max(eff.activation_gib, forward_peak_gib(shape, eff, gpus), sampler_peak_gib(shape, eff))


def forward_peak_gib(shape: Shape, eff: Efficiency, gpus: int) -> float:
    """GPU memory per GPU the profile's forward pass over the whole token budget holds at its MLP (0: no budget).

    While a gated MLP's activation runs, the normed input and the residual (hidden size each), the gate/up output (2
    x width / tp) and the activation's output (width / tp) are alive at 2 bytes an element. `activation_gib` is the
    floor measured at the default budgets: this counts where a larger budget (vLLM V0's max_model_len) exceeds it.
    """
    if not eff.batched_tokens or eff.activation_gib <= 0:
        return 0.0
    per_token = 2 * (2 * shape.hidden_size + 3 * mlp_width(shape) / gpus)
    return eff.batched_tokens * per_token / GIB


def mlp_width(shape: Shape) -> float:
    """A layer's gated-MLP width (intermediate_size; a MoE's: top-k experts' together), from the parameter count."""
    attention = shape.hidden_size * shape.head_dim * 2 * (shape.attention_heads + shape.kv_heads)
    per_layer = (shape.active_b - shape.embedding_params_b) * 1e9 / shape.layers - attention
    return max(0.0, per_layer / (3 * shape.hidden_size))


def sampler_peak_gib(shape: Shape, eff: Efficiency) -> float:
    """GPU memory per GPU the profile's sampler pass takes at its peak (max_num_seqs rows of the vocabulary)."""
    return eff.max_num_seqs * shape.vocab_size * eff.sampler_bytes / GIB


def memory_fit(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    context: int,
    concurrency: int = 1,
    utilization: float = 0.9,
    lora_gib: float = 0.0,
) -> MemoryFit:
    """Weights + adapter slots + KV cache (context × concurrency) + runtime overhead ≤ GPU memory × utilization × TP."""
    weights = weight_bytes(shape, prec) / GIB
    kv_seq = kv_bytes_per_token(shape, prec, acc.count, context) * context / GIB
    overhead = runtime_gib(shape, eff, acc.count) * acc.count
    offer = (acc.memory_gib - eff.reserved_gib) * utilization * acc.count
    budget = offer - weights - overhead - lora_gib
    return MemoryFit(
        weights_gib=weights,
        kv_per_sequence_gib=kv_seq,
        kv_gib=kv_seq * concurrency,
        overhead_gib=overhead,
        sampler_gib=max(0.0, sampler_peak_gib(shape, eff) - eff.activation_gib) * acc.count,
        need_gib=weights + lora_gib + kv_seq * concurrency + overhead,
        offer_gib=offer,
        max_sequences=max(0, math.floor(budget / kv_seq)) if kv_seq > 0 else 0,
        lora_gib=lora_gib,
    )
