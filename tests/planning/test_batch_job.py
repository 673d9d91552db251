"""Offline batch jobs: one deep batch when the KV cache holds them all, vLLM's scheduler when it does not."""

from __future__ import annotations

import dataclasses

import pytest

from inferstack.planning.batch_job import batch_run, kv_capacity_tokens
from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.sizing import memory_fit, precision
from inferstack.planning.throughput import offline_performance

QWEN7 = model_shape("qwen2.5-7b")[1]  # type: ignore[index]
ACC, EFF = accelerator("nvidia-l4"), default_efficiency("nvidia-l4")
PREC = precision(QWEN7, None)
FIT = memory_fit(QWEN7, ACC, PREC, EFF, context=1500)


def _job(requests: int, fit=FIT):
    return batch_run(QWEN7, ACC, PREC, EFF, fit, prompt=1000, output=500, requests=requests, limit=256)


def test_the_capacity_in_tokens_is_the_budget_over_the_bytes_a_token() -> None:
    tokens = kv_capacity_tokens(FIT, 1500)
    assert FIT.max_sequences == tokens // 1500
    assert tokens == pytest.approx(FIT.kv_budget_gib / FIT.kv_per_sequence_gib * 1500, abs=1)


def test_a_job_the_cache_holds_runs_as_one_batch() -> None:
    job = _job(10)
    assert job is not None and job.model == "one batch" and job.preemptions == 0
    perf = offline_performance(QWEN7, ACC, PREC, EFF, prompt=1000, output=500, max_sequences=10, limit=256, requests=10)
    assert job.output_tokens_per_s == perf.output_tokens_per_s
    assert job.duration_s == pytest.approx(10 * 500 / perf.output_tokens_per_s)


def test_a_job_beyond_the_cache_follows_the_scheduler_and_takes_longer_per_request() -> None:
    small, large = _job(10), _job(500)
    assert small is not None and large is not None
    assert large.model == "scheduler" and large.preemptions > 0 and large.recomputed_tokens > 0
    assert large.running > FIT.max_sequences
    assert large.duration_s > small.duration_s
    assert "preempts" in large.describe() and "preempts" not in small.describe()


def test_no_job_where_one_request_does_not_fit() -> None:
    tiny = memory_fit(QWEN7, ACC, PREC, EFF, context=1500, utilization=0.7)
    assert kv_capacity_tokens(tiny, 1500) < 1500
    assert _job(10, tiny) is None


def test_a_job_sent_by_workers_follows_the_closed_loop_and_keeps_their_count_running() -> None:
    job = batch_run(QWEN7, ACC, PREC, EFF, FIT, prompt=1000, output=500, requests=200, limit=256, clients=8)
    assert job is not None and job.model == "scheduler" and job.clients == 8
    assert job.running <= 8 and job.preemptions == 0
    assert "sent by 8 workers" in job.describe()
    # As many workers as requests is the job queued at once.
    at_once = batch_run(QWEN7, ACC, PREC, EFF, FIT, prompt=1000, output=500, requests=10, limit=256, clients=10)
    assert at_once == _job(10)


def test_no_job_where_vllm_v0_would_never_admit_the_prompt() -> None:
    v0 = dataclasses.replace(EFF, piggyback_prefill=False)
    tokens = kv_capacity_tokens(memory_fit(QWEN7, ACC, PREC, v0, context=1500), 1500)
    # Prompts that fill the cache but for 10 tokens: within it, but into V0's 1% watermark.
    fit = memory_fit(QWEN7, ACC, PREC, v0, context=tokens - 9)
    assert kv_capacity_tokens(fit, tokens - 9) >= tokens - 9
    assert batch_run(QWEN7, ACC, PREC, v0, fit, prompt=tokens - 10, output=1, requests=3, limit=256) is None
    # The pinned engine (V1) keeps no such reserve: the same job runs, one request at a time.
    job = batch_run(QWEN7, ACC, PREC, EFF, fit, prompt=tokens - 10, output=1, requests=3, limit=256)
    assert job is not None and job.running == 1


def test_a_chat_like_spread_of_lengths_drains_the_batch_and_takes_longer_than_every_request_at_the_means() -> None:
    h100 = accelerator("nvidia-h100-sxm")
    eff = default_efficiency("nvidia-h100-sxm")
    fit = memory_fit(QWEN7, h100, PREC, eff, context=420)
    fixed = batch_run(QWEN7, h100, PREC, eff, fit, prompt=220, output=200, requests=1000, limit=1024)
    spread = batch_run(
        QWEN7, h100, PREC, eff, fit, prompt=220, output=200, requests=1000, limit=1024, lengths="sharegpt"
    )
    assert fixed is not None and spread is not None
    assert spread.lengths == "sharegpt" and spread.model == "scheduler"
    # The same mean work, but the batch drains as short outputs finish: fewer decode at once and the job lasts longer.
    assert spread.duration_s > fixed.duration_s and spread.running < fixed.running
    assert "spread as ShareGPT's" in spread.describe() and "full output" in fixed.describe()


def test_no_spread_job_where_its_longest_request_does_not_fit() -> None:
    # A cache for a few mean requests (1000 + 2000 tokens) cannot hold the spread's longest (4.3x the mean output).
    small = memory_fit(QWEN7, ACC, PREC, EFF, context=3000, utilization=0.74)
    tokens = kv_capacity_tokens(small, 3000)
    assert 3000 <= tokens < 1000 + 2000 * 4
    assert batch_run(QWEN7, ACC, PREC, EFF, small, prompt=1000, output=2000, requests=50, limit=256) is not None
    spread = batch_run(
        QWEN7, ACC, PREC, EFF, small, prompt=1000, output=2000, requests=50, limit=256, lengths="sharegpt"
    )
    assert spread is None
