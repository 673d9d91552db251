"""vLLM's scheduler as burst.py follows it: the state of a run and one scheduling step of V0 or of V1.

The rules and their sources are in burst.py's docstring. Pure arithmetic on the per-pass times of step_time.py.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape
from inferstack.planning.step_time import decode_read_bytes, decode_step_s, prefill_attention_flops, prefill_s
from inferstack.planning.throughput import others_rate, request_latency

# vLLM V0 keeps this share of the KV blocks free when it admits a waiting request (CacheConfig watermark, 0.01).
WATERMARK = 0.01


@dataclass
class SimRequest:
    """One request: the prefill tokens it owes, the tokens it generates, the KV tokens it holds and has generated."""

    pending: int
    output: int
    tokens: int = 0
    generated: int = 0
    first_token_s: float | None = None
    admitted_s: float | None = None
    finished_s: float = 0.0
    # When its client sent it: 0 for a request queued at the start, a predecessor's finish in a closed loop.
    arrived_s: float = 0.0
    # First-token time outside the GPU passes (throughput.request_latency at its running batch).
    host_s: float = 0.0
    # The state's `bulk` when `tokens` and `generated` were last brought up to date (SchedulerState.sync), and the
    # `bulk` at which it will have generated its whole output if nothing else adds to it (set while it runs).
    mark: int = 0
    finish_at: int = 0


@dataclass
class SchedulerState:
    """The burst's state as the scheduler works through it."""

    shape: Shape
    acc: Accelerator
    prec: Precision
    eff: Efficiency
    kv_tokens: int
    limit: int
    waiting: deque[SimRequest]
    running: list[SimRequest]
    clock: float = 0.0
    decode_time: float = 0.0
    running_time: float = 0.0
    read_bytes: float = 0.0
    preemptions: int = 0
    recomputed: int = 0
    # Requests in the system at once: the clients of a closed loop, or the whole burst.
    clients: int = 0
    # KV tokens the running requests hold, and how many of them still owe prefill tokens (kept as they change).
    used: int = 0
    prefilling: int = 0
    # False after a decode stretch that stopped short of every request's last token: retire() has nothing to look for.
    may_finish: bool = True
    # Time of the last decode step: each running request streams a token to its client per step (0: none yet).
    step_s: float = 0.0
    # Decode tokens every running request has gained together (decode stretches, and mixed steps that decode the
    # whole decoding set): such a step adds to this count, not to each request, and a request's own fields catch up
    # (sync) only where they are read. Steps of a thousand running requests are most of a long burst; walking each
    # one was most of its time.
    bulk: int = 0

    @property
    def free(self) -> int:
        """KV tokens no running request holds."""
        return self.kv_tokens - self.used

    def sync(self, request: SimRequest) -> None:
        """Bring a running request's tokens and generated count up to date with the stretches since its mark."""
        behind = self.bulk - request.mark
        if behind:
            request.tokens += behind
            request.generated += behind
            request.mark = self.bulk

    def admit(self, request: SimRequest) -> None:
        """Move the head of the queue to the running set; a readmitted request prefills all it held again."""
        self.waiting.popleft()
        request.admitted_s = self.clock if request.admitted_s is None else request.admitted_s
        # A waiting request is up to date (preemption synced it): from here it counts the stretches it runs through.
        request.mark = self.bulk
        request.finish_at = self.bulk + request.output - request.generated
        self.running.append(request)
        self.prefilling += 1

    def preempt_newest(self) -> int:
        """Free the newest running request's blocks (their count is returned) and queue it first, to prefill again."""
        victim = self.running.pop()
        self.sync(victim)
        freed = victim.tokens
        # What it computed is redone on readmission, with whatever of its prompt it had not reached yet.
        self.recomputed += victim.tokens
        self.used -= victim.tokens
        self.prefilling -= 1 if victim.pending else 0
        victim.pending, victim.tokens = victim.tokens + victim.pending, 0
        self.waiting.appendleft(victim)
        self.preemptions += 1
        return freed

    def decode_stretch(self) -> None:
        """Decode steps with nothing to admit or prefill: until a request finishes or the cache is full."""
        if not self.running:
            # V0 never admits a prompt that would leave less than its watermark free (AllocStatus.NEVER).
            raise ValueError("no request can be admitted: the KV cache is too small for one past vLLM's watermark")
        while len(self.running) > 1 and self.free < len(self.running):
            self.preempt_newest()
        batch = len(self.running)
        # A list, not a generator: this runs every few steps over every running request, and a list is faster.
        closest = min([r.finish_at for r in self.running]) - self.bulk
        steps = max(1, min(closest, self.free // batch))
        self.may_finish = steps >= closest
        context = self.used / batch + (steps - 1) / 2
        self.decoded(
            steps,
            steps * decode_step_s(self.shape, self.acc, self.prec, self.eff, batch=batch, context=context),
            batch,
            context,
        )
        self.bulk += steps
        self.used += steps * batch

    def decoded(self, steps: int, elapsed: float, batch: int, context: float) -> None:
        """Account `steps` decode steps of `batch` sequences at `context` tokens that took `elapsed` seconds."""
        self.clock += elapsed
        self.decode_time += elapsed
        self.running_time += elapsed * batch
        self.step_s = elapsed / steps if steps else self.step_s
        self.read_bytes += steps * decode_read_bytes(self.shape, self.prec, self.acc, batch=batch, context=context)

    def prefilled(self, request: SimRequest, tokens: int) -> None:
        """`tokens` more of a request's prefill are done; the pass that ends it samples its next token."""
        request.pending -= tokens
        request.tokens += tokens
        self.used += tokens
        if request.pending == 0:
            request.tokens += 1
            request.generated += 1
            request.finish_at -= 1
            self.used += 1
            self.prefilling -= 1
            if request.first_token_s is None:
                request.first_token_s = self.clock
                # The token leaves the engine after its host work (API server, detokenizer) behind the others' stream.
                request.host_s = request_latency(self.eff, others_rate(len(self.running), self.step_s))

    def retire(self, finished: list[SimRequest]) -> None:
        """Take the requests that have generated their whole output out of the running set."""
        if not self.may_finish:
            self.may_finish = True
            return
        bulk = self.bulk
        done = [r for r in self.running if r.finish_at <= bulk]
        for request in done:
            self.sync(request)
            request.finished_s = self.clock
            self.used -= request.tokens
        finished.extend(done)
        if done:
            self.running = [r for r in self.running if r.finish_at > bulk]


def v0_step(run: SchedulerState) -> None:
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


def v1_step(run: SchedulerState) -> None:
    """V1: running requests first (a decode token, or a prompt chunk), then waiting ones on what budget is left."""
    if run.prefilling == 0 and not _v1_admits(run):
        run.decode_stretch()
        return
    budget = run.eff.batched_tokens or run.kv_tokens
    free, chunks, decodes, preempted, index = run.free, [], [], False, 0
    decoding = len(run.running) - run.prefilling
    leading = min(free, budget) >= decoding
    if leading:
        # Prompts are prefilled in admission order (a later one gets budget only once the earlier ones got all they
        # owed), so the prefilling requests are the newest: the decoding ones lead the list and, when a token each
        # fits, take it without a walk, which then starts at the first prompt still owed.
        decodes, index = run.running[:decoding], decoding
        free, budget = free - index, budget - index
    while index < len(run.running) and budget > 0:
        request = run.running[index]
        want = min(request.pending, budget) if request.pending else 1
        while free < want and run.running[-1] is not request:
            free += run.preempt_newest()
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
    # Without a preemption the decoding requests are still the leading slice of the running set.
    _mixed_step(run, decodes, chunks, leading=leading and not preempted)


def _v1_admits(run: SchedulerState) -> bool:
    """Whether V1 would admit the head of the queue next step: a slot, token budget and blocks for its next chunk."""
    if not run.waiting or len(run.running) >= run.limit:
        return False
    budget = (run.eff.batched_tokens or run.kv_tokens) - len(run.running)
    return budget > 0 and run.free - len(run.running) >= min(run.waiting[0].pending, budget)


def _mixed_step(
    run: SchedulerState, decodes: list[SimRequest], chunks: list[tuple[SimRequest, int]], *, leading: bool = False
) -> None:
    """One V1 pass: `decodes` gain a token while the prompt chunks ride in the same pass.

    `leading`: the decodes are the running set's leading requests (every one not still owed prompt tokens), so their
    token is counted once for the set (`bulk`) and taken back from the few that follow them.
    """
    for request, _ in chunks:
        run.sync(request)
    riders = sum(tokens for _, tokens in chunks)
    # Each chunk attends to the tokens of its prompt before it as well as to its own.
    attention = sum(
        prefill_attention_flops(run.shape, r.tokens + n) - prefill_attention_flops(run.shape, r.tokens)
        for r, n in chunks
    )
    if decodes:
        # With every running request scheduled, the decoding ones hold all but the prefilling prompts' tokens.
        everyone = len(decodes) + len(chunks) == len(run.running)
        if not everyone:
            for request in decodes:
                run.sync(request)
        held = run.used - sum(r.tokens for r, _ in chunks) if everyone else sum(r.tokens for r in decodes)
        context = held / len(decodes)
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
    if leading and decodes:
        # Every running request gains the token; those still owed prompt tokens (the rest of the list) give it
        # back in their own fields, and reach their last token one count later.
        run.bulk += 1
        for request in run.running[len(decodes) :]:
            request.tokens -= 1
            request.generated -= 1
            request.finish_at += 1
    else:
        for request in decodes:
            # The true counts are the fields plus the stretches since the mark: adding to the fields needs no sync.
            request.tokens += 1
            request.generated += 1
            request.finish_at -= 1
    run.used += len(decodes)
    for request, tokens in chunks:
        run.prefilled(request, tokens)
