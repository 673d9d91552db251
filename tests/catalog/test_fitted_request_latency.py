"""The vLLM first-token latency outside the GPU is what its source says: the calibration TTFTs' best fit on its grid.

efficiency.yaml records v1_request_latency_s and v1_request_latency_per_token_rate as the pair that minimises the mean
|log error| of the vLLM TTFT calibration points (a 1 ms by 1 us-per-token/s grid). A change to the GPU-time model that
moves that optimum makes this fail, so the recorded fit and its source text are redone rather than left stale.
"""

from __future__ import annotations

import dataclasses
import math
import statistics

from inferstack import catalog
from inferstack.planning.sizing import Efficiency
from tests.bench.published_report import load_table, predict

CALIBRATION_TTFTS = [
    point
    for point in load_table()["points"]
    if point["engine"] == "vllm" and point["metric"] == "ttft_ms" and point["use"] == "calibration"
]


def _mean_abs_log_error(base_s: float, per_token_rate: float) -> float:
    def with_latency(eff: Efficiency) -> Efficiency:
        return dataclasses.replace(eff, request_latency_s=base_s, request_latency_per_token_rate=per_token_rate)

    return statistics.mean(abs(math.log(predict(p, adjust=with_latency) / p["measured"])) for p in CALIBRATION_TTFTS)


def test_the_recorded_latency_pair_is_the_calibration_optimum_on_its_grid() -> None:
    factors = catalog.efficiency().factors
    base, slope = factors.v1_request_latency_s.value, factors.v1_request_latency_per_token_rate.value
    assert len(CALIBRATION_TTFTS) >= 20
    recorded = _mean_abs_log_error(base, slope)
    for step_base, step_slope in ((0.001, 0.0), (-0.001, 0.0), (0.0, 1e-6), (0.0, -1e-6)):
        neighbour = _mean_abs_log_error(base + step_base, max(0.0, slope + step_slope))
        assert recorded <= neighbour + 1e-9, (step_base, step_slope, recorded, neighbour)
