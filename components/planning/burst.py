"""An offline burst of fixed-length requests larger than the KV cache: vLLM's scheduler followed event by event.

When every request runs to the same output length (`--ignore-eos`, vLLM's benchmark_throughput) and the burst does
not fit the KV cache at its final length, the steady-state model (throughput.py) runs only what fits at that length
and queues the rest. vLLM does not: its scheduler admits a waiting request as soon as the blocks of its current tokens
are free, beyond a watermark of 1% of the blocks, and when a decode step finds no free block it preempts the running
request of lowest priority (the newest under FCFS) by recompute: its blocks are freed, it goes back to the front of
the queue, and on readmission its prompt and the tokens it already generated are prefilled again (vllm/core/scheduler.py
`_schedule_running`, `_schedule_prefills`, PreemptionMode.RECOMPUTE; vllm/core/block_manager watermark 0.01; read
2026-12-07). So more sequences run at once than fit at their final length, at the price of redone prefills. V0's default
schedule runs a step of waiting prompts whenever one can be admitted, and decode steps otherwise; that is what is
followed here. V1 admits on the blocks of a prompt's next chunk and mixes the chunks into decode steps
(v1/core/sched/scheduler.py); here its prefills are charged as passes of their own, which overstates them slightly.

Pure arithmetic on the per-pass times of step_time.py; KV memory is counted in tokens (block rounding left out: a
sequence wastes half a 16-token block on average). Between events (an admission, a preemption, a finish) every running
sequence gains one token a step, so the run advances a stretch of steps at once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape
from inferstack.planning.step_time import decode_read_bytes, decode_step_s, prefill_s
from inferstack.planning.throughput import Performance

# vLLM keeps this share of the KV blocks free when it admits a waiting request (CacheConfig watermark, default 0.01).
WATERMARK = 0.01


@dataclass(frozen=True)
class BurstRun:
    """What the burst did: its Performance, and the preemptions and redone prefill tokens it took to get there."""

    performance: Performance
    preemptions: int
    recomputed_tokens: int


@dataclass
class _Request:
    """One request of the burst: the tokens it holds (or must prefill again) and the tokens it has generated."""

    tokens: int
    generated: int = 0
    first_token_s: float | None = None
    admitted_s: float | None = None


def burst_performance(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    requests: int,
    kv_tokens: int,
    limit: int,
) -> BurstRun:
    """`requests` prompts of `prompt` tokens queued at once, each generating exactly `output` tokens.

    `kv_tokens` is the KV cache's capacity in tokens (it must hold one whole request) and `limit` the engine's cap on
    running sequences. TTFT and TPOT are the requests' means; `running` the time-weighted mean of sequences decoding.
    """
    if prompt < 1 or output < 1 or requests < 1:
        raise ValueError("a burst needs a prompt, an output and a request of at least one token each")
    if kv_tokens < prompt + output:
        raise ValueError(f"the KV cache holds {kv_tokens} tokens, fewer than one request's {prompt + output}")
    waiting = deque(_Request(prompt) for _ in range(requests))
    running: list[_Request] = []
    finished: list[tuple[_Request, float]] = []
    budget = eff.batched_tokens or kv_tokens
    reserve = WATERMARK * kv_tokens
    clock = decode_time = running_time = read_bytes = 0.0
    preemptions = recomputed = 0
    while waiting or running:
        used = sum(r.tokens for r in running)
        admitted: list[_Request] = []
        batch_tokens = 0
        while waiting and len(running) + len(admitted) < limit:
            head = waiting[0]
            fits_cache = kv_tokens - used - batch_tokens - head.tokens >= reserve
            # A pass takes prompts up to the token budget; a prompt larger than the budget goes alone.
            fits_pass = not admitted or batch_tokens + head.tokens <= budget
            if not (fits_cache and fits_pass):
                break
            admitted.append(waiting.popleft())
            batch_tokens += head.tokens
            # A readmitted request prefills its prompt and every token it had generated again.
            recomputed += head.tokens if head.admitted_s is not None else 0
        if admitted:
            for request in admitted:
                request.admitted_s = clock if request.admitted_s is None else request.admitted_s
            clock += prefill_s(shape, acc, prec, eff, prompt=batch_tokens // len(admitted), prompts=len(admitted))
            for request in admitted:
                # The prefill pass samples the next token; a readmitted request keeps its first-token time.
                request.tokens += 1
                request.generated += 1
                request.first_token_s = clock if request.first_token_s is None else request.first_token_s
            running.extend(admitted)
        else:
            free = kv_tokens - used
            while len(running) > 1 and free < len(running):
                # No block for every running sequence's next token: the newest is preempted and recomputed later.
                victim = running.pop()
                free += victim.tokens
                waiting.appendleft(victim)
                preemptions += 1
            batch = len(running)
            steps = max(1, min(min(output - r.generated for r in running), free // batch))
            context = sum(r.tokens for r in running) / batch + (steps - 1) / 2
            elapsed = steps * decode_step_s(shape, acc, prec, eff, batch=batch, context=context)
            clock += elapsed
            decode_time += elapsed
            running_time += elapsed * batch
            read_bytes += steps * decode_read_bytes(shape, prec, acc, batch=batch, context=context)
            for request in running:
                request.tokens += steps
                request.generated += steps
        finished.extend((r, clock) for r in running if r.generated >= output)
        running = [r for r in running if r.generated < output]
    perf = _summary(
        finished,
        acc,
        output=output,
        clock=clock,
        decode_time=decode_time,
        running_time=running_time,
        read_bytes=read_bytes,
    )
    return BurstRun(perf, preemptions, recomputed)


def _summary(
    finished: list[tuple[_Request, float]],
    acc: Accelerator,
    *,
    output: int,
    clock: float,
    decode_time: float,
    running_time: float,
    read_bytes: float,
) -> Performance:
    """The burst's Performance from its requests' first-token and finish times."""
    count = len(finished)
    first = [r.first_token_s if r.first_token_s is not None else 0.0 for r, _ in finished]
    tpot = sum(done - f for (_, done), f in zip(finished, first, strict=True)) / count / max(1, output - 1)
    peak = acc.bandwidth_gbps * 1e9 * acc.count
    return Performance(
        concurrency=count,
        ttft_s=sum(first) / count,
        tpot_s=tpot,
        output_tokens_per_s=count * output / clock,
        requests_per_s=count / clock,
        bandwidth_utilization=min(1.0, read_bytes / clock / peak),
        running=max(1, round(running_time / decode_time)) if decode_time else 1,
        queue_s=sum(r.admitted_s or 0.0 for r, _ in finished) / count,
    )
