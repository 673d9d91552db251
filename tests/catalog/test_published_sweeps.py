"""The planner against independent published sweeps (tests/sweeps/): held out whole, never past the roofline."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack import catalog
from tests.bench.published_report import aggregate, error, evaluate
from tests.bench.sweeps import load_sweeps, sweep_points

SWEEPS = load_sweeps()
POINTS: list[tuple[str, dict[str, Any]]] = [
    (name, point) for name, sweep in SWEEPS.items() for point in sweep_points(name, sweep)
]


def test_every_sweep_is_sourced_and_every_row_names_catalog_entries() -> None:
    assert SWEEPS, "tests/sweeps/ holds at least one sweep"
    for sweep in SWEEPS.values():
        assert len(sweep["source"]) > 40 and sweep["as_of"] and sweep["engine"] and sweep["engine_version"]
        rows = [dict(zip(sweep["columns"], row, strict=True)) for row in sweep["rows"]]
        keys = [(r["model"], r["gpu"], r["tp"], r["length"], r["batch"]) for r in rows]
        assert len(set(keys)) == len(keys), "a configuration appears once"
        for row in rows:
            assert catalog.model_shape(row["model"]) is not None and row["gpu"] in catalog.gpus()
            assert row["model"] in sweep["max_model_len"] and row["latency_s"] > 0


@pytest.mark.parametrize(("name", "point"), POINTS, ids=[point["id"] for _, point in POINTS])
def test_never_beyond_the_physical_roofline(name: str, point: dict[str, Any]) -> None:
    result = evaluate(point)
    assert result.predicted <= result.roofline
    assert point["measured"] <= result.roofline, "a measurement faster than physics means bad sweep data"
    assert abs(error(point, result.predicted)) <= SWEEPS[name]["tolerance"]["per_point"]


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_each_sweep_meets_its_tolerance(name: str) -> None:
    sweep = SWEEPS[name]
    result = aggregate(name, [error(p, evaluate(p).predicted) for n, p in POINTS if n == name])
    assert result.count == len(sweep["rows"])
    assert result.median <= sweep["tolerance"]["median"], result
    assert result.within >= sweep["tolerance"]["within_25"], result
