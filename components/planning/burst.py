"""An offline burst of fixed-length requests larger than the KV cache: vLLM's scheduler followed step by step.

When every request runs to the same output length (`--ignore-eos`, vLLM's benchmark_throughput) and the burst does
not fit the KV cache at its final length, the steady-state model (throughput.py) runs only what fits at that length
and queues the rest. vLLM does not: it admits a waiting request as soon as the blocks of its tokens are free, and when
a running request finds no free block it preempts the running request of lowest priority (the newest under FCFS) by
recompute: its blocks are freed, it goes back to the front of the queue, and on readmission its prompt and the tokens
it had generated are prefilled again. So more sequences run at once than fit at their final length, at the price of
redone prefills. Both engines are followed (read 2026-12-07):

- V0 (vllm/core/scheduler.py `_schedule_default`, PreemptionMode.RECOMPUTE; block manager watermark 0.01): a step
  prefills waiting prompts whenever one can be admitted (its whole prompt's blocks, past the 1% watermark, within
  the token budget), and decodes otherwise.
- V1 (vllm/v1/core/sched/scheduler.py `schedule`, `_preempt_request`): every step serves the running requests first
  (a decode token each, or the next chunk of a prompt), then, if none was preempted, admits waiting requests on the
  blocks of their next chunk within what is left of the token budget; prompt chunks ride in the decode step.
  V1 keeps prefix caching on by default, so a preempted request's freed blocks may still be cached when it returns and
  its prompt not all redone; that is left out (every readmission here prefills all it held), an upper bound on the
  redone work.

Pure arithmetic on the per-pass times of step_time.py; KV memory is counted in tokens (block rounding left out: a
sequence wastes half a 16-token block on average). A stretch of decode-only steps with nothing to admit advances at
once: every running sequence gains one token a step until one finishes or the cache is full. The run's state and the
two engines' steps live in vllm_scheduler.py.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape
from inferstack.planning.throughput import Performance
from inferstack.planning.vllm_scheduler import SchedulerState, SimRequest, v0_step, v1_step


@dataclass(frozen=True)
class BurstRun:
    """What the burst did: its Performance, and the preemptions and redone prefill tokens it took to get there."""

    performance: Performance
    preemptions: int
    recomputed_tokens: int


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
    clients: int | None = None,
) -> BurstRun:
    """`requests` prompts of `prompt` tokens, each generating exactly `output` tokens, queued at once or by `clients`.

    `kv_tokens` is the KV cache's capacity in tokens (it must hold one whole request) and `limit` the engine's cap on
    running sequences; `eff.piggyback_prefill` picks V1's schedule, else V0's. With `clients`, a closed loop: that many
    requests are sent at the start and each finished one is followed by the next until `requests` were sent (vLLM
    bench serve's --max-concurrency at request rate inf). TTFT (from a request's sending, with the engine's
    first-token latency outside the GPU) and TPOT are the requests' means; `running` the time-weighted mean decoding.
    """
    if prompt < 1 or output < 1 or requests < 1:
        raise ValueError("a burst needs a prompt, an output and a request of at least one token each")
    if kv_tokens < prompt + output:
        raise ValueError(f"the KV cache holds {kv_tokens} tokens, fewer than one request's {prompt + output}")
    sent = requests if clients is None else max(1, min(clients, requests))
    waiting = deque(SimRequest(pending=prompt, output=output) for _ in range(sent))
    run = SchedulerState(shape, acc, prec, eff, kv_tokens, limit, waiting, [], clients=sent)
    unsent = requests - sent

    def send(done: int) -> None:
        # Each finished request's client sends its next one, until every request was sent.
        nonlocal unsent
        for _ in range(min(done, unsent)):
            run.waiting.append(SimRequest(pending=prompt, output=output, arrived_s=run.clock))
            unsent -= 1

    return _follow(run, send)


def mixed_burst_performance(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    lengths: Sequence[tuple[int, int]],
    kv_tokens: int,
    limit: int,
) -> BurstRun:
    """An offline burst of mixed lengths (`lengths`: each request's prompt and output, in queue order), queued at once.

    What a ShareGPT run at request rate inf is: the batch fills as the prompts are prefilled and drains as the short
    outputs finish, so the run lasts at least as long as its longest request and spends its end at a small batch,
    which the steady state (every request at the mean lengths) does not see. Otherwise as `burst_performance`.
    """
    if not lengths or any(p < 1 or o < 1 for p, o in lengths):
        raise ValueError("a burst needs at least one request, each of at least one prompt and one output token")
    longest = max(p + o for p, o in lengths)
    if kv_tokens < longest:
        raise ValueError(f"the KV cache holds {kv_tokens} tokens, fewer than the longest request's {longest}")
    waiting = deque(SimRequest(pending=p, output=o) for p, o in lengths)
    return _follow(SchedulerState(shape, acc, prec, eff, kv_tokens, limit, waiting, [], clients=len(lengths)))


def _follow(run: SchedulerState, send: Callable[[int], None] | None = None) -> BurstRun:
    """Step `run` through its engine's scheduler until every request finished; `send(n)` after `n` finished a step."""
    step = v1_step if run.eff.piggyback_prefill else v0_step
    finished: list[SimRequest] = []
    while run.waiting or run.running:
        step(run)
        done = len(finished)
        run.retire(finished)
        if send is not None:
            send(len(finished) - done)
    return BurstRun(_summary(run, finished), run.preemptions, run.recomputed)


def _summary(run: SchedulerState, finished: list[SimRequest]) -> Performance:
    """The burst's Performance from its requests' first-token and finish times."""
    count = len(finished)
    first = [r.first_token_s if r.first_token_s is not None else r.arrived_s for r in finished]
    # vLLM bench's TPOT: each request's decode time over its tokens after the first, averaged over requests.
    tpot = sum((r.finished_s - f) / max(1, r.output - 1) for r, f in zip(finished, first, strict=True)) / count
    peak = run.acc.bandwidth_gbps * 1e9 * run.acc.count
    return Performance(
        concurrency=run.clients,
        ttft_s=sum(f - r.arrived_s + r.host_s for r, f in zip(finished, first, strict=True)) / count,
        tpot_s=tpot,
        output_tokens_per_s=sum(r.output for r in finished) / run.clock,
        requests_per_s=count / run.clock,
        bandwidth_utilization=min(1.0, run.read_bytes / run.clock / peak),
        running=max(1, round(run.running_time / run.decode_time)) if run.decode_time else 1,
        queue_s=sum((r.admitted_s or r.arrived_s) - r.arrived_s for r in finished) / count,
    )
