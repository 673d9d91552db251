"""The planner against published measurements: held-out accuracy within tolerance, never past the roofline."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from inferstack.planning.sizing import MemoryFit
from tests.bench.published_report import (
    LATENCIES,
    Prediction,
    aggregate,
    error,
    evaluate,
    fixed_burst,
    fixed_loop,
    load_table,
)

TABLE = load_table()
POINTS: list[dict[str, Any]] = TABLE["points"]
TOLERANCE: dict[str, float] = TABLE["tolerance"]
ENGINES = ("vllm", "sglang", "tensorrt-llm")
BY_ID = {point["id"]: point for point in POINTS}
HELD_OUT = [point for point in POINTS if point["use"] == "validation"]


@functools.cache
def _evaluation(point_id: str) -> Prediction:
    """One point's prediction and roofline, computed when a test first asks (not at collection, on every worker)."""
    return evaluate(BY_ID[point_id])


def _error(point_id: str) -> float:
    """One point's relative error against its measurement."""
    return error(BY_ID[point_id], _evaluation(point_id).predicted)


def test_the_set_is_broad_and_every_point_is_cited() -> None:
    assert len(POINTS) >= 40 and len({point["id"] for point in POINTS}) == len(POINTS)
    assert len({point["gpu"] for point in POINTS}) >= 6
    assert {point["use"] for point in POINTS} == {"calibration", "validation"}
    assert any(point["model"] in ("mixtral-8x7b", "gpt-oss-20b") for point in HELD_OUT), "a held-out MoE point"
    concurrencies = {point["concurrency"] for point in POINTS}
    assert 1 in concurrencies and None in concurrencies
    for point in POINTS:
        assert len(point["source"]) > 40 and point["engine"] in ENGINES and point["engine_version"]
        # Waves need a closed loop of several clients (published_report.predict reads no other value).
        assert point.get("arrivals") in (None, "waves") and (point.get("arrivals") is None or point["concurrency"])
        # Fixed lengths are modelled on offline vLLM bursts (published_report.fixed_burst), ShareGPT spreads on V1 ones
        # (tests/bench/sharegpt.py sharegpt_burst); no other value is read.
        assert point.get("output_lengths") in (None, "fixed", "sharegpt")


@pytest.mark.parametrize("point", POINTS, ids=[p["id"] for p in POINTS])
def test_never_beyond_the_physical_roofline(point: dict[str, Any]) -> None:
    result = _evaluation(point["id"])
    if point["metric"] in LATENCIES:
        assert result.predicted >= result.roofline
        assert point["measured"] >= result.roofline, "a measurement faster than physics means bad table data"
    else:
        assert result.predicted <= result.roofline
        assert point["measured"] <= result.roofline


@pytest.mark.parametrize("point", POINTS, ids=[p["id"] for p in POINTS])
def test_every_point_within_the_per_point_bound(point: dict[str, Any]) -> None:
    assert abs(_error(point["id"])) <= TOLERANCE["per_point"], (point["id"], _error(point["id"]))


@pytest.mark.parametrize(
    ("engine", "median", "within"),
    [
        (None, "validation_median", "validation_within_25"),
        ("vllm", "vllm_validation_median", "vllm_validation_within_25"),
    ],
)
def test_held_out_points_meet_the_aggregate_tolerance(engine: str | None, median: str, within: str) -> None:
    held = [_error(p["id"]) for p in HELD_OUT if engine is None or p["engine"] == engine]
    result = aggregate(engine or "all", held)
    assert result.count >= 5
    assert result.median <= TOLERANCE[median], result
    assert result.within >= TOLERANCE[within], result


def _fit(kv_budget_gib: float) -> MemoryFit:
    """A fit for 1000-token sequences of 1 GiB each with `kv_budget_gib` left for the KV cache."""
    return MemoryFit(
        weights_gib=10.0,
        kv_per_sequence_gib=1.0,
        kv_gib=1.0,
        overhead_gib=0.0,
        need_gib=11.0,
        offer_gib=10.0 + kv_budget_gib,
        max_sequences=int(kv_budget_gib),
    )


def test_only_an_offline_vllm_burst_of_fixed_lengths_past_the_cache_runs_the_scheduler_model() -> None:
    burst = {
        "engine": "vllm",
        "concurrency": None,
        "prompts": 64,
        "input": 900,
        "output": 100,
        "output_lengths": "fixed",
    }
    assert fixed_burst(burst, _fit(8.0))
    assert not fixed_burst(burst, _fit(64.0)), "the whole burst fits: the steady state holds"
    assert not fixed_burst(burst, _fit(0.5)), "not one request fits: the engine would not start"
    assert not fixed_burst({**burst, "output_lengths": None}, _fit(8.0))
    assert not fixed_burst({**burst, "engine": "tensorrt-llm"}, _fit(8.0))


def test_a_closed_loop_of_fixed_lengths_with_a_known_count_runs_the_scheduler_model() -> None:
    loop = {"engine": "vllm", "concurrency": 8, "prompts": 64, "input": 900, "output": 100, "output_lengths": "fixed"}
    assert fixed_loop(loop, _fit(8.0)) and fixed_loop(loop, _fit(64.0))
    assert not fixed_loop({**loop, "prompts": None}, _fit(8.0)), "the run's length decides its start-up share"
    assert not fixed_loop({**loop, "output_lengths": None}, _fit(8.0)), "mixed lengths fall out of step"
    assert not fixed_loop(loop, _fit(0.5))
    assert not fixed_burst(loop, _fit(8.0)), "a closed loop is no offline burst"
