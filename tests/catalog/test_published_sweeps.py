"""The planner against independent published sweeps (tests/sweeps/): held out whole, never past the roofline."""

from __future__ import annotations

import math
from typing import Any

import pytest

from inferstack import catalog
from tests.bench.published_report import aggregate, error, evaluate
from tests.bench.sweeps import band, load_sweeps, measured_columns, sweep_points, sweep_rows

SWEEPS = load_sweeps()
POINTS: list[tuple[str, dict[str, Any]]] = [
    (name, point) for name, sweep in SWEEPS.items() for point in sweep_points(name, sweep)
]


def test_every_sweep_is_sourced_and_every_row_names_catalog_entries() -> None:
    assert SWEEPS, "tests/sweeps/ holds at least one sweep"
    for sweep in SWEEPS.values():
        assert len(sweep["source"]) > 40 and sweep["as_of"] and sweep["engine"] and sweep["engine_version"]
        rows = sweep_rows(sweep)
        keys = [tuple(v for k, v in r.items() if k not in measured_columns(r)) for r in rows]
        assert len(set(keys)) == len(keys), "a configuration appears once"
        for row in rows:
            assert catalog.model_shape(row["model"]) is not None and row["gpu"] in catalog.gpus()
            assert measured_columns(row), "a row measures something"
            assert all(row[k] > 0 for k in measured_columns(row))
            if "latency_s" in row:
                assert row["model"] in sweep["max_model_len"]


# A made-up two-row online sweep: what the loader makes of each row kind, not a measurement.
ONLINE = {
    "source": "test",
    "engine": "vllm",
    "engine_version": "0.10",
    "arrivals": "waves",
    "columns": ["model", "gpu", "tp", "input", "output", "concurrency", "request_rate", *("ttft_ms", "tpot_ms")],
    "rows": [
        ["llama-3.1-8b", "nvidia-l40s", 2, 1024, 128, 16, None, 200.0, 20.0],
        ["llama-3.1-8b", "nvidia-l40s", 2, 1024, 128, None, 2.5, None, 15.0],
    ],
}


def test_an_online_row_becomes_one_point_per_metric_it_gives() -> None:
    closed, latency, opened = sweep_points("t", ONLINE)
    assert (closed["metric"], latency["metric"], opened["metric"]) == ("ttft_ms", "tpot_ms", "tpot_ms")
    assert closed["concurrency"] == 16 and closed["request_rate"] is None and closed["arrivals"] == "waves"
    assert opened["concurrency"] is None and opened["request_rate"] == 2.5 and "arrivals" not in opened
    assert (closed["input"], closed["output"], closed["tp"], closed["measured"]) == (1024, 128, 2, 200.0)
    assert "max_model_len" not in closed, "only a sweep that states it passes a V0 context length"
    assert len({closed["id"], latency["id"], opened["id"]}) == 3
    assert (band(closed), band(opened)) == ("9-32", "open loop")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_online_points_run_through_the_planner(index: int) -> None:
    result = evaluate(sweep_points("t", ONLINE)[index])
    assert math.isfinite(result.predicted) and result.predicted > 0


@pytest.mark.parametrize(("name", "point"), POINTS, ids=[point["id"] for _, point in POINTS])
def test_never_beyond_the_physical_roofline(name: str, point: dict[str, Any]) -> None:
    result = evaluate(point)
    if point["metric"] == "output_tokens_per_s":
        assert result.predicted <= result.roofline
        assert point["measured"] <= result.roofline, "a measurement faster than physics means bad sweep data"
    else:
        # A latency's roofline is a lower bound.
        assert result.predicted >= result.roofline
        assert point["measured"] >= result.roofline, "a latency below physics means bad sweep data"
    assert abs(error(point, result.predicted)) <= SWEEPS[name]["tolerance"]["per_point"]


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_each_sweep_meets_its_tolerance(name: str) -> None:
    sweep = SWEEPS[name]
    points = [p for n, p in POINTS if n == name]
    result = aggregate(name, [error(p, evaluate(p).predicted) for p in points])
    assert result.count == sum(len(measured_columns(row)) for row in sweep_rows(sweep))
    assert result.median <= sweep["tolerance"]["median"], result
    assert result.within >= sweep["tolerance"]["within_25"], result
