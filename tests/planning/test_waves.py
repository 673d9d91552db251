"""Closed-loop waves: synchronised clients share a prefill pass up to the engine's token budget."""

from __future__ import annotations

import dataclasses

import pytest

from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.sizing import precision
from inferstack.planning.step_time import prefill_s
from inferstack.planning.throughput import performance, request_latency
from inferstack.planning.waves import in_waves, wave_ttft_s

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
    steady, waves = _waves(43, 32)
    # 32 prompts of 43 tokens fit one 2048-token pass: the wave's first tokens come out of it together.
    assert waves == pytest.approx(prefill_s(QWEN7, ACC, PREC, EFF, prompt=43, prompts=32) + request_latency(EFF, 32))
    assert waves > 2 * steady


def test_the_wave_grows_with_the_clients_until_the_token_budget_is_full() -> None:
    assert EFF.batched_tokens == 2048
    # The GPU part of each wave's first-token time (the time outside the GPU grows with the running sequences).
    small, full, over = (_waves(43, n)[1] - request_latency(EFF, n) for n in (16, 47, 64))
    # 2048 // 43 = 47 prompts fill a pass; beyond that a wave splits into budget-sized groups, each one pass.
    assert small < full == pytest.approx(over)
    busiest = wave_ttft_s(QWEN7, ACC, PREC, EFF, prompt=43, running=200) - request_latency(EFF, 200)
    assert full == pytest.approx(busiest)


def test_the_wait_for_a_slot_still_adds_to_a_wave() -> None:
    steady = performance(QWEN7, ACC, PREC, EFF, prompt=43, output=128, concurrency=32, max_running=16)
    assert steady.running == 16 and steady.queue_s > 0
    queued = in_waves(steady, QWEN7, ACC, PREC, EFF, prompt=43)
    wave = wave_ttft_s(QWEN7, ACC, PREC, EFF, prompt=43, running=16)
    assert queued.ttft_s == pytest.approx(max(steady.ttft_s - steady.queue_s, wave) + steady.queue_s)
    assert queued.ttft_s >= wave + steady.queue_s


def test_a_wave_never_beats_the_steady_state() -> None:
    # A long prompt takes a pass of its own either way: the later of the two stands.
    roomy = dataclasses.replace(EFF, batched_tokens=None)
    steady = performance(QWEN7, ACC, PREC, roomy, prompt=4000, output=128, concurrency=2)
    waves = in_waves(steady, QWEN7, ACC, PREC, roomy, prompt=4000)
    assert waves.ttft_s >= steady.ttft_s
    assert waves.tpot_s == steady.tpot_s and waves.output_tokens_per_s == steady.output_tokens_per_s
