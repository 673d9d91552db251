"""The per-pass mechanisms behind the published-benchmark fit: sliding windows, fused MoE kernels, FP8 without FP8
tensor cores, attention at the KV cache's precision, and host work that overlaps the GPU step."""

from __future__ import annotations

import dataclasses

import pytest

from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.sizing import Efficiency, Shape, precision
from inferstack.planning.step_time import (
    allreduce_s,
    attention_tflops,
    decode_attention_flops,
    decode_step_s,
    expert_serial,
    gemm_efficiency,
    moe_floor_s,
    prefill_attention_flops,
    prefill_s,
)


def shape(key: str) -> Shape:
    """A catalog model's shape."""
    found = model_shape(key)
    assert found is not None
    return found[1]


def test_sliding_layers_attend_to_at_most_their_window() -> None:
    gpt_oss = shape("gpt-oss-20b")
    full = dataclasses.replace(gpt_oss, sliding_window=None, sliding_layers=0)
    window = gpt_oss.sliding_window
    assert window is not None
    # Within the window a sliding layer attends like a full one; past it, to the window only.
    assert prefill_attention_flops(gpt_oss, window) == pytest.approx(prefill_attention_flops(full, window))
    assert decode_attention_flops(gpt_oss, window) == pytest.approx(decode_attention_flops(full, window))
    long_prompt = 32_000
    assert prefill_attention_flops(gpt_oss, long_prompt) < 0.6 * prefill_attention_flops(full, long_prompt)
    # Half the layers slide: decode attention over a long context is about half the full model's.
    assert decode_attention_flops(gpt_oss, long_prompt) == pytest.approx(
        decode_attention_flops(full, long_prompt) / 2, rel=0.01
    )


def test_fused_moe_kernels_add_the_expert_stream_to_the_expert_math() -> None:
    mixtral, acc = shape("mixtral-8x7b"), accelerator("nvidia-h100-sxm", 2)
    prec, eff = precision(mixtral, None), default_efficiency("nvidia-h100-sxm")
    overlapped = dataclasses.replace(eff, moe_serial=0.0)
    for batch in (1, 64, 512):
        serial = decode_step_s(mixtral, acc, prec, eff, batch=batch, context=500)
        assert serial > decode_step_s(mixtral, acc, prec, overlapped, batch=batch, context=500)
    # A dense model has no routed experts: the factor changes nothing.
    llama = shape("llama-3.1-8b")
    dense = [decode_step_s(llama, acc, precision(llama, None), e, batch=256, context=500) for e in (eff, overlapped)]
    assert dense[0] == pytest.approx(dense[1])


@pytest.mark.parametrize(
    ("model", "quantization", "gpu", "marlin"),
    [
        # MXFP4 experts: Marlin below compute capability 9.0, the Triton backend on Hopper (vLLM 0.11 mxfp4.py).
        ("gpt-oss-20b", None, "nvidia-a100-80gb", True),
        ("gpt-oss-20b", None, "nvidia-h100-sxm", False),
        # FP8 experts: Marlin where the GPU has no FP8 tensor cores, native FP8 fused MoE where it has.
        ("qwen3-235b-a22b", "fp8", "nvidia-a100-80gb", True),
        ("qwen3-235b-a22b", "fp8", "nvidia-h100-sxm", False),
        # GPTQ/AWQ experts run through Marlin on every GPU; 16-bit experts through the Triton fused MoE.
        ("mixtral-8x7b", "gptq", "nvidia-h100-sxm", True),
        ("mixtral-8x7b", None, "nvidia-a100-80gb", False),
    ],
)
def test_weight_only_experts_run_through_marlin_which_overlaps_stream_and_math(
    model: str, quantization: str | None, gpu: str, marlin: bool
) -> None:
    eff = default_efficiency(gpu)
    assert eff.moe_serial == 1.0 and eff.marlin_moe_serial == 0.0, "efficiency.yaml: fused MoE sums, Marlin overlaps"
    serial = expert_serial(precision(shape(model), quantization), eff, accelerator(gpu, 1, quantization))
    assert serial == (eff.marlin_moe_serial if marlin else eff.moe_serial)


def test_fp8_runs_weight_only_on_gpus_without_fp8_tensor_cores() -> None:
    llama = shape("llama-3.1-70b")
    fp8, bf16 = precision(llama, "fp8"), precision(llama, None)
    a100, eff = accelerator("nvidia-a100-80gb", 4, "fp8"), default_efficiency("nvidia-a100-80gb")
    assert not a100.fp8_tensor_cores and accelerator("nvidia-h100-sxm", 4, "fp8").fp8_tensor_cores
    # A compute-bound prefill on Ampere pays the in-matmul dequantization: slower than 16-bit weights there.
    assert prefill_s(llama, a100, fp8, eff, prompt=8192) > prefill_s(llama, a100, bf16, eff, prompt=8192)


def test_host_work_that_overlaps_the_gpu_costs_only_what_exceeds_it() -> None:
    llama, acc = shape("llama-3.1-8b"), accelerator("nvidia-a100-80gb")
    prec = precision(llama, None)
    eff = dataclasses.replace(default_efficiency("nvidia-a100-80gb"), sequence_overhead_s=0.0)
    gpu_only = decode_step_s(llama, acc, prec, eff, batch=256, context=300)
    serial = dataclasses.replace(eff, sequence_overhead_s=1e-4, overlap_sequence_overhead=False)
    overlapped = dataclasses.replace(serial, overlap_sequence_overhead=True)
    step = decode_step_s(llama, acc, prec, overlapped, batch=256, context=300)
    assert decode_step_s(llama, acc, prec, serial, batch=256, context=300) == pytest.approx(gpu_only + 256e-4)
    assert step == pytest.approx(max(gpu_only, eff.step_overhead_s + 256e-4))
    # Small host work hides entirely behind the GPU step.
    tiny = dataclasses.replace(overlapped, sequence_overhead_s=1e-7)
    assert decode_step_s(llama, acc, prec, tiny, batch=256, context=300) == pytest.approx(gpu_only)
    assert gpu_only >= decode_step_s(llama, acc, prec, Efficiency.physical(), batch=256, context=300)


def test_prefill_multiplies_the_lm_head_by_the_last_position_only() -> None:
    llama, acc = shape("llama-3.1-8b"), accelerator("nvidia-h100-sxm")
    prec, roofline = precision(llama, None), Efficiency.physical()
    head = llama.vocab_size * llama.hidden_size
    # Compute-bound passes on the roofline: a longer prompt adds every matrix but the lm_head per extra token.
    short, long_ = 4096, 8192
    extra = prefill_s(llama, acc, prec, roofline, prompt=long_) - prefill_s(llama, acc, prec, roofline, prompt=short)
    attention = prefill_attention_flops(llama, long_) - prefill_attention_flops(llama, short)
    per_token = 2 * ((llama.params_b - llama.lookup_only_params_b) * 1e9 - head)
    assert extra == pytest.approx(((long_ - short) * per_token + attention) / (acc.tflops * 1e12))
    # Two prompts in one pass sample two positions: the head runs twice, not once per token.
    two = prefill_s(llama, acc, prec, roofline, prompt=short, prompts=2)
    one = prefill_s(llama, acc, prec, roofline, prompt=2 * short)
    attended = 2 * prefill_attention_flops(llama, short) - prefill_attention_flops(llama, 2 * short)
    assert two - one == pytest.approx((2 * head + attended) / (acc.tflops * 1e12))


def test_attention_runs_at_the_kv_cache_precision_not_the_weights() -> None:
    llama, h100 = shape("llama-3.1-70b"), accelerator("nvidia-h100-sxm", 2, "fp8")
    eff = default_efficiency("nvidia-h100-sxm")
    fp8_cache, bf16_cache = precision(llama, "fp8", "fp8"), precision(llama, "fp8")
    # FP8 weights run their GEMMs at the FP8 rate either way; a 16-bit cache attends at the 16-bit rate.
    assert attention_tflops(h100, bf16_cache, eff) == h100.tflops_16bit
    assert attention_tflops(h100, fp8_cache, eff) == h100.tflops == h100.tflops_fp8
    prompt = 16_384
    gap = prefill_s(llama, h100, bf16_cache, eff, prompt=prompt) - prefill_s(llama, h100, fp8_cache, eff, prompt=prompt)
    mfu = eff.prefill_mfu
    assert h100.tflops_16bit is not None and h100.tflops_fp8 is not None
    per_second = {t: t * 1e12 * h100.count * eff.tp(h100.count) * mfu for t in (h100.tflops_16bit, h100.tflops_fp8)}
    attention = prefill_attention_flops(llama, prompt)
    assert gap == pytest.approx(attention / per_second[h100.tflops_16bit] - attention / per_second[h100.tflops_fp8])
    # The roofline never attends slower than the weights' GEMMs run.
    assert attention_tflops(h100, bf16_cache, Efficiency.physical()) == h100.tflops


def test_attention_adds_to_the_gemms_instead_of_hiding_behind_them() -> None:
    llama, h200 = shape("llama-3.1-8b"), accelerator("nvidia-h200", 1, "fp8")
    prec = precision(llama, "fp8", "fp8")
    # The GPU's step alone (no host time per sequence).
    eff = dataclasses.replace(default_efficiency("nvidia-h200"), sequence_overhead_s=0.0)
    fused = dataclasses.replace(eff, kernels_in_sequence=False)
    # Batch 1: every kernel is bandwidth-bound, so one roofline over all bytes is the sum of the kernels' rooflines.
    one = decode_step_s(llama, h200, prec, eff, batch=1, context=1100)
    assert one == pytest.approx(decode_step_s(llama, h200, prec, fused, batch=1, context=1100))
    # 876 sequences of ~1,100 tokens: the GEMMs are compute-bound while attention streams ~60 GB of cache, and the
    # attention kernel cannot overlap its reads with the GEMMs' math: the step is their sum, not their maximum.
    big = decode_step_s(llama, h200, prec, eff, batch=876, context=1100)
    merged = decode_step_s(llama, h200, prec, fused, batch=876, context=1100)
    assert big > 1.3 * merged
    assert merged >= decode_step_s(llama, h200, prec, Efficiency.physical(), batch=876, context=1100)


def test_expert_and_dequantizing_gemms_do_not_slow_attention() -> None:
    qwen, h100 = shape("qwen3-235b-a22b"), accelerator("nvidia-h100-sxm", 8, "bf16")
    prec = precision(qwen, "bf16")
    eff = default_efficiency("nvidia-h100-sxm")
    slower = dataclasses.replace(eff, moe_gemm=eff.moe_gemm / 2)
    assert gemm_efficiency(qwen, prec, slower, h100) == pytest.approx(gemm_efficiency(qwen, prec, eff, h100) / 2)
    # A long prompt is compute-bound: halving the grouped-GEMM efficiency doubles the GEMMs' time, and only theirs.
    short, long_ = 4_096, 32_768

    def attention_share(e: Efficiency) -> float:
        """The part of a long prompt's prefill over a short one's that is not linear in the tokens: attention."""
        ratio = long_ / short
        return prefill_s(qwen, h100, prec, e, prompt=long_) - ratio * prefill_s(qwen, h100, prec, e, prompt=short)

    quadratic = prefill_attention_flops(qwen, long_) - long_ / short * prefill_attention_flops(qwen, short)
    rate = attention_tflops(h100, prec, eff) * 1e12 * h100.count * eff.tp(h100.count) * eff.prefill_mfu
    # The fixed costs (floor, step overhead, all-reduce latency) do not depend on the GEMM efficiency; the lm_head, run
    # once per prompt rather than per token, is the one GEMM left over (~1e-5 of it). Attention slowed with the GEMMs
    # would double this share.
    assert attention_share(slower) == pytest.approx(attention_share(eff), rel=1e-4)
    # Per pass, the fixed costs count once in the long prompt and `ratio` times in the short ones.
    fixed = eff.step_overhead_s + moe_floor_s(qwen, eff) + allreduce_s(qwen, h100, eff, tokens=0)
    assert attention_share(eff) == pytest.approx(quadratic / rate - (long_ / short - 1) * fixed, rel=1e-3)
