"""Offline bursts of fixed lengths beyond the KV cache: vLLM's admission on current blocks and recompute preemption."""

from __future__ import annotations

import dataclasses
from collections import deque

import pytest

from inferstack.planning.burst import burst_performance
from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.sizing import precision
from inferstack.planning.step_time import decode_step_s, prefill_s
from inferstack.planning.throughput import performance, request_latency
from inferstack.planning.vllm_scheduler import WATERMARK, SchedulerState, SimRequest, v1_step

QWEN7 = model_shape("qwen2.5-7b")[1]  # type: ignore[index]
ACC, EFF = accelerator("nvidia-l4"), default_efficiency("nvidia-l4")
PREC = precision(QWEN7, None)
# vLLM V0's schedule: prompts prefilled in passes of their own (the pinned engine, V1, rides them in decode steps).
V0 = dataclasses.replace(EFF, piggyback_prefill=False)


def _run(prompt: int, output: int, requests: int, kv_tokens: int, limit: int = 256, eff=V0):
    return burst_performance(
        QWEN7, ACC, PREC, eff, prompt=prompt, output=output, requests=requests, kv_tokens=kv_tokens, limit=limit
    )


def test_a_cache_for_one_request_runs_them_one_after_another() -> None:
    # 640 tokens hold one 512 + 128 request and no second prompt: each request is a prefill and 127 decode steps.
    run = _run(512, 128, 3, 640)
    one = prefill_s(QWEN7, ACC, PREC, EFF, prompt=512) + 127 * decode_step_s(
        QWEN7, ACC, PREC, EFF, batch=1, context=513 + 126 / 2
    )
    assert run.preemptions == 0 and run.recomputed_tokens == 0
    assert run.performance.output_tokens_per_s == pytest.approx(3 * 128 / (3 * one))
    assert run.performance.running == 1
    # The second request waits for the first; the third for both.
    assert run.performance.queue_s == pytest.approx(one)


def test_a_burst_that_fits_at_its_final_length_never_preempts() -> None:
    run = _run(256, 256, 16, 16 * 512 * 2)
    assert run.preemptions == 0 and run.recomputed_tokens == 0
    assert run.performance.running == 16


def test_an_overflowing_burst_runs_more_than_fit_at_the_final_length_and_redoes_prompts() -> None:
    # 8192 tokens hold 4 requests of 128 + 1920 at their final length, but 64 prompts of 128 at admission.
    run = _run(128, 1920, 32, 8192)
    assert run.preemptions > 0
    # Every readmission prefills the prompt again, and the tokens generated before the preemption.
    assert run.recomputed_tokens >= run.preemptions * 128
    assert run.performance.running > 8192 // (128 + 1920)
    # And it is faster than running the same requests four at a time in waves.
    waves = _run(128, 1920, 32, 8192, limit=4)
    assert waves.preemptions == 0
    assert run.performance.output_tokens_per_s > waves.performance.output_tokens_per_s


def test_no_schedule_keeps_more_running_than_the_tokens_they_hold_allow() -> None:
    # A request holds prompt + k tokens at its k-th step: on average at most kv / (prompt + output/2) run at once.
    run = _run(128, 1920, 64, 8192)
    assert run.performance.running <= 8192 / (128 + 1920 / 2)


def test_more_kv_cache_is_never_slower() -> None:
    rates = [_run(256, 512, 48, kv).performance.output_tokens_per_s for kv in (800, 2000, 6000, 20000, 60000)]
    assert rates == sorted(rates)


def test_the_watermark_keeps_a_share_of_the_cache_free_at_admission() -> None:
    # Two prompts of 496 tokens need 992 of 1000 tokens: within the cache, but into the 1% the scheduler keeps free.
    assert WATERMARK == 0.01
    assert _run(496, 4, 2, 1000).performance.queue_s > 0
    # Two of 495 leave exactly the 10 tokens it keeps: both are admitted at once.
    assert _run(495, 4, 2, 1000).performance.queue_s == 0


def test_a_token_budget_splits_the_prompts_of_a_pass() -> None:
    tight = dataclasses.replace(V0, batched_tokens=512)
    run = burst_performance(QWEN7, ACC, PREC, tight, prompt=256, output=16, requests=8, kv_tokens=100_000, limit=256)
    roomy = _run(256, 16, 8, 100_000)
    # Four passes of two prompts instead of one pass of eight: later prompts wait for the earlier passes, and the first
    # ones get their first token sooner.
    assert run.performance.queue_s > 0 == roomy.performance.queue_s
    assert run.performance.ttft_s < roomy.performance.ttft_s


@pytest.mark.parametrize("eff", [V0, EFF], ids=["v0", "v1"])
def test_both_schedules_run_every_request_to_its_full_output(eff) -> None:
    for kv in (640, 8192, 200_000):
        run = _run(128, 512, 24, kv, eff=eff)
        assert run.performance.concurrency == 24
        # First tokens come before the burst ends, and every token after the first takes a step.
        assert 0 < run.performance.ttft_s < 24 / run.performance.requests_per_s and run.performance.tpot_s > 0
        # Never more running than the tokens they hold allow, and a roomier cache is never slower.
        assert run.performance.running <= kv / (128 + 512 / 2)
    rates = [_run(128, 512, 24, kv, eff=eff).performance.output_tokens_per_s for kv in (640, 2000, 8192, 200_000)]
    assert rates == sorted(rates)


def test_v1_admits_on_the_next_chunk_with_no_watermark() -> None:
    # The two prompts V0 keeps apart (they reach into its 1% reserve) start together under V1.
    assert EFF.piggyback_prefill
    assert _run(496, 4, 2, 1000, eff=EFF).performance.queue_s == 0
    # A prompt over the token budget is prefilled chunk by chunk beside the running decodes.
    assert EFF.batched_tokens == 2048
    long = _run(5000, 64, 4, 30_000, eff=EFF)
    assert long.preemptions == 0 and long.performance.running >= 1


def test_v1_preempts_the_newest_and_redoes_its_prompt_too() -> None:
    run = _run(128, 1920, 32, 8192, eff=EFF)
    assert run.preemptions > 0 and run.recomputed_tokens >= run.preemptions * 128
    assert run.performance.running > 8192 // (128 + 1920)


@pytest.mark.parametrize("eff", [V0, EFF], ids=["v0", "v1"])
def test_a_closed_loop_of_one_client_sends_each_request_after_the_last(eff) -> None:
    run = burst_performance(
        QWEN7, ACC, PREC, eff, prompt=512, output=128, requests=3, kv_tokens=100_000, limit=256, clients=1
    )
    one = prefill_s(QWEN7, ACC, PREC, eff, prompt=512) + 127 * decode_step_s(
        QWEN7, ACC, PREC, eff, batch=1, context=513 + 126 / 2
    )
    perf = run.performance
    assert perf.concurrency == 1 and perf.queue_s == 0
    assert perf.output_tokens_per_s == pytest.approx(3 * 128 / (3 * one))
    # Each request's first token: its own prefill, and the engine's latency outside the GPU (no other stream).
    assert perf.ttft_s == pytest.approx(prefill_s(QWEN7, ACC, PREC, eff, prompt=512) + request_latency(eff, 0.0))


def test_clients_for_every_request_are_the_offline_burst() -> None:
    offline = _run(256, 256, 40, 8192, eff=EFF)
    loop = burst_performance(
        QWEN7, ACC, PREC, EFF, prompt=256, output=256, requests=40, kv_tokens=8192, limit=256, clients=40
    )
    assert loop == offline


def test_a_closed_loops_first_wave_waits_for_the_prompts_ahead_and_later_ones_less() -> None:
    # 8 clients of 4000-token prompts, 8 or 64 requests: the later waves arrive spread out.
    short = burst_performance(
        QWEN7, ACC, PREC, EFF, prompt=4000, output=128, requests=8, kv_tokens=200_000, limit=256, clients=8
    )
    long = burst_performance(
        QWEN7, ACC, PREC, EFF, prompt=4000, output=128, requests=64, kv_tokens=200_000, limit=256, clients=8
    )
    assert short.performance.ttft_s > 3 * prefill_s(QWEN7, ACC, PREC, EFF, prompt=4000)
    assert long.performance.ttft_s < short.performance.ttft_s


@pytest.mark.parametrize(
    ("prompt", "output", "requests", "kv_tokens", "message"),
    [(0, 8, 1, 100, "at least one token"), (8, 8, 1, 15, "fewer than one request's 16")],
)
def test_impossible_bursts_are_refused(prompt: int, output: int, requests: int, kv_tokens: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _run(prompt, output, requests, kv_tokens)


@pytest.mark.parametrize("clients", [4, 32])
def test_a_long_closed_loop_agrees_with_the_steady_state_model(clients: int) -> None:
    # Two models of the same engine: the scheduler followed step by step, and throughput.py's steady state. Over a
    # run long enough for its start-up wave not to count they must agree on the rate and the time per token (measured
    # 2026-12-07: within 2%; TTFT differs, the clients of a fixed-length loop arriving in step).
    run = burst_performance(
        QWEN7,
        ACC,
        PREC,
        EFF,
        prompt=1000,
        output=500,
        requests=40 * clients,
        kv_tokens=100_000,
        limit=256,
        clients=clients,
    ).performance
    steady = performance(QWEN7, ACC, PREC, EFF, prompt=1000, output=500, concurrency=clients)
    assert run.output_tokens_per_s == pytest.approx(steady.output_tokens_per_s, rel=0.1)
    assert run.tpot_s == pytest.approx(steady.tpot_s, rel=0.1)


def test_a_request_preempted_mid_prompt_owes_its_whole_prompt_again() -> None:
    # V1 can preempt a request whose prompt is only partly prefilled: it must redo what it computed and still do the
    # rest (it owes its whole prompt), and only what it computed counts as redone.
    state = SchedulerState(QWEN7, ACC, PREC, EFF, 10_000, 256, deque(), [])
    older = SimRequest(pending=0, output=16, tokens=900, generated=5)
    newer = SimRequest(pending=700, output=16, tokens=300)
    state.running, state.used, state.prefilling = [older, newer], 1200, 1
    assert state.preempt_newest() == 300
    assert newer.pending == 1000 and newer.tokens == 0 and state.waiting[0] is newer
    assert (state.used, state.prefilling, state.recomputed, state.preemptions) == (900, 0, 300, 1)


def test_v0_never_admits_a_prompt_into_its_watermark() -> None:
    # 9,000 + 1 tokens in a 9,001-token cache: the prompt would leave less than 1% free, which V0 refuses forever.
    with pytest.raises(ValueError, match="watermark"):
        _run(9000, 1, 1, 9001)
    # V1 has no such reserve and runs it.
    assert _run(9000, 1, 1, 9001, eff=EFF).performance.concurrency == 1


@pytest.mark.parametrize(
    ("prompt", "output", "requests", "kv_tokens", "lengths"),
    [
        (3000, 200, 40, 40_000, None),  # long prompts chunked over several steps, preemption when the cache fills
        (128, 1920, 32, 8192, None),  # short prompts, long outputs: preempted and readmitted over and over
        (0, 0, 0, 30_000, [(4000, 50), (200, 900), (1500, 10), (30, 400), (2500, 300)] * 8),  # mixed lengths
    ],
)
def test_v1_keeps_its_prefilling_requests_at_the_end_of_the_running_list(
    monkeypatch: pytest.MonkeyPatch, prompt: int, output: int, requests: int, kv_tokens: int, lengths
) -> None:
    # vllm_scheduler.v1_step takes the leading decodes in one slice: it relies on the requests that still owe prompt
    # tokens being the newest, which every step must keep.
    import inferstack.planning.burst as burst

    seen: list[int] = []

    def checked(run: SchedulerState) -> None:
        real_v1_step(run)
        owing = [bool(r.pending) for r in run.running]
        assert owing == sorted(owing), "a decoding request after one that still owes prompt tokens"
        assert sum(owing) == run.prefilling
        # The running requests' KV tokens, counted with the decode stretches they have not caught up with yet, are
        # what the state says they hold; each finishes at the count where its output is complete.
        assert sum(r.tokens + run.bulk - r.mark for r in run.running) == run.used
        assert all(r.finish_at - run.bulk == r.output - (r.generated + run.bulk - r.mark) for r in run.running)
        seen.append(sum(owing))

    real_retire = SchedulerState.retire

    def retire_checked(run: SchedulerState, finished: list[SimRequest]) -> None:
        done = len(finished)
        real_retire(run, finished)
        # A finished request has caught up: it generated its whole output and holds its prompt's tokens beside it.
        prompts = {prompt} if lengths is None else {p for p, _ in lengths}
        for request in finished[done:]:
            assert request.generated == request.output and request.pending == 0
            assert request.tokens - request.generated in prompts

    real_v1_step = v1_step
    monkeypatch.setattr(burst, "v1_step", checked)
    monkeypatch.setattr(SchedulerState, "retire", retire_checked)
    eff = dataclasses.replace(EFF, piggyback_prefill=True, batched_tokens=2048)
    if lengths is None:
        run = burst.burst_performance(
            QWEN7, ACC, PREC, eff, prompt=prompt, output=output, requests=requests, kv_tokens=kv_tokens, limit=256
        )
    else:
        run = burst.mixed_burst_performance(QWEN7, ACC, PREC, eff, lengths=lengths, kv_tokens=kv_tokens, limit=256)
    assert any(seen), "some steps ran with prompts still owed"
    assert run.preemptions > 0 or lengths is not None
