"""TTFT of a closed loop whose clients arrive in waves: fixed lengths keep them in step, so prompts share a pass.

A benchmark client that starts `concurrency` clients at once (vLLM's `bench serve --max-concurrency` with
`--request-rate inf`, or a semaphore of streaming clients) and gives every request the same prompt and output length
(`--ignore-eos`, or `max_tokens` always reached) keeps them synchronised: the requests prefilled in one pass finish in
the same step, and their clients send the next ones together. Each wave's prompts then wait for one prefill pass that
holds as many of them as the engine's token budget takes (vLLM's scheduler fills a step with waiting prompts up to
--max-num-batched-tokens), instead of arriving one by one into decode steps. The first wave of any finite run whose
clients start together waits for every pass ahead of it (`with_startup`). Pure arithmetic, no catalog.
"""

from __future__ import annotations

import dataclasses

from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape
from inferstack.planning.step_time import prefill_s
from inferstack.planning.throughput import Performance, others_rate, prefill_batch, request_latency


def wave_ttft_s(
    shape: Shape, acc: Accelerator, prec: Precision, eff: Efficiency, *, prompt: int, running: int, stream_rate: float
) -> float:
    """First-token time of a prompt arriving in a wave of `running` prompts: the pass that holds its share of them,
    and the API server's latency while the others stream `stream_rate` tokens/s."""
    together = prefill_batch(eff, prompt=prompt, running=running)
    return prefill_s(shape, acc, prec, eff, prompt=prompt, prompts=together) + request_latency(eff, stream_rate)


def in_waves(
    perf: Performance, shape: Shape, acc: Accelerator, prec: Precision, eff: Efficiency, *, prompt: int
) -> Performance:
    """`perf` with the TTFT of synchronised arrivals: the later of the steady state's and the wave's pass.

    One client (a wave of one) keeps the steady state's TTFT; the queue for a slot, if any, still adds to it.
    """
    if perf.running <= 1:
        return perf
    steady = perf.ttft_s - perf.queue_s
    rate = others_rate(perf.running, perf.tpot_s)
    wave = wave_ttft_s(shape, acc, prec, eff, prompt=prompt, running=perf.running, stream_rate=rate)
    return dataclasses.replace(perf, ttft_s=max(steady, wave) + perf.queue_s)


def startup_ttft_s(
    shape: Shape, acc: Accelerator, prec: Precision, eff: Efficiency, *, prompt: int, clients: int, stream_rate: float
) -> float:
    """Mean first-token time of a run's first wave: `clients` prompts sent at once, prefilled pass after pass.

    The passes take as many prompts as the token budget holds, in arrival order; a prompt's first token comes out of
    its own pass, after every pass before it. Decode steps of the prompts already served, which the engine runs
    between or beside these passes, are left out: this is the least the wave waits.
    """
    clients = max(1, clients)
    together = prefill_batch(eff, prompt=prompt, running=clients)
    full, rest = divmod(clients, together)
    pass_s = prefill_s(shape, acc, prec, eff, prompt=prompt, prompts=together)
    # The g-th full pass's prompts wait g passes; a last, partial pass ends after all the full ones.
    waited = together * pass_s * full * (full + 1) / 2
    if rest:
        waited += rest * (full * pass_s + prefill_s(shape, acc, prec, eff, prompt=prompt, prompts=rest))
    return waited / clients + request_latency(eff, stream_rate)


def with_startup(
    perf: Performance,
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    requests: int,
) -> Performance:
    """`perf` with the mean TTFT of a finite closed-loop run of `requests` whose clients all start at once.

    vLLM's `bench serve` at the default request rate (inf) with --max-concurrency sends the first `concurrency`
    requests together (benchmarks/serve.py get_request: no delay between them); later requests follow completions and
    meet the steady state. A run of few requests per client is dominated by that first wave.
    """
    first = min(requests, max(1, perf.running))
    if first <= 1:
        return perf
    rate = others_rate(first, perf.tpot_s)
    wave = startup_ttft_s(shape, acc, prec, eff, prompt=prompt, clients=first, stream_rate=rate)
    ttft = (first * max(wave, perf.ttft_s - perf.queue_s) + (requests - first) * perf.ttft_s) / requests
    return dataclasses.replace(perf, ttft_s=ttft)
