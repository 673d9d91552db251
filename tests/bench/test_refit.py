"""A fitted factor stays what its rule gives under the current model (tests/bench/refit.py)."""

from __future__ import annotations

import pytest

from inferstack import catalog
from tests.bench.refit import (
    MOE_GEMM_POINTS,
    V1_OVERHEAD_HIGH_S,
    fit_points,
    moe_gemm_fit,
    moe_gemm_log_error,
    v1_calibration_points,
    v1_overhead_fit,
    v1_overhead_log_error,
)


def test_the_six_moe_points_are_calibration_throughputs() -> None:
    points = fit_points(MOE_GEMM_POINTS)
    assert all(point["use"] == "calibration" and point["metric"] == "output_tokens_per_s" for point in points)
    # The rule's bisection needs the error to rise with the value.
    assert moe_gemm_log_error(0.4, points) < moe_gemm_log_error(0.8, points)


def test_moe_gemm_is_the_value_its_rule_gives() -> None:
    assert moe_gemm_fit() == pytest.approx(catalog.efficiency().factors.moe_gemm.value, abs=0.005)


def test_the_v1_host_cost_stays_between_labs_that_pull_apart() -> None:
    # efficiency.yaml v1_sequence_overhead_s is not refitted on its pooled points because gpustack's lab and every
    # other source want opposite values; once they stop pulling apart, the pooled rule applies again (refit.py).
    labs = v1_calibration_points()
    assert len(labs["gpustack"]) >= 20 and len(labs["other"]) >= 30
    stored = catalog.efficiency().factors.v1_sequence_overhead_s.value
    assert v1_overhead_log_error(stored, labs["gpustack"]) > 0.1, "gpustack's runs: slower than modelled"
    assert v1_overhead_fit(labs["other"], high=V1_OVERHEAD_HIGH_S) == pytest.approx(stored, abs=0.00002)
