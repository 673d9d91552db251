"""The planner against published measurements: within the stated tolerance, never beyond the roofline."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bench.published_report import error, evaluate, load_table

TABLE = load_table()
POINTS: list[dict[str, Any]] = TABLE["points"]
# Lower is better for latencies; higher is better for throughput and bandwidth use.
LATENCIES = {"tpot_ms", "ttft_ms"}


def test_table_cites_every_point_and_has_the_issue_points() -> None:
    assert 0 < TABLE["tolerance"] <= 0.3
    ids = {point["id"] for point in POINTS}
    assert {"nim-llama3.3-70b-fp8-tp2-c1-itl", "nim-llama3.3-70b-fp8-tp2-c50-throughput"} <= ids
    assert any(i.startswith("mlperf-v4.1") for i in ids) and any(i.startswith("databricks") for i in ids)
    assert all(len(point["source"]) > 20 for point in POINTS)


@pytest.mark.parametrize("point", POINTS, ids=[p["id"] for p in POINTS])
def test_within_tolerance_of_the_measurement(point: dict[str, Any]) -> None:
    result = evaluate(point)
    assert abs(error(point, result.predicted)) <= TABLE["tolerance"], (point["id"], result.predicted)


@pytest.mark.parametrize("point", POINTS, ids=[p["id"] for p in POINTS])
def test_never_beyond_the_physical_roofline(point: dict[str, Any]) -> None:
    result = evaluate(point)
    if point["metric"] in LATENCIES:
        assert result.predicted >= result.roofline
        assert point["measured"] >= result.roofline, "a measurement faster than physics means bad table data"
    else:
        assert result.predicted <= result.roofline
        assert point["measured"] <= result.roofline
