"""Latency SLO burn-rate alerts from a model's `load` objectives (TTFT, TPOT), on vLLM's histograms.

The SLO: SLO_TARGET of requests meet the objective. The alert is the multiwindow, multi-burn-rate pair of the
Google SRE Workbook ("Alerting on SLOs"): page when the last hour and the last 5 minutes both spend the error
budget 14.4 times too fast (2% of a 30-day budget in an hour), open a ticket at 6 times over 6 hours and 30
minutes. A histogram answers "how many were faster than X" only at its bucket bounds, so the threshold is the
largest bound at or below the objective (never laxer than asked) and the alert says which bound it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inferstack.catalog.metrics import histogram_buckets

SLO_TARGET = 0.95
TTFT_METRIC = "vllm:time_to_first_token_seconds"
TPOT_METRIC = "vllm:request_time_per_output_token_seconds"


@dataclass(frozen=True)
class BurnWindow:
    """One burn-rate tier: a long and a short window that must both burn faster than `factor`."""

    severity: str
    long: str
    short: str
    factor: float


WINDOWS = (BurnWindow("critical", "1h", "5m", 14.4), BurnWindow("warning", "6h", "30m", 6.0))


def bucket_bound(metric: str, objective_s: float) -> float:
    """The largest bucket bound of `metric` at or below the objective (the smallest when all are above)."""
    bounds = histogram_buckets(metric)
    below = [bound for bound in bounds if bound <= objective_s + 1e-12]
    return max(below) if below else min(bounds)


def le_label(bound: float) -> str:
    """A bucket bound as prometheus_client writes its `le` label (Python's repr of the float: 1.0, 0.25)."""
    return repr(float(bound))


def error_ratio(metric: str, namespace: str, bound: float, window: str) -> str:
    """PromQL: the share of requests over `window` slower than `bound`."""
    sel = f'namespace="{namespace}"'
    total = f"sum(rate({metric}_count{{{sel}}}[{window}]))"
    good = f'sum(rate({metric}_bucket{{{sel}, le="{le_label(bound)}"}}[{window}]))'
    return f"(({total} - {good}) / clamp_min({total}, 1e-9))"


def burn_rules(key: str, namespace: str, slo: str, metric: str, objective_ms: float) -> list[dict[str, Any]]:
    """The burn-rate alerts of one latency objective (slo: ttft or tpot)."""
    bound = bucket_bound(metric, objective_ms / 1000)
    budget = 1 - SLO_TARGET
    rules = []
    for window in WINDOWS:
        limit = f"{window.factor * budget:.4g}"
        expr = (
            f"{error_ratio(metric, namespace, bound, window.long)} > {limit}\n"
            f"and\n{error_ratio(metric, namespace, bound, window.short)} > {limit}"
        )
        rules.append(
            {
                "alert": f"LlmModel{slo.upper()}SloBurn",
                "expr": expr,
                "for": "2m" if window.severity == "critical" else "15m",
                "labels": {"severity": window.severity, "model": key, "slo": slo},
                "annotations": {
                    "summary": f"{key}: {slo.upper()} objective burning its error budget {window.factor:g}x too fast",
                    "description": (
                        f"More than {window.factor * budget:.1%} of requests over {window.long} and {window.short} "
                        f"took longer than {bound:g}s ({slo.upper()} objective {objective_ms:g} ms, bucket bound "
                        f"{bound:g}s; SLO {SLO_TARGET:.0%})."
                    ),
                },
            }
        )
    return rules


def objective_rules(key: str, namespace: str, ttft_ms: float | None, tpot_ms: float | None) -> list[dict[str, Any]]:
    """Burn-rate alerts for each objective the model's load sets."""
    rules: list[dict[str, Any]] = []
    if ttft_ms is not None:
        rules += burn_rules(key, namespace, "ttft", TTFT_METRIC, ttft_ms)
    if tpot_ms is not None:
        rules += burn_rules(key, namespace, "tpot", TPOT_METRIC, tpot_ms)
    return rules
