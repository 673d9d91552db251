"""Re-derives a fitted factor by the rule its efficiency.yaml entry states: `.venv/bin/python -m tests.bench.refit`.

A model change can leave a fitted value stale without any held-out aggregate failing; the suite re-runs the rule
(tests/bench/test_refit.py) so the catalog's value stays the one its source describes.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from typing import Any

from inferstack import catalog
from inferstack.planning.engine_version import V1_DEFAULT
from inferstack.planning.sizing import Efficiency
from tests.bench.engines import vllm_minor
from tests.bench.published_report import error, load_table, predict, source_of

LATENCIES = ("tpot_ms", "ttft_ms")
# Past this host time per sequence the rate points' one replica no longer carries its rate (the search's ceiling).
V1_OVERHEAD_HIGH_S = 0.0004

# efficiency.yaml moe_gemm: "fitted to the 6 MoE calibration points" (vLLM 0.11 gpt-oss-20b offline on H100,
# TensorRT-LLM 0.17 Mixtral 8x7B on H100 at TP1 and TP2, LambdaLabs vLLM 0.5.4 Mixtral on A100 TP4/TP8 and H100 TP2).
MOE_GEMM_POINTS = (
    "vllm-0.11-gpt-oss-20b-h100-offline-random-4k",
    "trtllm-0.17-mixtral-8x7b-h100-sxm-tp1-5000in-500out",
    "trtllm-0.17-mixtral-8x7b-h100-sxm-tp2-128in-2048out",
    "lambda-vllm-0.5.4-mixtral-8x7b-a100-80gb-tp4-sharegpt320",
    "lambda-vllm-0.5.4-mixtral-8x7b-a100-80gb-tp8-sharegpt320",
    "lambda-vllm-0.5.4-mixtral-8x7b-h100-sxm-tp2-sharegpt320",
)


def fit_points(ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """The published points a rule names, in its order."""
    by_id = {point["id"]: point for point in load_table()["points"]}
    return [by_id[point_id] for point_id in ids]


def moe_gemm_log_error(value: float, points: list[dict[str, Any]]) -> float:
    """Mean log error of `points` with `moe_gemm` set to `value` (throughput points: rises with the value)."""

    def adjust(eff: Efficiency) -> Efficiency:
        return dataclasses.replace(eff, moe_gemm=value)

    return statistics.mean(math.log(1 + error(point, predict(point, adjust=adjust))) for point in points)


def moe_gemm_fit(low: float = 0.3, high: float = 1.0, steps: int = 12) -> float:
    """The `moe_gemm` that zeroes the mean log error of its six calibration points (bisection)."""
    points = fit_points(MOE_GEMM_POINTS)
    for _ in range(steps):
        middle = (low + high) / 2
        if moe_gemm_log_error(middle, points) > 0:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def v1_calibration_points() -> dict[str, list[dict[str, Any]]]:
    """efficiency.yaml v1_sequence_overhead_s's points: every vLLM V1 (0.8 on) calibration point, by lab.

    gpustack's performance lab apart from every other source: the two want opposite values (the entry says why).
    """
    points = [
        point
        for point in load_table()["points"]
        if point["use"] == "calibration" and (minor := vllm_minor(point)) is not None and (0, minor) >= V1_DEFAULT
    ]
    gpustack = [point for point in points if source_of(point) == "gpustack"]
    return {"all": points, "gpustack": gpustack, "other": [point for point in points if point not in gpustack]}


def v1_overhead_log_error(value: float, points: list[dict[str, Any]]) -> float:
    """Mean log error of `points` with V1's host time per sequence at `value`, + where the model is optimistic."""

    def adjust(eff: Efficiency) -> Efficiency:
        return dataclasses.replace(eff, sequence_overhead_s=value)

    logs = [math.log(1 + error(point, predict(point, adjust=adjust))) for point in points]
    return statistics.mean(-x if point["metric"] in LATENCIES else x for x, point in zip(logs, points, strict=True))


def v1_overhead_fit(points: list[dict[str, Any]], high: float, steps: int = 10) -> float:
    """The V1 host time per sequence that zeroes `points`' mean log error (0 when even none leaves them pessimistic)."""
    low = 0.0
    if v1_overhead_log_error(low, points) <= 0:
        return low
    for _ in range(steps):
        middle = (low + high) / 2
        if v1_overhead_log_error(middle, points) > 0:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def main() -> None:
    """Prints each refitted factor next to the catalog's value."""
    factors = catalog.efficiency().factors
    stored = factors.moe_gemm.value
    print(f"moe_gemm  catalog {stored:.3f}  refit {moe_gemm_fit():.3f}  (six MoE calibration points, mean log error 0)")
    stored = factors.v1_sequence_overhead_s.value
    for lab, points in v1_calibration_points().items():
        fit, at = v1_overhead_fit(points, high=V1_OVERHEAD_HIGH_S), v1_overhead_log_error(stored, points)
        zero = f"beyond {fit * 1e3:.1f} ms" if fit >= V1_OVERHEAD_HIGH_S * 0.999 else f"at {fit * 1e3:.3f} ms"
        print(
            f"v1_sequence_overhead_s  catalog {stored * 1e3:.3f} ms  {lab} ({len(points)} V1 calibration points): "
            f"zero {zero}, mean log error {at:+.3f} at the catalog value"
        )


if __name__ == "__main__":
    main()
