"""Closed-loop waves: synchronised clients share a prefill pass up to the engine's token budget."""

from __future__ import annotations

import dataclasses

import pytest

from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.sizing import precision
from inferstack.planning.step_time import prefill_s
from inferstack.planning.throughput import others_rate, performance, request_latency
from inferstack.planning.waves import in_waves, startup_ttft_s, wave_ttft_s, with_startup

QWEN7 = model_shape("qwen2.5-7b")[1]  # type: ignore[index]
ACC, EFF = accelerator("nvidia-l4"), default_efficiency("nvidia-l4")
PREC = precision(QWEN7, None)


def _waves(prompt: int, clients: int, max_running: int | None = None) -> tuple[float, float]:
    steady = performance(QWEN7, ACC, PREC, EFF, prompt=prompt, output=128, concurrency=clients, max_running=max_running)
    return steady.ttft_s, in_waves(steady, QWEN7, ACC, PREC, EFF, prompt=prompt).ttft_s


def test_one_client_keeps_the_steady_state_ttft() -> None:
    steady, waves = _waves(43, 1)
    assert waves == steady


def test_a_wave_waits_for_the_pass_that_holds_all_its_prompts() -> None:
    steady = performance(QWEN7, ACC, PREC, EFF, prompt=43, output=128, concurrency=32)
    waves = in_waves(steady, QWEN7, ACC, PREC, EFF, prompt=43).ttft_s
    # 32 prompts of 43 tokens fit one 2048-token pass: the wave's first tokens come out of it together, after the
    # API server's latency behind the other 31 sequences' stream.
    latency = request_latency(EFF, others_rate(32, steady.tpot_s))
    assert waves == pytest.approx(prefill_s(QWEN7, ACC, PREC, EFF, prompt=43, prompts=32) + latency)
    assert waves > 2 * steady.ttft_s


def test_the_wave_grows_with_the_clients_until_the_token_budget_is_full() -> None:
    assert EFF.batched_tokens == 2048
    # The GPU part of each wave's first-token time (the time outside the GPU grows with the others' stream).
    bare = dataclasses.replace(EFF, request_latency_s=0.0, request_latency_per_token_rate=0.0)
    small, full, over = (
        in_waves(
            performance(QWEN7, ACC, PREC, bare, prompt=43, output=128, concurrency=n), QWEN7, ACC, PREC, bare, prompt=43
        ).ttft_s
        for n in (16, 47, 64)
    )
    # 2048 // 43 = 47 prompts fill a pass; beyond that a wave splits into budget-sized groups, each one pass.
    assert small < full == pytest.approx(over)
    busiest = wave_ttft_s(QWEN7, ACC, PREC, bare, prompt=43, running=200, stream_rate=0.0)
    assert full == pytest.approx(busiest)


def test_the_wait_for_a_slot_still_adds_to_a_wave() -> None:
    steady = performance(QWEN7, ACC, PREC, EFF, prompt=43, output=128, concurrency=32, max_running=16)
    assert steady.running == 16 and steady.queue_s > 0
    queued = in_waves(steady, QWEN7, ACC, PREC, EFF, prompt=43)
    wave = wave_ttft_s(QWEN7, ACC, PREC, EFF, prompt=43, running=16, stream_rate=others_rate(16, steady.tpot_s))
    assert queued.ttft_s == pytest.approx(max(steady.ttft_s - steady.queue_s, wave) + steady.queue_s)
    assert queued.ttft_s >= wave + steady.queue_s


def test_a_wave_never_beats_the_steady_state() -> None:
    # A long prompt takes a pass of its own either way: the later of the two stands.
    roomy = dataclasses.replace(EFF, batched_tokens=None)
    steady = performance(QWEN7, ACC, PREC, roomy, prompt=4000, output=128, concurrency=2)
    waves = in_waves(steady, QWEN7, ACC, PREC, roomy, prompt=4000)
    assert waves.ttft_s >= steady.ttft_s
    assert waves.tpot_s == steady.tpot_s and waves.output_tokens_per_s == steady.output_tokens_per_s


def test_a_first_wave_that_fits_one_pass_waits_for_that_pass_only() -> None:
    # 32 prompts of 43 tokens share one 2048-token pass: the start-up wave is an ordinary wave.
    assert startup_ttft_s(QWEN7, ACC, PREC, EFF, prompt=43, clients=32, stream_rate=1000.0) == pytest.approx(
        wave_ttft_s(QWEN7, ACC, PREC, EFF, prompt=43, running=32, stream_rate=1000.0)
    )


def test_a_first_wave_of_long_prompts_queues_for_every_pass_ahead() -> None:
    # 4000-token prompts take a pass each: the k-th of 8 gets its first token after k passes, (8 + 1) / 2 on average.
    one = prefill_s(QWEN7, ACC, PREC, EFF, prompt=4000)
    mean = startup_ttft_s(QWEN7, ACC, PREC, EFF, prompt=4000, clients=8, stream_rate=500.0)
    assert mean == pytest.approx(4.5 * one + request_latency(EFF, 500.0))


def test_a_partial_last_pass_ends_after_the_full_ones() -> None:
    # 1000-token prompts, two a pass: 5 clients are passes of 2, 2 and 1.
    two = prefill_s(QWEN7, ACC, PREC, EFF, prompt=1000, prompts=2)
    single = prefill_s(QWEN7, ACC, PREC, EFF, prompt=1000, prompts=1)
    expected = (2 * two + 2 * 2 * two + (2 * two + single)) / 5 + request_latency(EFF, 0.0)
    assert startup_ttft_s(QWEN7, ACC, PREC, EFF, prompt=1000, clients=5, stream_rate=0.0) == pytest.approx(expected)


def test_a_finite_run_weighs_its_first_wave_by_the_requests_in_it() -> None:
    steady = performance(QWEN7, ACC, PREC, EFF, prompt=4000, output=128, concurrency=8)
    wave = startup_ttft_s(QWEN7, ACC, PREC, EFF, prompt=4000, clients=8, stream_rate=others_rate(8, steady.tpot_s))
    assert wave > steady.ttft_s
    two_each = with_startup(steady, QWEN7, ACC, PREC, EFF, prompt=4000, requests=16)
    assert two_each.ttft_s == pytest.approx((wave + steady.ttft_s) / 2)
    # The longer the run, the closer it comes to the steady state; TPOT and throughput stay the steady state's.
    long_run = with_startup(steady, QWEN7, ACC, PREC, EFF, prompt=4000, requests=8000)
    assert steady.ttft_s < long_run.ttft_s < two_each.ttft_s
    assert (long_run.tpot_s, long_run.output_tokens_per_s) == (steady.tpot_s, steady.output_tokens_per_s)


def test_one_client_has_no_start_up_wave() -> None:
    steady = performance(QWEN7, ACC, PREC, EFF, prompt=4000, output=128, concurrency=1)
    assert with_startup(steady, QWEN7, ACC, PREC, EFF, prompt=4000, requests=10) == steady
