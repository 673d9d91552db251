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
once: every running sequence gains one token a step until one finishes or the cache is full.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape
from inferstack.planning.step_time import decode_read_bytes, decode_step_s, prefill_attention_flops, prefill_s
from inferstack.planning.throughput import Performance, request_latency

# vLLM V0 keeps this share of the KV blocks free when it admits a waiting request (CacheConfig watermark, 0.01).
WATERMARK = 0.01


@dataclass(frozen=True)
class BurstRun:
    """What the burst did: its Performance, and the preemptions and redone prefill tokens it took to get there."""

    performance: Performance
    preemptions: int
    recomputed_tokens: int


@dataclass
class _Request:
    """One request: the KV tokens it holds, the prefill tokens it still owes, the tokens it has generated."""

    pending: int
    tokens: int = 0
    generated: int = 0
    first_token_s: float | None = None
    admitted_s: float | None = None
    finished_s: float = 0.0
    # When its client sent it: 0 for a request queued at the start, a predecessor's finish in a closed loop.
    arrived_s: float = 0.0
    # First-token time outside the GPU passes (throughput.request_latency at its running batch).
    host_s: float = 0.0


@dataclass
class _Run:
    """The burst's state as the scheduler works through it."""

    shape: Shape
    acc: Accelerator
    prec: Precision
    eff: Efficiency
    kv_tokens: int
    limit: int
    output: int
    waiting: deque[_Request]
    running: list[_Request]
    clock: float = 0.0
    decode_time: float = 0.0
    running_time: float = 0.0
    read_bytes: float = 0.0
    preemptions: int = 0
    recomputed: int = 0
    # Requests in the system at once: the clients of a closed loop, or the whole burst.
    clients: int = 0

    @property
    def free(self) -> int:
        """KV tokens no running request holds."""
        return self.kv_tokens - sum(r.tokens for r in self.running)

    def admit(self, request: _Request) -> None:
        """Move the head of the queue to the running set; a readmitted request prefills all it held again."""
        self.waiting.popleft()
        self.recomputed += request.pending if request.admitted_s is not None else 0
        request.admitted_s = self.clock if request.admitted_s is None else request.admitted_s
        self.running.append(request)

    def preempt_newest(self) -> _Request:
        """Free the newest running request's blocks and queue it first, to prefill its prompt and output again."""
        victim = self.running.pop()
        victim.pending, victim.tokens = victim.tokens, 0
        self.waiting.appendleft(victim)
        self.preemptions += 1
        return victim

    def decode_stretch(self) -> None:
        """Decode steps with nothing to admit or prefill: until a request finishes or the cache is full."""
        while len(self.running) > 1 and self.free < len(self.running):
            self.preempt_newest()
        batch = len(self.running)
        steps = max(1, min(min(self.output - r.generated for r in self.running), self.free // batch))
        context = sum(r.tokens for r in self.running) / batch + (steps - 1) / 2
        self.decoded(
            steps,
            steps * decode_step_s(self.shape, self.acc, self.prec, self.eff, batch=batch, context=context),
            batch,
            context,
        )
        for request in self.running:
            request.tokens += steps
            request.generated += steps

    def decoded(self, steps: int, elapsed: float, batch: int, context: float) -> None:
        """Account `steps` decode steps of `batch` sequences at `context` tokens that took `elapsed` seconds."""
        self.clock += elapsed
        self.decode_time += elapsed
        self.running_time += elapsed * batch
        self.read_bytes += steps * decode_read_bytes(self.shape, self.prec, self.acc, batch=batch, context=context)

    def prefilled(self, request: _Request, tokens: int) -> None:
        """`tokens` more of a request's prefill are done; the pass that ends it samples its next token."""
        request.pending -= tokens
        request.tokens += tokens
        if request.pending == 0:
            request.tokens += 1
            request.generated += 1
            if request.first_token_s is None:
                request.first_token_s = self.clock
                # The token leaves the engine after its host work (API server, detokenizer) for the running batch.
                request.host_s = request_latency(self.eff, len(self.running))

    def retire(self, finished: list[_Request]) -> None:
        """Take the requests that have generated their whole output out of the running set."""
        for request in self.running:
            if request.generated >= self.output:
                request.finished_s = self.clock
                finished.append(request)
        self.running = [r for r in self.running if r.generated < self.output]


def _v0_step(run: _Run) -> None:
    """V0: a pass of waiting prompts whenever the first can be admitted, else decode steps."""
    budget = run.eff.batched_tokens or run.kv_tokens
    free, taken, admitted = run.free, 0, []
    while run.waiting and len(run.running) < run.limit:
        head = run.waiting[0]
        if free - taken - head.pending < WATERMARK * run.kv_tokens or (admitted and taken + head.pending > budget):
            break
        taken += head.pending
        run.admit(head)
        admitted.append(head)
    if not admitted:
        run.decode_stretch()
        return
    run.clock += prefill_s(run.shape, run.acc, run.prec, run.eff, prompt=taken // len(admitted), prompts=len(admitted))
    for request in admitted:
        run.prefilled(request, request.pending)


def _v1_step(run: _Run) -> None:
    """V1: running requests first (a decode token, or a prompt chunk), then waiting ones on what budget is left."""
    if all(r.pending == 0 for r in run.running) and not _v1_admits(run):
        run.decode_stretch()
        return
    budget = run.eff.batched_tokens or run.kv_tokens
    free, chunks, decodes, preempted, index = run.free, [], [], False, 0
    while index < len(run.running) and budget > 0:
        request = run.running[index]
        want = min(request.pending, budget) if request.pending else 1
        while free < want and run.running[-1] is not request:
            free += run.preempt_newest().pending
            preempted = True
        if free < want:
            # The newest request is this one: it is preempted itself and nothing after it runs this step.
            run.preempt_newest()
            preempted = True
            break
        free, budget, index = free - want, budget - want, index + 1
        if request.pending:
            chunks.append((request, want))
        else:
            decodes.append(request)
    while not preempted and run.waiting and budget > 0 and len(run.running) < run.limit:
        head = run.waiting[0]
        want = min(head.pending, budget)
        if free < want:
            break
        run.admit(head)
        free, budget = free - want, budget - want
        chunks.append((head, want))
    _mixed_step(run, decodes, chunks)


def _v1_admits(run: _Run) -> bool:
    """Whether V1 would admit the head of the queue next step: a slot, token budget and blocks for its next chunk."""
    if not run.waiting or len(run.running) >= run.limit:
        return False
    budget = (run.eff.batched_tokens or run.kv_tokens) - len(run.running)
    return budget > 0 and run.free - len(run.running) >= min(run.waiting[0].pending, budget)


def _mixed_step(run: _Run, decodes: list[_Request], chunks: list[tuple[_Request, int]]) -> None:
    """One V1 pass: `decodes` gain a token while the prompt chunks ride in the same pass."""
    riders = sum(tokens for _, tokens in chunks)
    # Each chunk attends to the tokens of its prompt before it as well as to its own.
    attention = sum(
        prefill_attention_flops(run.shape, r.tokens + n) - prefill_attention_flops(run.shape, r.tokens)
        for r, n in chunks
    )
    if decodes:
        context = sum(r.tokens for r in decodes) / len(decodes)
        elapsed = decode_step_s(
            run.shape,
            run.acc,
            run.prec,
            run.eff,
            batch=len(decodes),
            context=context,
            riders=riders,
            rider_prompts=len(chunks),
            rider_attention=attention,
        )
        run.decoded(1, elapsed, len(decodes), context)
    elif chunks:
        run.clock += prefill_s(run.shape, run.acc, run.prec, run.eff, prompt=riders // len(chunks), prompts=len(chunks))
    for request in decodes:
        request.tokens += 1
        request.generated += 1
    for request, tokens in chunks:
        run.prefilled(request, tokens)


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
    waiting = deque(_Request(pending=prompt) for _ in range(sent))
    run = _Run(shape, acc, prec, eff, kv_tokens, limit, output, waiting, [], clients=sent)
    step = _v1_step if eff.piggyback_prefill else _v0_step
    finished: list[_Request] = []
    while run.waiting or run.running:
        step(run)
        done = len(finished)
        run.retire(finished)
        for _ in range(min(len(finished) - done, requests - sent)):
            run.waiting.append(_Request(pending=prompt, arrived_s=run.clock))
            sent += 1
    return BurstRun(_summary(run, finished), run.preemptions, run.recomputed)


def _summary(run: _Run, finished: list[_Request]) -> Performance:
    """The burst's Performance from its requests' first-token and finish times."""
    count = len(finished)
    first = [r.first_token_s if r.first_token_s is not None else r.arrived_s for r in finished]
    tpot = sum(r.finished_s - f for r, f in zip(finished, first, strict=True)) / count / max(1, run.output - 1)
    peak = run.acc.bandwidth_gbps * 1e9 * run.acc.count
    return Performance(
        concurrency=run.clients,
        ttft_s=sum(f - r.arrived_s + r.host_s for r, f in zip(finished, first, strict=True)) / count,
        tpot_s=tpot,
        output_tokens_per_s=count * run.output / run.clock,
        requests_per_s=count / run.clock,
        bandwidth_utilization=min(1.0, run.read_bytes / run.clock / peak),
        running=max(1, round(run.running_time / run.decode_time)) if run.decode_time else 1,
        queue_s=sum((r.admitted_s or r.arrived_s) - r.arrived_s for r in finished) / count,
    )
