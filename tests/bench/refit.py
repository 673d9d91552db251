"""Re-derives a fitted factor by the rule its efficiency.yaml entry states: `.venv/bin/python -m tests.bench.refit`.

A model change can leave a fitted value stale without any held-out aggregate failing; the suite re-runs the rule
(tests/bench/test_refit.py) so the catalog's value stays the one its source describes.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Callable
from typing import Any

from inferstack import catalog
from inferstack.planning.engine_version import ASYNC_SCHEDULING_DEFAULT, V1_DEFAULT
from inferstack.planning.sizing import Efficiency
from tests.bench.engines import vllm_minor
from tests.bench.published_report import LATENCIES, error, load_table, predict, source_of

# Past this host time per sequence the rate points' one replica no longer carries its rate (the search's ceiling).
V1_OVERHEAD_HIGH_S = 0.0004
# The legacy (vLLM 0.5) host cost's search ceiling: each GPU's fit sits well below it.
LEGACY_HIGH_S = 0.0005

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


def optimism(point: dict[str, Any], adjust: Callable[[Efficiency], Efficiency]) -> float:
    """Log of predicted over measured, signed so that + is an optimistic model (latencies inverted)."""
    logged = math.log(1 + error(point, predict(point, adjust=adjust)))
    return -logged if point["metric"] in LATENCIES else logged


def bisect_zero(f: Callable[[float], float], low: float, high: float, *, rising: bool, steps: int = 12) -> float:
    """Where a monotone `f` (rising with its argument, or falling) crosses zero between `low` and `high`."""
    for _ in range(steps):
        middle = (low + high) / 2
        if (f(middle) > 0) == rising:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def moe_gemm_log_error(value: float, points: list[dict[str, Any]]) -> float:
    """Mean log error of `points` with `moe_gemm` set to `value` (throughput points: rises with the value)."""
    return statistics.mean(optimism(point, lambda eff: dataclasses.replace(eff, moe_gemm=value)) for point in points)


def moe_gemm_fit(low: float = 0.3, high: float = 1.0, steps: int = 12) -> float:
    """The `moe_gemm` that zeroes the mean log error of its six calibration points (bisection)."""
    points = fit_points(MOE_GEMM_POINTS)
    return bisect_zero(lambda value: moe_gemm_log_error(value, points), low, high, rising=True, steps=steps)


def host_cost_log_error(value: float, points: list[dict[str, Any]]) -> float:
    """Mean log error of `points` with the engine's host time per running sequence at `value` (falls with it)."""
    return statistics.mean(
        optimism(point, lambda eff: dataclasses.replace(eff, sequence_overhead_s=value)) for point in points
    )


def host_cost_fit(points: list[dict[str, Any]], high: float, steps: int = 10) -> float:
    """The host time per sequence that zeroes `points`' mean log error (0 when even none leaves them pessimistic)."""
    if host_cost_log_error(0.0, points) <= 0:
        return 0.0
    return bisect_zero(lambda value: host_cost_log_error(value, points), 0.0, high, rising=False, steps=steps)


def v1_calibration_points() -> dict[str, list[dict[str, Any]]]:
    """efficiency.yaml v1_sequence_overhead_s's points: every vLLM V1 (0.8 on) calibration point, by lab and by regime.

    gpustack's performance lab apart from every other source, and the releases that add the host time to each step
    (before async scheduling, v0.14) apart from those that overlap it with the GPU, as the pinned engine does: the
    groups want different values (the entry says why).
    """
    points = [
        point
        for point in load_table()["points"]
        if point["use"] == "calibration" and (minor := vllm_minor(point)) is not None and (0, minor) >= V1_DEFAULT
    ]
    gpustack = [point for point in points if source_of(point) == "gpustack"]
    overlapped = [point for point in points if (0, vllm_minor(point) or 0) >= ASYNC_SCHEDULING_DEFAULT]
    return {
        "all": points,
        "gpustack": gpustack,
        "other": [point for point in points if point not in gpustack],
        "added": [point for point in points if point not in overlapped],
        "overlapped": overlapped,
    }


def legacy_calibration_points() -> dict[str, list[dict[str, Any]]]:
    """efficiency.yaml legacy_sequence_overhead_s's points: the LambdaLabs vLLM 0.5.4 calibration runs, all and by GPU.

    The fallback value zeroes all of them, each GPU's own value (the gpus table) that GPU's runs only.
    """
    points = [
        point
        for point in load_table()["points"]
        if point["use"] == "calibration" and source_of(point) == "lambda" and vllm_minor(point) == 5
    ]
    by_gpu = {gpu: [point for point in points if point["gpu"] == gpu] for gpu in sorted({p["gpu"] for p in points})}
    return {"all": points, **by_gpu}


def legacy_stored(group: str) -> float:
    """The catalog's legacy_sequence_overhead_s for a group of legacy_calibration_points (a GPU's, or the fallback)."""
    per_gpu = catalog.efficiency().gpus.get(group)
    own = per_gpu.legacy_sequence_overhead_s if per_gpu is not None else None
    return own if own is not None else catalog.efficiency().factors.legacy_sequence_overhead_s.value


def sglang_ttft_points() -> list[dict[str, Any]]:
    """efficiency.yaml sglang_request_latency_s's points: the SGLang TTFT calibration points."""
    return [
        point
        for point in load_table()["points"]
        if point["engine"] == "sglang" and point["metric"] == "ttft_ms" and point["use"] == "calibration"
    ]


def sglang_latency_fit(low: float = 0.0, high: float = 0.1, steps: int = 12) -> float:
    """The SGLang first-token latency outside the GPU that zeroes its TTFT calibration points' mean log error."""
    points = sglang_ttft_points()

    def slower(value: float) -> float:
        # A TTFT's log error rises with the latency: + means the model is slower than measured.
        def adjust(eff: Efficiency) -> Efficiency:
            return dataclasses.replace(eff, request_latency_s=value)

        return statistics.mean(-optimism(point, adjust) for point in points)

    return bisect_zero(slower, low, high, rising=True, steps=steps)


def prefill_stall_points() -> list[dict[str, Any]]:
    """efficiency.yaml prefill_stall's points: the NIM runs at 25 and 50 clients and TensorRT-LLM's offline ones."""
    return [
        point
        for point in load_table()["points"]
        if point["use"] == "calibration"
        and (
            (point["id"].startswith("nim-") and point["concurrency"] in (25, 50))
            or (point["engine"] == "tensorrt-llm" and point["concurrency"] is None)
        )
    ]


def prefill_stall_error(value: float, points: list[dict[str, Any]]) -> float:
    """Mean |log error| of `points` with prefill_stall at `value` where the engine prefills apart (the catalog's
    value; vLLM's multi-step runs keep their own)."""
    stored = catalog.efficiency().factors.prefill_stall.value

    def adjust(eff: Efficiency) -> Efficiency:
        return dataclasses.replace(eff, prefill_stall=value) if eff.prefill_stall == stored else eff

    return statistics.mean(abs(optimism(point, adjust)) for point in points)


def prefill_stall_grid(step: float = 0.05) -> dict[float, float]:
    """prefill_stall's mean |log error| on its points at every `step` from 0.5 to 1 (the rule takes the lowest)."""
    points = prefill_stall_points()
    values = [round(0.5 + step * i, 4) for i in range(round(0.5 / step) + 1)]
    return {value: prefill_stall_error(value, points) for value in values}


def tp8_points(engine: str) -> list[dict[str, Any]]:
    """The TP8 calibration points of one engine (tensor_parallel.efficiency[8] touches nothing narrower)."""
    return [p for p in load_table()["points"] if p["tp"] == 8 and p["use"] == "calibration" and p["engine"] == engine]


def tp8_squared_error(value: float, points: list[dict[str, Any]]) -> float:
    """Sum of squared log errors of `points` with the TP8 efficiency at `value` (the rule's least squares)."""

    def adjust(eff: Efficiency) -> Efficiency:
        return dataclasses.replace(eff, tp_efficiency={**eff.tp_efficiency, 8: value})

    return sum(optimism(point, adjust) ** 2 for point in points)


def tp8_fit(engine: str, step: float = 0.01) -> float:
    """The TP8 efficiency, on a `step` grid from 0.5 to 1, that minimises `engine`'s TP8 calibration points' error."""
    points = tp8_points(engine)
    values = [round(0.5 + step * i, 4) for i in range(round(0.5 / step) + 1)]
    return min(values, key=lambda value: tp8_squared_error(value, points))


def main() -> None:
    """Prints each refitted factor next to the catalog's value."""
    factors = catalog.efficiency().factors
    stored = factors.moe_gemm.value
    print(f"moe_gemm  catalog {stored:.3f}  refit {moe_gemm_fit():.3f}  (six MoE calibration points, mean log error 0)")
    stored = factors.v1_sequence_overhead_s.value
    for lab, points in v1_calibration_points().items():
        fit, at = host_cost_fit(points, high=V1_OVERHEAD_HIGH_S), host_cost_log_error(stored, points)
        zero = f"beyond {fit * 1e3:.1f} ms" if fit >= V1_OVERHEAD_HIGH_S * 0.999 else f"at {fit * 1e3:.3f} ms"
        print(
            f"v1_sequence_overhead_s  catalog {stored * 1e3:.3f} ms  {lab} ({len(points)} V1 calibration points): "
            f"zero {zero}, mean log error {at:+.3f} at the catalog value"
        )
    stored = factors.sglang_request_latency_s.value
    fit = sglang_latency_fit()
    print(
        f"sglang_request_latency_s  catalog {stored * 1e3:.1f} ms  refit {fit * 1e3:.1f} ms  (SGLang TTFT calibration)"
    )
    grid, points = prefill_stall_grid(), prefill_stall_points()
    best, stored = min(grid, key=grid.__getitem__), factors.prefill_stall.value
    print(
        f"prefill_stall  catalog {stored:.2f} (mean |log error| {prefill_stall_error(stored, points):.4f})"
        f"  grid best {best:.2f} ({grid[best]:.4f}) on {len(points)} points"
    )
    stored = catalog.efficiency().tensor_parallel.efficiency[8]
    for engine in ("vllm", "tensorrt-llm", "sglang"):
        fit, count = tp8_fit(engine), len(tp8_points(engine))
        print(f"tensor_parallel[8]  catalog {stored:.2f}  {engine} ({count} TP8 calibration points): {fit:.2f}")
    for group, points in legacy_calibration_points().items():
        fit = host_cost_fit(points, high=LEGACY_HIGH_S)
        print(
            f"legacy_sequence_overhead_s  {group} ({len(points)} LambdaLabs 0.5.4 calibration points): "
            f"catalog {legacy_stored(group) * 1e3:.3f} ms  refit {fit * 1e3:.3f} ms"
        )


if __name__ == "__main__":
    main()
