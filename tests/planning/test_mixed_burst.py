"""Offline bursts of mixed lengths (a ShareGPT run at request rate inf): the batch fills, then drains."""

from __future__ import annotations

import dataclasses

import pytest

from inferstack.planning.burst import burst_performance, mixed_burst_performance
from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.sizing import precision
from inferstack.planning.step_time import decode_step_s

QWEN7 = model_shape("qwen2.5-7b")[1]  # type: ignore[index]
ACC, EFF = accelerator("nvidia-h100-sxm"), default_efficiency("nvidia-h100-sxm")
PREC = precision(QWEN7, None)
KV = 400_000


def _mixed(lengths: list[tuple[int, int]], eff=EFF, limit: int = 1024, kv_tokens: int = KV):
    return mixed_burst_performance(QWEN7, ACC, PREC, eff, lengths=lengths, kv_tokens=kv_tokens, limit=limit)


@pytest.mark.parametrize("v1", [True, False])
def test_equal_lengths_are_the_fixed_length_burst(v1: bool) -> None:
    eff = dataclasses.replace(EFF, piggyback_prefill=v1)
    fixed = burst_performance(QWEN7, ACC, PREC, eff, prompt=300, output=200, requests=64, kv_tokens=KV, limit=1024)
    mixed = _mixed([(300, 200)] * 64, eff=eff)
    assert mixed.performance == fixed.performance


def test_the_run_lasts_at_least_its_longest_request() -> None:
    lengths = [(200, 20)] * 99 + [(200, 2000)]
    run = _mixed(lengths).performance
    duration = sum(o for _, o in lengths) / run.output_tokens_per_s
    # Its last 1980 tokens are decoded alone (the others are done by then): at least that many batch-1 steps.
    alone = decode_step_s(QWEN7, ACC, PREC, EFF, batch=1, context=1200)
    assert duration > 1980 * alone


def test_a_spread_of_outputs_drains_the_batch_and_carries_less_than_the_mean_lengths() -> None:
    # Same mean output (200) and request count; half the requests stop at 20 tokens, half run to 380.
    spread = _mixed([(300, 20), (300, 380)] * 200).performance
    even = _mixed([(300, 200)] * 400).performance
    assert spread.output_tokens_per_s < even.output_tokens_per_s
    # Its TPOT is each request's own (decode time over its tokens after the first), averaged over the requests.
    assert spread.tpot_s > 0 and spread.running < even.running


def test_a_burst_past_the_cache_preempts_and_still_finishes_every_request() -> None:
    lengths = [(500, 50 + 10 * (i % 40)) for i in range(300)]
    run = _mixed(lengths, kv_tokens=20_000)
    assert run.preemptions > 0 and run.recomputed_tokens > 0
    assert run.performance.requests_per_s * sum(o for _, o in lengths) == pytest.approx(
        run.performance.output_tokens_per_s * len(lengths)
    )


@pytest.mark.parametrize(
    ("lengths", "kv_tokens", "says"),
    [
        ([], KV, "at least one request"),
        ([(100, 0)], KV, "at least one request"),
        ([(100, 10), (5000, 100)], 4000, "fewer than the longest request's 5100"),
    ],
)
def test_impossible_bursts_are_refused(lengths: list[tuple[int, int]], kv_tokens: int, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        _mixed(lengths, kv_tokens=kv_tokens)
