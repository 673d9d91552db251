"""The time model beyond the roofline: fixed step cost, all-reduces per link, chunked prefill, queueing."""

from __future__ import annotations

import dataclasses

import pytest

from inferstack.planning.capacity import accelerator, default_efficiency, engine_max_num_seqs, model_shape
from inferstack.planning.open_loop import rate_performance
from inferstack.planning.sizing import Efficiency, precision
from inferstack.planning.step_time import allreduce_s, decode_step_s, prefill_attention_flops, prefill_s
from inferstack.planning.throughput import offline_performance, performance, prefill_batch

LLAMA8 = model_shape("llama-3.1-8b")[1]  # type: ignore[index]
LLAMA70 = model_shape("llama-3.1-70b")[1]  # type: ignore[index]
PHYSICAL = Efficiency.physical()


def test_a_step_never_takes_less_than_the_engine_floor() -> None:
    eff = default_efficiency("nvidia-h100-sxm")
    tiny = model_shape("qwen2.5-0.5b")[1]  # type: ignore[index]
    step = decode_step_s(tiny, accelerator("nvidia-h100-sxm"), precision(tiny, None), eff, batch=1, context=10)
    assert eff.step_overhead_s > 0 and step >= eff.step_overhead_s
    assert decode_step_s(tiny, accelerator("nvidia-h100-sxm"), precision(tiny, None), PHYSICAL, batch=1, context=10) < (
        eff.step_overhead_s
    )


def test_the_first_token_comes_from_the_prefill_pass() -> None:
    acc, prec, eff = accelerator("nvidia-a100-80gb"), precision(LLAMA8, None), default_efficiency("nvidia-a100-80gb")
    perf = performance(LLAMA8, acc, prec, eff, prompt=64, output=100, concurrency=1)
    # A lone client's prompt rides in its own pass (one decode slot plus the prompt's tokens): a prefill pass.
    own = decode_step_s(
        LLAMA8,
        acc,
        prec,
        eff,
        batch=1,
        context=64 + 50,
        riders=64,
        rider_prompts=1,
        rider_attention=prefill_attention_flops(LLAMA8, 64),
    )
    assert perf.ttft_s == pytest.approx(own + eff.request_latency_s)
    assert own == pytest.approx(prefill_s(LLAMA8, acc, prec, eff, prompt=64), rel=0.01)
    # Without piggybacking (engines that prefill apart) the first token comes out of a prefill pass of its own.
    apart = dataclasses.replace(eff, piggyback_prefill=False)
    alone = performance(LLAMA8, acc, prec, apart, prompt=64, output=100, concurrency=1)
    assert alone.ttft_s == pytest.approx(prefill_s(LLAMA8, acc, prec, apart, prompt=64) + eff.request_latency_s)


def _ttft_apart(steps_per_schedule: int, concurrency: int) -> float:
    """TTFT of Llama 3.1 8B on an A100 with prompts prefilled apart and `steps_per_schedule` steps per call."""
    acc, prec = accelerator("nvidia-a100-80gb"), precision(LLAMA8, None)
    eff = dataclasses.replace(
        default_efficiency("nvidia-a100-80gb"), piggyback_prefill=False, steps_per_schedule=steps_per_schedule
    )
    return performance(LLAMA8, acc, prec, eff, prompt=512, output=100, concurrency=concurrency).ttft_s


def test_a_prompt_prefilled_apart_first_waits_for_the_decode_run_in_flight() -> None:
    acc, prec, eff = accelerator("nvidia-a100-80gb"), precision(LLAMA8, None), default_efficiency("nvidia-a100-80gb")
    step = decode_step_s(LLAMA8, acc, prec, eff, batch=8, context=512 + 50)
    # Arrivals land uniformly within the run: half a step, or half of a ten-step scheduler call (vLLM 0.6's
    # --num-scheduler-steps: "maximum number of forward steps per scheduler call").
    assert _ttft_apart(10, 8) - _ttft_apart(1, 8) == pytest.approx(9 * step / 2)
    # A lone client finds the engine idle: no wait however many steps a call runs.
    assert _ttft_apart(10, 1) == _ttft_apart(1, 1)


def test_a_short_prompt_rides_a_memory_bound_decode_step_almost_free() -> None:
    acc, prec, eff = accelerator("nvidia-l4"), precision(LLAMA8, None), default_efficiency("nvidia-l4")
    mixed = performance(LLAMA8, acc, prec, eff, prompt=64, output=128, concurrency=32)
    apart = performance(
        LLAMA8, acc, prec, dataclasses.replace(eff, piggyback_prefill=False), prompt=64, output=128, concurrency=32
    )
    step = decode_step_s(LLAMA8, acc, prec, eff, batch=32, context=64 + 64)
    # Piggybacked, each of the 32 prompts adds far less than the 0.8 of a weight pass charged when prefilled apart.
    assert mixed.tpot_s < apart.tpot_s
    assert mixed.tpot_s < 1.05 * step < apart.tpot_s


def test_allreduces_cost_nothing_on_one_gpu_and_more_over_pcie_than_nvlink() -> None:
    nvlink, pcie = default_efficiency("nvidia-h100-sxm"), default_efficiency("nvidia-l40s")
    assert allreduce_s(LLAMA70, accelerator("nvidia-l40s", 1), pcie, tokens=4096) == 0
    over_pcie = allreduce_s(LLAMA70, accelerator("nvidia-l40s", 4), pcie, tokens=4096)
    over_nvlink = allreduce_s(LLAMA70, accelerator("nvidia-h100-sxm", 4), nvlink, tokens=4096)
    assert over_pcie > 5 * over_nvlink > 0
    # More tokens move more bytes.
    assert allreduce_s(LLAMA70, accelerator("nvidia-l40s", 4), pcie, tokens=8192) > over_pcie


def test_clients_beyond_the_running_set_queue_instead_of_being_refused() -> None:
    acc, prec, eff = accelerator("nvidia-l4"), precision(LLAMA8, None), default_efficiency("nvidia-l4")
    at_cap = performance(LLAMA8, acc, prec, eff, prompt=1000, output=200, concurrency=16, max_running=16)
    over = performance(LLAMA8, acc, prec, eff, prompt=1000, output=200, concurrency=48, max_running=16)
    # With a queue the engine always finds prompts waiting: the same 16 sequences, prefilled as a full queue is.
    full = performance(LLAMA8, acc, prec, eff, prompt=1000, output=200, concurrency=16, max_running=16, queued=True)
    assert at_cap.queue_s == 0 and full.queue_s == 0 and over.running == 16
    assert over.output_tokens_per_s == pytest.approx(full.output_tokens_per_s)
    # Little's law: three times the clients at the same rate wait two extra service cycles.
    assert over.queue_s == pytest.approx(2 * 16 / full.requests_per_s)
    assert over.ttft_s == pytest.approx(full.ttft_s + over.queue_s)


def test_waiting_prompts_share_a_prefill_pass_up_to_the_token_budget() -> None:
    acc, prec, eff = accelerator("nvidia-h100-sxm"), precision(LLAMA8, None), default_efficiency("nvidia-h100-sxm")
    assert prefill_batch(eff, prompt=128, running=1000) == 8192 // 128
    assert prefill_batch(eff, prompt=16384, running=1000) == 1
    assert prefill_batch(Efficiency.physical(), prompt=128, running=1000) == 1000
    # A shared pass reads the weights once: short prompts prefill faster together than one by one.
    one = prefill_s(LLAMA8, acc, prec, eff, prompt=128)
    assert prefill_s(LLAMA8, acc, prec, eff, prompt=128, prompts=64) < 64 * one
    # An engine that prefills apart (vLLM V0) runs a pass per arriving prompt unless prompts wait to share one.
    apart = dataclasses.replace(eff, piggyback_prefill=False)
    alone = performance(LLAMA8, acc, prec, apart, prompt=128, output=4, concurrency=1000)
    queued = performance(LLAMA8, acc, prec, apart, prompt=128, output=4, concurrency=1000, queued=True)
    assert queued.output_tokens_per_s > alone.output_tokens_per_s
    # vLLM V1 fills each step's budget either way: 1000 prompts in 4 steps cannot each ride a step of their own.
    mixed = performance(LLAMA8, acc, prec, eff, prompt=128, output=4, concurrency=1000)
    waiting = performance(LLAMA8, acc, prec, eff, prompt=128, output=4, concurrency=1000, queued=True)
    assert mixed.output_tokens_per_s == pytest.approx(waiting.output_tokens_per_s)
    assert mixed.output_tokens_per_s < queued.output_tokens_per_s * 1.5


def test_chunked_prefill_hides_prefill_work_behind_decode() -> None:
    acc, prec = accelerator("nvidia-h100-sxm"), precision(LLAMA8, None)
    base = default_efficiency("nvidia-h100-sxm")
    # Prefilled apart (vLLM V0, SGLang, TensorRT-LLM in the report): `prefill_stall` of each pass is not hidden.
    apart = Efficiency(**{**base.__dict__, "piggyback_prefill": False})
    added = Efficiency(**{**apart.__dict__, "prefill_stall": 1.0})
    # A balanced mix: riding prefill chunks hide behind the decode steps' weight reads. (Where prefill compute
    # dominates, e.g. 2000 in / 200 out, a step is compute-bound either way and the fitted stall may hide as much.)
    mixed = performance(LLAMA8, acc, prec, base, prompt=500, output=500, concurrency=64)
    hidden = performance(LLAMA8, acc, prec, apart, prompt=500, output=500, concurrency=64)
    serial = performance(LLAMA8, acc, prec, added, prompt=500, output=500, concurrency=64)
    assert mixed.output_tokens_per_s > hidden.output_tokens_per_s > serial.output_tokens_per_s
    assert mixed.tpot_s < hidden.tpot_s < serial.tpot_s
    heavy = [performance(LLAMA8, acc, prec, e, prompt=2000, output=200, concurrency=64) for e in (base, added)]
    assert heavy[0].output_tokens_per_s > heavy[1].output_tokens_per_s


@pytest.mark.parametrize(("gpu", "seqs"), [("nvidia-h100-sxm", 1024), ("nvidia-a100-80gb", 256), ("nvidia-l4", 256)])
def test_engine_defaults_follow_vllm_per_gpu(gpu: str, seqs: int) -> None:
    assert engine_max_num_seqs(gpu) == seqs


def test_a_moe_batch_touches_more_distinct_experts_but_never_more_than_all_weights() -> None:
    from inferstack.planning.sizing import weight_bytes
    from inferstack.planning.step_time import shared_params_b, weights_read_bytes

    mixtral = model_shape("mixtral-8x7b")[1]  # type: ignore[index]
    prec = precision(mixtral, None)
    reads = [weights_read_bytes(mixtral, prec, n) for n in (1, 2, 8, 64, 4096)]
    assert reads == sorted(reads) and reads[-1] <= weight_bytes(mixtral, prec)
    # Batch 1 reads the shared attention weights plus top-2 of 8 experts: the active parameters.
    assert reads[0] == pytest.approx(mixtral.active_b * 1e9 * 2)
    assert 0 < shared_params_b(mixtral) < mixtral.active_b


def test_a_deepseek_batch_reads_its_routed_experts_not_only_its_latent_attention() -> None:
    import dataclasses as dc

    from inferstack.planning.sizing import weight_bytes
    from inferstack.planning.step_time import shared_params_b, weights_read_bytes

    deepseek = model_shape("deepseek-v3")[1]  # type: ignore[index]
    prec = precision(deepseek, "fp8")
    # Every token reads attention, 3 dense layers, shared experts and the lm_head (~16B); the rest is routed.
    assert 14 < shared_params_b(deepseek) < 18
    one, full = weights_read_bytes(deepseek, prec, 1), weights_read_bytes(deepseek, prec, 4096)
    # One token reads about its active parameters (8 of 256 experts); a large batch reads nearly every expert.
    assert one == pytest.approx(deepseek.active_b * 1e9, rel=0.05)
    assert full > 0.95 * weight_bytes(deepseek, prec) - deepseek.vocab_size * deepseek.hidden_size * 2
    # Without the routed count, MLA's latent projections (not per-head K and V from hidden) are the shared estimate:
    # still well below the active parameters, so the experts keep a routed share.
    estimated = dc.replace(deepseek, expert_params_b=None)
    assert shared_params_b(estimated) < 0.7 * deepseek.active_b
    assert weights_read_bytes(estimated, prec, 4096) > 10 * weights_read_bytes(estimated, prec, 1)


def test_weight_only_int4_and_moe_kernels_slow_compute_bound_passes() -> None:
    eff = default_efficiency("nvidia-h100-sxm")
    acc = accelerator("nvidia-h100-sxm")
    awq, bf16 = precision(LLAMA8, "awq"), precision(LLAMA8, None)
    assert awq.int4_weights and not bf16.int4_weights
    # A long prompt is compute-bound: the dequantizing kernel is slower although it reads a quarter of the bytes.
    assert prefill_s(LLAMA8, acc, awq, eff, prompt=8192) > prefill_s(LLAMA8, acc, bf16, eff, prompt=8192)
    # Batch 1 is bandwidth-bound: 4-bit weights are faster.
    assert decode_step_s(LLAMA8, acc, awq, eff, batch=1, context=100) < decode_step_s(
        LLAMA8, acc, bf16, eff, batch=1, context=100
    )


def test_a_mixed_length_burst_lasts_at_least_its_longest_request() -> None:
    acc, prec, eff = accelerator("nvidia-h100-sxm"), precision(LLAMA8, None), default_efficiency("nvidia-h100-sxm")
    run = {"prompt": 230, "output": 224, "max_sequences": 2000, "limit": 256, "requests": 320}
    even = offline_performance(LLAMA8, acc, prec, eff, **run)
    tailed = offline_performance(LLAMA8, acc, prec, eff, **run, longest_output=966)
    # The longest request decodes one token per step, so the run takes at least 966 steps.
    step = decode_step_s(LLAMA8, acc, prec, eff, batch=1, context=230)
    assert tailed.output_tokens_per_s < even.output_tokens_per_s
    assert 320 * 224 / tailed.output_tokens_per_s >= 966 * step
    # A longest output no longer than the mean, or an unbounded run, changes nothing.
    assert offline_performance(LLAMA8, acc, prec, eff, **run, longest_output=224) == even


def test_cpu_work_per_sequence_grows_the_step_with_the_batch() -> None:
    acc, prec = accelerator("nvidia-h100-sxm"), precision(LLAMA8, None)
    eff = default_efficiency("nvidia-h100-sxm")
    bare = dataclasses.replace(eff, sequence_overhead_s=0.0)
    legacy = dataclasses.replace(eff, sequence_overhead_s=0.0002, overlap_sequence_overhead=False)
    base = decode_step_s(LLAMA8, acc, prec, bare, batch=128, context=500)
    assert decode_step_s(LLAMA8, acc, prec, legacy, batch=128, context=500) == pytest.approx(base + 128 * 0.0002)
    # The pinned engine schedules asynchronously: its host work overlaps the GPU's step, and only a batch whose
    # host work outlasts the GPU work is slowed by it.
    assert eff.overlap_sequence_overhead and eff.sequence_overhead_s > 0 == PHYSICAL.sequence_overhead_s
    assert decode_step_s(LLAMA8, acc, prec, eff, batch=1, context=500) == decode_step_s(
        LLAMA8, acc, prec, bare, batch=1, context=500
    )
    host = eff.step_overhead_s + 1024 * eff.sequence_overhead_s
    assert decode_step_s(LLAMA8, acc, prec, eff, batch=1024, context=500) >= host


def test_an_open_loop_rate_settles_where_littles_law_says() -> None:
    shape = model_shape("llama-3.1-8b")[1]  # type: ignore[index]
    acc, prec, eff = accelerator("nvidia-a100-80gb"), precision(shape, None), default_efficiency("nvidia-a100-80gb")
    slow = rate_performance(shape, acc, prec, eff, prompt=215, output=194, rate=4)
    fast = rate_performance(shape, acc, prec, eff, prompt=215, output=194, rate=8)
    assert slow is not None and fast is not None
    # The running set is rate × (TTFT + output × TPOT), the smallest that keeps up with the arrivals.
    for perf, rate in ((slow, 4), (fast, 8)):
        assert perf.requests_per_s >= rate
        assert perf.concurrency == pytest.approx(rate * (perf.ttft_s + 194 * perf.tpot_s), abs=1.5)
    # More arrivals: more running sequences and more prefills interrupting each one's decode.
    assert fast.concurrency > slow.concurrency and fast.tpot_s > slow.tpot_s
    # A rate past what one replica serves has no steady state.
    assert rate_performance(shape, acc, prec, eff, prompt=215, output=194, rate=1e6) is None


def test_the_first_token_pays_the_servers_fixed_latency_once() -> None:
    acc, prec = accelerator("nvidia-h100-sxm"), precision(LLAMA8, None)
    eff = default_efficiency("nvidia-h100-sxm")
    bare = dataclasses.replace(eff, request_latency_s=0.0)
    assert eff.request_latency_s > 0 == PHYSICAL.request_latency_s
    for clients in (1, 64):
        served = performance(LLAMA8, acc, prec, eff, prompt=512, output=128, concurrency=clients)
        gpu_only = performance(LLAMA8, acc, prec, bare, prompt=512, output=128, concurrency=clients)
        # Outside the GPU passes: the first token is later, the decode and the throughput are not changed.
        assert served.ttft_s == pytest.approx(gpu_only.ttft_s + eff.request_latency_s)
        assert served.tpot_s == gpu_only.tpot_s and served.output_tokens_per_s == gpu_only.output_tokens_per_s


def test_the_others_token_stream_delays_the_first_token_outside_the_gpu() -> None:
    acc, prec = accelerator("nvidia-h100-sxm"), precision(LLAMA8, None)
    eff = default_efficiency("nvidia-h100-sxm")
    flat = dataclasses.replace(eff, request_latency_per_token_rate=0.0)
    assert eff.request_latency_per_token_rate > 0 == PHYSICAL.request_latency_per_token_rate
    for clients, cap in ((1, None), (8, None), (64, None), (64, 16)):
        served = performance(LLAMA8, acc, prec, eff, prompt=512, output=128, concurrency=clients, max_running=cap)
        fixed = performance(LLAMA8, acc, prec, flat, prompt=512, output=128, concurrency=clients, max_running=cap)
        # The API server streams the other running sequences' tokens, one each per output token's time; clients
        # waiting for a slot stream nothing.
        running = min(clients, cap or clients)
        stream_rate = (running - 1) / served.tpot_s
        assert served.ttft_s - fixed.ttft_s == pytest.approx(eff.request_latency_per_token_rate * stream_rate)
        assert served.tpot_s == fixed.tpot_s and served.output_tokens_per_s == fixed.output_tokens_per_s


def test_latent_attention_costs_what_vllms_two_mla_paths_compute() -> None:
    from inferstack.planning.step_time import decode_attention_flops

    deepseek = model_shape("deepseek-v3")[1]  # type: ignore[index]
    # Decode attends over the cached latent (QK over 512 + 64, AV over 512) in each of 128 heads of 61 layers.
    assert decode_attention_flops(deepseek, 1000) == 61 * 1000 * 128 * (2 * 576 + 2 * 512)
    # Prefill expands it to per-head keys of 192 and values of 128: causal, p²/2 pairs a layer.
    assert prefill_attention_flops(deepseek, 2000) == 61 * 2000**2 / 2 * 128 * (2 * 192 + 2 * 128)
    # A GQA model keeps QK and AV at its head width.
    assert decode_attention_flops(LLAMA8, 1000) == 32 * 1000 * 32 * 4 * 128


def test_each_moe_layer_pays_its_expert_kernels_fixed_cost_in_every_pass() -> None:
    eff = default_efficiency("nvidia-h100-sxm")
    acc = accelerator("nvidia-h100-sxm")
    oss = model_shape("gpt-oss-20b")[1]  # type: ignore[index]
    prec = precision(oss, None)
    without = dataclasses.replace(eff, moe_layer_s=0.0)
    for batch in (1, 64):
        added = decode_step_s(oss, acc, prec, eff, batch=batch, context=500) - decode_step_s(
            oss, acc, prec, without, batch=batch, context=500
        )
        assert added == pytest.approx(oss.layers * eff.moe_layer_s)
    assert prefill_s(oss, acc, prec, eff, prompt=1000) - prefill_s(oss, acc, prec, without, prompt=1000) == (
        pytest.approx(oss.layers * eff.moe_layer_s)
    )
    # A dense model has no expert kernels.
    bf16 = precision(LLAMA8, None)
    assert decode_step_s(LLAMA8, acc, bf16, eff, batch=8, context=500) == decode_step_s(
        LLAMA8, acc, bf16, without, batch=8, context=500
    )
