"""The roofline sizing model: memory fit, KV capacity, latency and throughput, monotonic where physics says so."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.sizing import GIB, Efficiency, Shape, kv_bytes_per_token, memory_fit, precision
from inferstack.planning.step_time import decode_step_s, prefill_s
from inferstack.planning.throughput import Objectives, best_performance, performance, replicas_needed

EFF = default_efficiency()
PHYSICAL = Efficiency.physical()
QWEN7 = model_shape("qwen2.5-7b")[1]  # type: ignore[index]
LLAMA70 = model_shape("llama-3.1-70b")[1]  # type: ignore[index]
MIXTRAL = model_shape("mixtral-8x7b")[1]  # type: ignore[index]
SHAPES = st.sampled_from([QWEN7, LLAMA70, MIXTRAL, model_shape("qwen2.5-0.5b")[1]])  # type: ignore[index]
GPUS = st.sampled_from(["nvidia-l4", "nvidia-a100-80gb", "nvidia-h100-sxm", "nvidia-h200"])
TPS = st.sampled_from([1, 2, 4, 8])


def test_kv_bytes_per_token_is_the_textbook_formula() -> None:
    # Qwen2.5-7B: 2 × 28 layers × 4 KV heads × 128 × 2 bytes = 57,344 bytes per token.
    assert kv_bytes_per_token(QWEN7, precision(QWEN7, None)) == 57_344
    assert kv_bytes_per_token(QWEN7, precision(QWEN7, None, "fp8")) == 28_672
    # KV heads are replicated once TP exceeds them (4 heads over 8 GPUs).
    bf16 = precision(QWEN7, None)
    assert kv_bytes_per_token(QWEN7, bf16, tp=8) == 2 * kv_bytes_per_token(QWEN7, bf16)


@pytest.mark.parametrize(("quantization", "bits"), [(None, 16.0), ("fp8", 8.0), ("awq", 4.25), ("gptq", 4.25)])
def test_weight_bits_follow_quantization(quantization: str | None, bits: float) -> None:
    assert precision(LLAMA70, quantization).weight_bits == bits


def test_a_7b_model_fits_one_l4_and_a_70b_does_not() -> None:
    small = memory_fit(QWEN7, accelerator("nvidia-l4"), precision(QWEN7, None), EFF, context=8192)
    big = memory_fit(LLAMA70, accelerator("nvidia-l4"), precision(LLAMA70, None), EFF, context=8192)
    assert small.fits and small.max_sequences > 1
    assert not big.fits and big.max_sequences == 0
    assert small.weights_gib == pytest.approx(7.61e9 * 2 / GIB)


@settings(max_examples=60, deadline=None)
@given(SHAPES, GPUS, TPS, st.integers(1, 65536), st.integers(1, 65536), st.integers(1, 64))
def test_more_context_or_concurrency_never_needs_less_memory(shape, gpu, tp, ctx_a, ctx_b, conc) -> None:
    acc, prec = accelerator(gpu, tp), precision(shape, None)
    low, high = sorted((ctx_a, ctx_b))
    a = memory_fit(shape, acc, prec, EFF, context=low, concurrency=conc)
    b = memory_fit(shape, acc, prec, EFF, context=high, concurrency=conc)
    c = memory_fit(shape, acc, prec, EFF, context=low, concurrency=conc + 1)
    assert a.need_gib <= b.need_gib and a.need_gib < c.need_gib
    assert a.max_sequences >= b.max_sequences


@settings(max_examples=60, deadline=None)
@given(SHAPES, GPUS, st.integers(1, 32768), st.integers(1, 256))
def test_more_tensor_parallel_is_never_slower_per_token_on_the_roofline(shape, gpu, context, batch) -> None:
    prec = precision(shape, None)
    times = [
        decode_step_s(shape, accelerator(gpu, tp), prec, PHYSICAL, batch=batch, context=context) for tp in (1, 2, 4, 8)
    ]
    assert times == sorted(times, reverse=True)
    # With the catalog's TP losses the aggregate still grows for a model whose weights dominate the step (a 0.5B
    # model is faster on one GPU: its all-reduces cost more than the read they split) as long as KV heads are
    # split, not replicated: past kv_heads, extra GPUs only hold copies of the cache.
    if shape.params_b < 7:
        return
    degrees = [tp for tp in (1, 2, 4, 8) if tp <= shape.kv_heads]
    predicted = [decode_step_s(shape, accelerator(gpu, tp), prec, EFF, batch=batch, context=context) for tp in degrees]
    assert predicted == sorted(predicted, reverse=True)


@settings(max_examples=60, deadline=None)
@given(SHAPES, GPUS, TPS, st.integers(1, 8192), st.integers(1, 2048), st.integers(1, 128))
def test_predictions_are_never_faster_than_the_physical_roofline(shape, gpu, tp, prompt, output, conc) -> None:
    acc, prec = accelerator(gpu, tp), precision(shape, None)
    predicted = performance(shape, acc, prec, EFF, prompt=prompt, output=output, concurrency=conc)
    roofline = performance(shape, acc, prec, PHYSICAL, prompt=prompt, output=output, concurrency=conc)
    assert predicted.tpot_s >= roofline.tpot_s
    assert predicted.ttft_s >= roofline.ttft_s
    assert predicted.output_tokens_per_s <= roofline.output_tokens_per_s
    assert prefill_s(shape, acc, prec, EFF, prompt=prompt) >= prefill_s(shape, acc, prec, PHYSICAL, prompt=prompt)


@settings(max_examples=40, deadline=None)
@given(SHAPES, GPUS, st.integers(1, 255))
def test_decode_is_bandwidth_bound_at_small_batches_and_batching_raises_throughput(shape, gpu, batch) -> None:
    acc, prec = accelerator(gpu), precision(shape, None)
    one = decode_step_s(shape, acc, prec, EFF, batch=1, context=1000)
    more = decode_step_s(shape, acc, prec, EFF, batch=batch + 1, context=1000)
    # A bigger batch takes at least as long per step but yields more tokens per second.
    assert more >= one
    assert (batch + 1) / more >= 1 / one


def test_moe_reads_only_active_experts_at_batch_one() -> None:
    acc, prec = accelerator("nvidia-h100-sxm", 2), precision(MIXTRAL, None)
    dense_like = Shape(**{**MIXTRAL.__dict__, "active_params_b": None})
    moe = decode_step_s(MIXTRAL, acc, prec, PHYSICAL, batch=1, context=1)
    dense = decode_step_s(dense_like, acc, prec, PHYSICAL, batch=1, context=1)
    assert moe < dense * 0.35  # 12.9 of 46.7 billion parameters


def test_best_performance_respects_objectives_and_replicas_cover_the_load() -> None:
    acc, prec = accelerator("nvidia-l4"), precision(QWEN7, None)
    free = best_performance(QWEN7, acc, prec, EFF, prompt=1000, output=250, max_sequences=64, objectives=Objectives())
    tight = best_performance(
        QWEN7, acc, prec, EFF, prompt=1000, output=250, max_sequences=64, objectives=Objectives(tpot_s=0.1)
    )
    impossible = best_performance(
        QWEN7, acc, prec, EFF, prompt=1000, output=250, max_sequences=64, objectives=Objectives(tpot_s=0.001)
    )
    assert free is not None and tight is not None and impossible is None
    assert tight.tpot_s <= 0.1 and tight.concurrency < free.concurrency
    assert replicas_needed(free.requests_per_s * 2.5, free) == 3
    assert replicas_needed(0.001, free) == 1
