"""A fitted factor stays what its rule gives under the current model (tests/bench/refit.py)."""

from __future__ import annotations

import pytest

from inferstack import catalog
from tests.bench.refit import MOE_GEMM_POINTS, fit_points, moe_gemm_fit, moe_gemm_log_error


def test_the_six_moe_points_are_calibration_throughputs() -> None:
    points = fit_points(MOE_GEMM_POINTS)
    assert all(point["use"] == "calibration" and point["metric"] == "output_tokens_per_s" for point in points)
    # The rule's bisection needs the error to rise with the value.
    assert moe_gemm_log_error(0.4, points) < moe_gemm_log_error(0.8, points)


def test_moe_gemm_is_the_value_its_rule_gives() -> None:
    assert moe_gemm_fit() == pytest.approx(catalog.efficiency().factors.moe_gemm.value, abs=0.005)
