"""How long a model server may take to start: the budget of its startupProbe.

A replica is "starting" while it reads its weights and warms up (CUDA graphs, compilation). The budget is

    budget = warmup + safety × weights_gib / read_gib_per_second

rounded up to whole probe periods. Callers pass the model's weight size from the sizing model
(`capacity.weights_gb`) when its shape is known, else an upper bound: the weights of a replica can never
exceed the accelerator memory it has (tensor_parallel × GPU memory), or the memory limit of a CPU container.
"""

from __future__ import annotations

import math

# Engine start, CUDA-graph capture and compilation of a warm image, measured in minutes rather than seconds.
WARMUP_SECONDS = 180
# Throughput varies with bucket load and node network: allow half again as long as the nominal read.
SAFETY_FACTOR = 1.5
PROBE_PERIOD_SECONDS = 10


def startup_budget_seconds(
    weights_gib: float, read_gib_per_second: float, *, warmup_seconds: int = WARMUP_SECONDS
) -> int:
    """Seconds a replica may spend starting before Kubernetes restarts it (a multiple of the probe period)."""
    if weights_gib < 0 or read_gib_per_second <= 0:
        raise ValueError("weights must be ≥ 0 GiB and throughput > 0 GiB/s")
    raw = warmup_seconds + SAFETY_FACTOR * weights_gib / read_gib_per_second
    return math.ceil(raw / PROBE_PERIOD_SECONDS) * PROBE_PERIOD_SECONDS


def startup_failure_threshold(budget_seconds: int) -> int:
    """The startupProbe failureThreshold that gives `budget_seconds` at the standard probe period."""
    return max(1, math.ceil(budget_seconds / PROBE_PERIOD_SECONDS))
