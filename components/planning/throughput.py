"""What one replica does at a steady concurrency: TTFT, time per output token, tokens/s, and the best concurrency.

Built on the per-pass times of `step_time.py`; pure arithmetic, no catalog. Units: seconds, tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape
from inferstack.planning.step_time import decode_read_bytes, decode_step_s, prefill_s

# vLLM's default cap on sequences scheduled at once (--max-num-seqs).
MAX_BATCH = 256
# Offline runs batch as deep as the KV cache allows.
OFFLINE_LIMIT = 4096


def engine_max_num_seqs(acc: Accelerator) -> int:
    """The engine's default cap on running sequences on these GPUs."""
    del acc
    return MAX_BATCH


@dataclass(frozen=True)
class Performance:
    """What one replica does at a steady concurrency for a given prompt/output length."""

    concurrency: int
    ttft_s: float
    tpot_s: float
    output_tokens_per_s: float
    requests_per_s: float
    bandwidth_utilization: float


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
) -> Performance:
    """Steady state of `concurrency` sequences, each a prefill then `output` decode steps.

    Prefills and decode steps are counted one after the other (no overlap), which is conservative for engines
    that piggyback prefill chunks on decode steps.
    """
    del max_running
    pre = prefill_s(shape, acc, prec, eff, prompt=prompt)
    context = prompt + output / 2
    step = decode_step_s(shape, acc, prec, eff, batch=concurrency, context=context)
    # One cycle: every sequence prefills once and the batch takes `output` decode steps.
    cycle = concurrency * pre + output * step
    # The other sequences' prefills stall this one's decode steps; a new request waits, on average, for half of
    # the prefills in flight when it arrives.
    tpot = (cycle - pre) / output if output else step
    # The first token comes out of the prefill pass itself: no decode step is added.
    ttft = pre + (concurrency - 1) * (pre / cycle) * pre / 2
    read_per_step = decode_read_bytes(shape, prec, acc, batch=concurrency, context=context)
    peak = acc.bandwidth_gbps * 1e9 * acc.count
    return Performance(
        concurrency=concurrency,
        ttft_s=ttft,
        tpot_s=tpot,
        output_tokens_per_s=concurrency * output / cycle,
        requests_per_s=concurrency / cycle,
        bandwidth_utilization=min(1.0, read_per_step * output / cycle / peak),
    )


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
    limit: int | None = None,
) -> Performance | None:
    """The highest-throughput concurrency (up to the KV capacity and `limit`) that meets the objectives."""
    cap = engine_max_num_seqs(acc) if limit is None else limit
    best: Performance | None = None
    for concurrency in range(1, min(max_sequences, cap) + 1):
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
    requests: int | None = None,
) -> Performance:
    """An offline run (every request queued at once): the deepest batch the KV cache, the cap and the run allow."""
    running = max(1, min(max_sequences, OFFLINE_LIMIT, requests or OFFLINE_LIMIT))
    # Without latency objectives the deepest batch gives the most tokens/s: throughput grows with the batch.
    return performance(shape, acc, prec, eff, prompt=prompt, output=output, concurrency=running)


def replicas_needed(requests_per_s: float, per_replica: Performance) -> int:
    """Replicas that carry a request rate when each runs at `per_replica` (at least one)."""
    return max(1, math.ceil(requests_per_s / per_replica.requests_per_s - 1e-9))
