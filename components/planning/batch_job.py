"""An offline batch job: N requests queued at once or sent by C workers, each generating its full output; how long.

A batch that the KV cache holds at its final length runs as one deep batch (throughput.offline_performance); a larger
one, or one sent by fewer workers than requests (each sends its next request when the last one ends), goes through
vLLM's scheduler (burst.py), which admits prompts on their current blocks and preempts by recompute.
Every request is taken to generate exactly `output` tokens (max_tokens reached, or --ignore-eos): the most work the
job can take. Or, with `lengths="sharegpt"`, requests spread like chat traffic around those means (planning/
length_mix.py, the catalog's ShareGPT sample), queued at once and followed through the scheduler as they finish.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from inferstack.planning.burst import BurstRun, burst_performance, mixed_burst_performance
from inferstack.planning.length_mix import sharegpt_lengths
from inferstack.planning.sizing import Accelerator, Efficiency, MemoryFit, Precision, Shape
from inferstack.planning.throughput import offline_performance

# How a job's request lengths spread: all at the given lengths, or like the catalog's ShareGPT sample around them.
Lengths = Literal["fixed", "sharegpt"]


@dataclass(frozen=True)
class BatchRun:
    """What an offline batch of `requests` does on one replica."""

    requests: int
    duration_s: float
    output_tokens_per_s: float
    # Mean time from a request's sending (the job's start, when all are queued at once) to its first token.
    mean_ttft_s: float
    # Sequences decoding at once (time-weighted mean where the scheduler is followed).
    running: int
    preemptions: int
    recomputed_tokens: int
    # "one batch" when the KV cache holds every request at once, "scheduler" when vLLM's admission is followed.
    model: Literal["one batch", "scheduler"]
    # Workers sending the requests (None: all queued at once).
    clients: int | None = None
    # "fixed": every request at the given lengths; "sharegpt": spread around them like the ShareGPT sample.
    lengths: Lengths = "fixed"

    def describe(self) -> str:
        """One line: how long the job runs, and what the scheduler redid to get there."""
        senders = f", sent by {self.clients} workers" if self.clients else ""
        each = "each to its full output" if self.lengths == "fixed" else "lengths spread as ShareGPT's around the means"
        line = (
            f"batch of {self.requests:,} ({each}{senders}): {self.duration_s:,.1f} s on one replica, "
            f"{self.output_tokens_per_s:,.0f} output tokens/s, first tokens after {self.mean_ttft_s:,.1f} s on "
            f"average, {self.running} decoding at once"
        )
        if self.preemptions:
            line += (
                f"; beyond the KV cache vLLM preempts {self.preemptions:,} time(s) and prefills "
                f"{self.recomputed_tokens:,} tokens again"
            )
        return line


def kv_capacity_tokens(fit: MemoryFit, length: int) -> int:
    """Tokens the KV cache holds, from a fit computed for sequences of `length` tokens (0 when nothing fits)."""
    if fit.kv_per_sequence_gib <= 0 or fit.kv_budget_gib <= 0:
        return 0
    return int(fit.kv_budget_gib / fit.kv_per_sequence_gib * length)


def batch_run(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    fit: MemoryFit,
    *,
    prompt: int,
    output: int,
    requests: int,
    limit: int,
    clients: int | None = None,
    lengths: Lengths = "fixed",
) -> BatchRun | None:
    """The batch job on one replica whose memory is `fit` (computed at `prompt + output`); None when no request fits.

    `clients`: the workers sending the requests, each its next when the last one ends (None: all queued at once).
    `lengths="sharegpt"` spreads the requests around the given means (queued at once; `clients` is not read).
    """
    length = prompt + output
    kv_tokens = kv_capacity_tokens(fit, length)
    if kv_tokens < length or requests < 1:
        return None
    if lengths == "sharegpt":
        spread = sharegpt_lengths(prompt, output, requests)
        try:
            run = mixed_burst_performance(shape, acc, prec, eff, lengths=spread, kv_tokens=kv_tokens, limit=limit)
        except ValueError:
            # The longest request of the spread does not fit the cache, or V0's watermark refuses every prompt.
            return None
        return _scheduled(run, requests, sum(o for _, o in spread), None, "sharegpt")
    workers = None if clients is None or clients >= requests else clients
    if workers is None and requests * length <= kv_tokens and requests <= limit:
        perf = offline_performance(
            shape, acc, prec, eff, prompt=prompt, output=output, max_sequences=requests, limit=limit, requests=requests
        )
        duration = requests * output / perf.output_tokens_per_s
        return BatchRun(requests, duration, perf.output_tokens_per_s, perf.ttft_s, perf.running, 0, 0, "one batch")
    try:
        run = burst_performance(
            shape,
            acc,
            prec,
            eff,
            prompt=prompt,
            output=output,
            requests=requests,
            kv_tokens=kv_tokens,
            limit=limit,
            clients=workers,
        )
    except ValueError:
        # vLLM V0 never admits a prompt that leaves less than its watermark of the cache free.
        return None
    return _scheduled(run, requests, requests * output, workers, "fixed")


def _scheduled(run: BurstRun, requests: int, tokens: int, workers: int | None, lengths: Lengths) -> BatchRun:
    """The BatchRun of a job followed through the scheduler, which generated `tokens` output tokens in all."""
    perf = run.performance
    return BatchRun(
        requests,
        tokens / perf.output_tokens_per_s,
        perf.output_tokens_per_s,
        perf.ttft_s,
        perf.running,
        run.preemptions,
        run.recomputed_tokens,
        "scheduler",
        workers,
        lengths,
    )
