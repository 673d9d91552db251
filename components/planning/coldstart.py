"""Cold start of a replica: node ready + image pull + weight load + engine start.

Pure: the inputs are plain numbers (from the catalog's startup estimates); the workload's startupProbe budget
uses `startup_budget_s`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ColdStart:
    """The parts of one replica's cold start, in seconds."""

    node_ready_s: float
    image_pull_s: float
    weight_load_s: float
    engine_start_s: float

    @property
    def total_s(self) -> float:
        """Expected time from scale-up to a ready replica."""
        return self.node_ready_s + self.image_pull_s + self.weight_load_s + self.engine_start_s

    @property
    def pod_s(self) -> float:
        """Time from the pod's start on a ready node to ready (what a startupProbe sees)."""
        return self.image_pull_s + self.weight_load_s + self.engine_start_s


def cold_start(
    *,
    weights_gb: float,
    weight_load_gbps: float,
    image_gb: float,
    image_pull_gbps: float,
    engine_start_s: float,
    node_ready_s: float = 0.0,
) -> ColdStart:
    """Each part of a cold start from sizes and throughputs (GB and GB/s)."""
    return ColdStart(
        node_ready_s=node_ready_s,
        image_pull_s=image_gb / image_pull_gbps,
        weight_load_s=weights_gb / weight_load_gbps,
        engine_start_s=engine_start_s,
    )


def startup_budget_s(start: ColdStart, safety_factor: float = 1.5) -> int:
    """Seconds a startupProbe should allow a pod: its expected start times a safety factor, rounded up to 10 s."""
    return int(math.ceil(start.pod_s * safety_factor / 10.0) * 10)
