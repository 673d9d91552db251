"""What one replica does at a steady concurrency: TTFT, time per output token, tokens/s, and the best concurrency.

Built on the per-pass times of `step_time.py`; pure arithmetic, no catalog. Units: seconds, tokens.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape
from inferstack.planning.step_time import decode_read_bytes, decode_step_s, prefill_attention_flops, prefill_s

# vLLM's smallest default cap on sequences scheduled at once (--max-num-seqs; 1024 on large non-A100 GPUs).
MAX_BATCH = 256


@dataclass(frozen=True)
class Performance:
    """What one replica does at a steady concurrency for a given prompt/output length."""

    concurrency: int
    ttft_s: float
    tpot_s: float
    output_tokens_per_s: float
    requests_per_s: float
    bandwidth_utilization: float
    # Sequences the engine runs at once (≤ concurrency: its max_num_seqs or what the KV cache holds); the others wait.
    running: int = 0
    # Mean time a request waits for a free slot before its prefill starts (included in ttft_s).
    queue_s: float = 0.0


def performance(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    concurrency: int,
    max_running: int | None = None,
    queued: bool = False,
) -> Performance:
    """Steady state of `concurrency` clients, each sending a prompt, reading `output` tokens, and sending again.

    The engine runs at most `max_running` sequences; the rest queue (closed loop, Little's law). Chunked prefill
    hides part of the prefill work inside memory-bound decode steps (`Efficiency.prefill_stall` is what is not).
    `queued` (an offline run) or clients beyond the running set: prompts always wait, so each prefill pass takes as
    many of them as the engine's token budget holds.
    """
    running = concurrency if max_running is None else max(1, min(concurrency, max_running))
    together = prefill_batch(eff, prompt=prompt, running=running) if queued or concurrency > running else 1
    # A pass shared by several prompts reads the weights and pays the fixed cost once for all of them.
    pre = prefill_s(shape, acc, prec, eff, prompt=prompt, prompts=together) / together
    context = prompt + output / 2
    step = decode_step_s(shape, acc, prec, eff, batch=running, context=context)
    if eff.piggyback_prefill:
        return _piggybacked(
            shape,
            acc,
            prec,
            eff,
            prompt=prompt,
            output=output,
            concurrency=concurrency,
            running=running,
            together=together,
            step=step,
            context=context,
        )
    decode_total, prefill_total = output * step, running * pre
    # One cycle: every running sequence prefills once and the batch takes `output` decode steps.
    hidden = (1 - eff.prefill_stall) * min(decode_total, prefill_total)
    cycle = decode_total + prefill_total - hidden
    visible = 1 - hidden / prefill_total if prefill_total else 1.0
    # The other sequences' prefills stall this one's decode steps (the part not hidden).
    tpot = (cycle - pre * visible) / output if output else step
    # The first token comes out of the prefill pass itself; a prompt over the token budget takes a pass per chunk,
    # and a new request waits, on average, for half of the visible prefills in flight when it arrives.
    chunks = math.ceil(prompt / eff.batched_tokens) if eff.batched_tokens else 1
    # A request that finds the engine busy waits, on average, for half of the decode run in flight (one step, or
    # every step of a multi-step scheduler call) before its prefill pass; a lone client finds the engine idle.
    wait = eff.steps_per_schedule * step / 2 if running > 1 else 0.0
    others_prefilling = (running - 1) * (pre / cycle) * pre * visible / 2
    latency = request_latency(eff, others_rate(running, tpot))
    ttft = wait + pre + (chunks - 1) * step + others_prefilling + latency
    return _cycled(shape, acc, prec, concurrency, running, output, cycle, ttft=ttft, tpot=tpot, context=context)


def request_latency(eff: Efficiency, stream_rate: float) -> float:
    """First-token time outside the GPU passes while the other running sequences stream `stream_rate` tokens/s."""
    return eff.request_latency_s + eff.request_latency_per_token_rate * stream_rate


def others_rate(running: int, per_token_s: float) -> float:
    """Tokens per second the other running sequences stream: one each per output token's time, `per_token_s`."""
    return max(0, running - 1) / per_token_s if per_token_s > 0 else 0.0


def _piggybacked(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    concurrency: int,
    running: int,
    together: int,
    step: float,
    context: float,
) -> Performance:
    """`performance` under chunked prefill: each prompt's chunks ride in decode steps of the running batch.

    A chunk costs what it adds to a pass that reads the weights anyway (Agrawal et al., "Taming Throughput-Latency
    Tradeoff in LLM Inference with Sarathi-Serve", OSDI 2024: prefill chunks use the compute a memory-bound decode step
    leaves idle); `together` prompts share a step when they wait (an offline run).
    """
    # Every cycle of `output` steps prefills all `running` prompts: more prompts than steps share steps.
    together = max(together, math.ceil(running / output)) if output else together
    budget = eff.batched_tokens or prompt * together or 1
    chunk = max(1, min(prompt, budget // together)) if prompt > 0 else 0
    chunks = math.ceil(prompt / chunk) if chunk else 0
    # Each chunk attends to the prompt's earlier chunks too: the chunks share the whole prompt's causal attention.
    attention = together * prefill_attention_flops(shape, prompt) / chunks if chunks else 0.0
    mixed = decode_step_s(
        shape,
        acc,
        prec,
        eff,
        batch=running,
        context=context,
        riders=chunk * together,
        rider_prompts=together,
        rider_attention=attention,
    )
    # What one prompt adds to the cycle: its share of the extra time of the steps it rides in (a lone client's
    # prompt rides in no decode step: its passes are its own).
    added = chunks * max(0.0, mixed - (step if running > 1 and output else 0.0)) / together
    cycle = output * step + running * added
    tpot = (cycle - added) / output if output else step
    # A new request waits for the step in flight (none when the engine idles), then rides its chunks' steps.
    ttft = (step / 2 if running > 1 else 0.0) + chunks * mixed + request_latency(eff, others_rate(running, tpot))
    return _cycled(shape, acc, prec, concurrency, running, output, cycle, ttft=ttft, tpot=tpot, context=context)


def _cycled(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    concurrency: int,
    running: int,
    output: int,
    cycle: float,
    *,
    ttft: float,
    tpot: float,
    context: float,
) -> Performance:
    """The Performance of `running` sequences that each take `cycle` seconds per request, `concurrency` clients.

    Clients beyond the running set wait for a slot: each slot frees once per cycle.
    """
    queue = cycle * (concurrency - running) / running
    read_per_step = decode_read_bytes(shape, prec, acc, batch=running, context=context)
    peak = acc.bandwidth_gbps * 1e9 * acc.count
    return Performance(
        concurrency=concurrency,
        ttft_s=ttft + queue,
        tpot_s=tpot,
        output_tokens_per_s=running * output / cycle,
        requests_per_s=running / cycle,
        bandwidth_utilization=min(1.0, read_per_step * output / cycle / peak),
        running=running,
        queue_s=queue,
    )


def prefill_batch(eff: Efficiency, *, prompt: int, running: int) -> int:
    """Prompts one prefill pass takes while others wait: what fits the token budget (vLLM --max-num-batched-tokens).

    Without a budget (the roofline) every running sequence's prompt shares one pass.
    """
    if prompt <= 0:
        return 1
    if not eff.batched_tokens:
        return running
    return max(1, min(running, eff.batched_tokens // prompt))


@dataclass(frozen=True)
class Objectives:
    """Latency objectives a replica must meet; None means no objective."""

    ttft_s: float | None = None
    tpot_s: float | None = None

    def met_by(self, perf: Performance) -> bool:
        """True when the performance meets every objective."""
        ttft_ok = self.ttft_s is None or perf.ttft_s <= self.ttft_s
        tpot_ok = self.tpot_s is None or perf.tpot_s <= self.tpot_s
        return ttft_ok and tpot_ok


def best_performance(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    max_sequences: int,
    objectives: Objectives,
    limit: int = MAX_BATCH,
) -> Performance | None:
    """The highest-throughput concurrency (up to the KV capacity and the engine's `limit`) that meets the objectives."""
    best: Performance | None = None
    for concurrency in range(1, min(max_sequences, limit) + 1):
        perf = performance(shape, acc, prec, eff, prompt=prompt, output=output, concurrency=concurrency)
        if not objectives.met_by(perf):
            # Latency only grows with concurrency: once an objective is missed, larger batches miss it too.
            break
        if best is None or perf.output_tokens_per_s > best.output_tokens_per_s:
            best = perf
    return best


def offline_performance(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    max_sequences: int,
    limit: int = MAX_BATCH,
    requests: int | None = None,
    longest_output: int | None = None,
) -> Performance:
    """An offline run (every request queued at once): the deepest batch the KV cache, the engine and the run allow.

    A finite burst of `requests` whose longest output is `longest_output` tokens lasts at least as long as that request.
    """
    running = max(1, min(max_sequences, limit, requests or limit))
    # Without latency objectives the deepest batch gives the most tokens/s: throughput grows with the batch.
    perf = performance(shape, acc, prec, eff, prompt=prompt, output=output, concurrency=running, queued=True)
    if requests is None or longest_output is None or longest_output <= output:
        return perf
    # One request decodes one token per step whatever the batch, so mixed lengths (ShareGPT) leave a tail where the
    # batch drains to the longest request: the run takes at least its prefill and `longest_output` steps, run at
    # about half the batch on average as the others finish.
    step = decode_step_s(shape, acc, prec, eff, batch=max(1, running // 2), context=prompt + longest_output / 2)
    floor = prefill_s(shape, acc, prec, eff, prompt=prompt) + longest_output * step
    duration = requests * output / perf.output_tokens_per_s
    if floor <= duration:
        return perf
    return dataclasses.replace(perf, output_tokens_per_s=requests * output / floor, requests_per_s=requests / floor)


def replicas_needed(requests_per_s: float, per_replica: Performance) -> int:
    """Replicas that carry a request rate when each runs at `per_replica` (at least one)."""
    return max(1, math.ceil(requests_per_s / per_replica.requests_per_s - 1e-9))
