"""Capacity of one model replica on one GPU type: memory fit, KV capacity and roofline latency.

Pure arithmetic on plain dataclasses, no catalog and no cloud. Every time is the physical roofline (bytes over
peak bandwidth, FLOPs over peak dense FLOPS) divided by efficiency factors ≤ 1, so a prediction can never be
faster than the hardware; `Efficiency.physical()` gives the roofline itself.

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
# vLLM's default cap on sequences scheduled at once (--max-num-seqs).
MAX_BATCH = 256
# AWQ/GPTQ store 4-bit weights plus a scale (and zero) per group of 128: ~4.25 bits per parameter.
FOUR_BIT = 4.25


@dataclass(frozen=True)
class Accelerator:
    """The GPUs of one replica: one GPU type times the tensor-parallel degree."""

    gpu: str
    memory_gib: float
    bandwidth_gbps: float
    tflops: float
    count: int = 1


@dataclass(frozen=True)
class Efficiency:
    """Factors that turn the physical roofline into an achievable time (each ≤ 1) and the runtime's memory."""

    mbu: float
    prefill_mfu: float
    decode_mfu: float
    overhead_gib: float
    tp_efficiency: Mapping[int, float] = field(default_factory=lambda: {1: 1.0})

    @classmethod
    def physical(cls) -> Efficiency:
        """The roofline itself: every unit at peak, no runtime memory, perfect tensor-parallel scaling."""
        return cls(mbu=1.0, prefill_mfu=1.0, decode_mfu=1.0, overhead_gib=0.0, tp_efficiency={1: 1.0})

    def tp(self, degree: int) -> float:
        """Share of the ideal speed-up kept at this TP degree (the nearest tabulated degree below it)."""
        known = [d for d in self.tp_efficiency if d <= degree]
        return self.tp_efficiency[max(known)] if known else 1.0


def precision(shape: Shape, quantization: str | None, kv_cache_dtype: str = "auto") -> Precision:
    """Weight bits from the quantization (else the checkpoint's own) and KV bytes (2, or 1 for an fp8 cache)."""
    if quantization == "fp8":
        bits = 8.0
    elif quantization in ("awq", "gptq"):
        bits = FOUR_BIT
    else:
        bits = shape.weight_bits
    return Precision(weight_bits=bits, kv_bytes=1.0 if kv_cache_dtype == "fp8" else 2.0)


def weight_bytes(shape: Shape, prec: Precision) -> float:
    """Bytes of all weights of the model."""
    return shape.params_b * 1e9 * prec.weight_bits / 8


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

    @property
    def fits(self) -> bool:
        """True when weights, the KV cache and the runtime fit the share of GPU memory the engine may use."""
        return self.need_gib <= self.offer_gib

    @property
    def kv_budget_gib(self) -> float:
        """Memory left for the KV cache once weights and runtime are placed (negative when they do not fit)."""
        return self.offer_gib - self.weights_gib - self.overhead_gib


def memory_fit(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    context: int,
    concurrency: int = 1,
    utilization: float = 0.9,
) -> MemoryFit:
    """Weights + KV cache (context × concurrency) + runtime overhead ≤ GPU memory × utilization × TP."""
    weights = weight_bytes(shape, prec) / GIB
    kv_seq = kv_bytes_per_token(shape, prec, acc.count, context) * context / GIB
    overhead = eff.overhead_gib * acc.count
    offer = acc.memory_gib * utilization * acc.count
    budget = offer - weights - overhead
    return MemoryFit(
        weights_gib=weights,
        kv_per_sequence_gib=kv_seq,
        kv_gib=kv_seq * concurrency,
        overhead_gib=overhead,
        need_gib=weights + kv_seq * concurrency + overhead,
        offer_gib=offer,
        max_sequences=max(0, math.floor(budget / kv_seq)) if kv_seq > 0 else 0,
    )


def weights_read_bytes(shape: Shape, prec: Precision, tokens: int) -> float:
    """Weight bytes one forward pass over `tokens` tokens reads: a MoE touches more experts as tokens grow."""
    total = weight_bytes(shape, prec)
    if shape.active_params_b is None or tokens <= 0:
        return total
    active_share = shape.active_b / shape.params_b
    # Each token routes to a share of the experts; the share touched by a batch is 1 - (1 - share)^tokens.
    touched = 1 - (1 - active_share) ** tokens
    return total * touched


def _bandwidth(acc: Accelerator, eff: Efficiency) -> float:
    return acc.bandwidth_gbps * 1e9 * acc.count * eff.tp(acc.count) * eff.mbu


def _flops(acc: Accelerator, eff: Efficiency, mfu: float) -> float:
    return acc.tflops * 1e12 * acc.count * eff.tp(acc.count) * mfu


def decode_step_s(
    shape: Shape, acc: Accelerator, prec: Precision, eff: Efficiency, *, batch: int, context: float
) -> float:
    """One decode step for `batch` sequences at `context` tokens: bandwidth-bound until the batch is large."""
    read = weights_read_bytes(shape, prec, batch) + batch * kv_bytes_per_token(shape, prec, acc.count) * context
    memory_time = read / _bandwidth(acc, eff)
    # Per token: 2 FLOPs per active parameter, plus attention over the context (QK and AV, 2 FLOPs each).
    flops = batch * (2 * shape.active_b * 1e9 + 4 * shape.layers * context * shape.attention_heads * shape.head_dim)
    compute_time = flops / _flops(acc, eff, eff.decode_mfu)
    return max(memory_time, compute_time)


def prefill_s(shape: Shape, acc: Accelerator, prec: Precision, eff: Efficiency, *, prompt: int) -> float:
    """Prefill of one prompt: 2 × active params × tokens plus causal attention, at least one read of the weights."""
    flops = 2 * shape.active_b * 1e9 * prompt + 2 * shape.layers * prompt**2 * shape.attention_heads * shape.head_dim
    compute_time = flops / _flops(acc, eff, eff.prefill_mfu)
    memory_time = weights_read_bytes(shape, prec, prompt) / _bandwidth(acc, eff)
    return max(compute_time, memory_time)


@dataclass(frozen=True)
class Performance:
    """What one replica does at a steady concurrency for a given prompt/output length."""

    concurrency: int
    ttft_s: float
    tpot_s: float
    output_tokens_per_s: float
    requests_per_s: float
    bandwidth_utilization: float


def performance(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    concurrency: int,
) -> Performance:
    """Steady state of `concurrency` sequences, each a prefill then `output` decode steps.

    Prefills and decode steps are counted one after the other (no overlap), which is conservative for engines
    that piggyback prefill chunks on decode steps.
    """
    pre = prefill_s(shape, acc, prec, eff, prompt=prompt)
    context = prompt + output / 2
    step = decode_step_s(shape, acc, prec, eff, batch=concurrency, context=context)
    # One cycle: every sequence prefills once and the batch takes `output` decode steps.
    cycle = concurrency * pre + output * step
    # The other sequences' prefills stall this one's decode steps; a new request waits, on average, for half of
    # the prefills in flight when it arrives.
    tpot = (cycle - pre) / output if output else step
    ttft = pre + step + (concurrency - 1) * (pre / cycle) * pre / 2
    read_per_step = (
        weights_read_bytes(shape, prec, concurrency)
        + concurrency * kv_bytes_per_token(shape, prec, acc.count) * context
    )
    peak = acc.bandwidth_gbps * 1e9 * acc.count
    return Performance(
        concurrency=concurrency,
        ttft_s=ttft,
        tpot_s=tpot,
        output_tokens_per_s=concurrency * output / cycle,
        requests_per_s=concurrency / cycle,
        bandwidth_utilization=min(1.0, read_per_step * output / cycle / peak),
    )


@dataclass(frozen=True)
class Objectives:
    """Latency objectives a replica must meet; None means no objective."""

    ttft_s: float | None = None
    tpot_s: float | None = None

    def met_by(self, perf: Performance) -> bool:
        """True when the performance meets every objective."""
        ttft_ok = self.ttft_s is None or perf.ttft_s <= self.ttft_s
        tpot_ok = self.tpot_s is None or perf.tpot_s <= self.tpot_s
        return ttft_ok and tpot_ok


def best_performance(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    max_sequences: int,
    objectives: Objectives,
    limit: int = MAX_BATCH,
) -> Performance | None:
    """The highest-throughput concurrency (up to the KV capacity and `limit`) that meets the objectives."""
    best: Performance | None = None
    for concurrency in range(1, min(max_sequences, limit) + 1):
        perf = performance(shape, acc, prec, eff, prompt=prompt, output=output, concurrency=concurrency)
        if not objectives.met_by(perf):
            # Latency only grows with concurrency: once an objective is missed, larger batches miss it too.
            break
        if best is None or perf.output_tokens_per_s > best.output_tokens_per_s:
            best = perf
    return best


def replicas_needed(requests_per_s: float, per_replica: Performance) -> int:
    """Replicas that carry a request rate when each runs at `per_replica` (at least one)."""
    return max(1, math.ceil(requests_per_s / per_replica.requests_per_s - 1e-9))
