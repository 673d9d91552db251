"""The metric names exporters publish at the pinned versions: what dashboards and alert rules may query.

Read from `data/metrics.yaml`; each exporter carries its version, source and the date it was read.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from inferstack.catalog.lookup import load_file

METRICS_FILE = "metrics.yaml"
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# A PromQL metric name (colons allowed, as vLLM's use them); labels, functions and keywords are told apart below.
_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_PREFIXES = ("vllm:", "DCGM_", "kube_", "keda_")
VersionText = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]


class Exporter(BaseModel):
    """One exporter's metrics at a pinned version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(description="Exporter version the names were read at.")
    source: str = Field(min_length=8, description="Where the names come from.")
    as_of: dt.date = Field(description="The date the names were read.")
    counter_suffix: str = Field(default="", description="What the client library appends to counter names.")
    buckets: dict[str, tuple[float, ...]] = Field(default_factory=dict, description="Histogram bucket bounds.")
    fatal_xids: tuple[int, ...] = Field(default=(), description="GPU XID codes that mean failing hardware.")
    fatal_xids_source: str | None = Field(default=None, description="Where the XID meanings come from.")
    metrics: dict[str, Literal["gauge", "counter", "histogram"]] = Field(description="Metric name -> type.")
    since: dict[str, VersionText] = Field(
        default_factory=dict, description="The first exporter release with a metric, where later than the oldest read."
    )
    since_source: str | None = Field(default=None, description="Where the `since` releases were read.")

    @model_validator(mode="after")
    def _since_names_known(self) -> Exporter:
        unknown = sorted(set(self.since) - set(self.metrics))
        if unknown:
            raise ValueError(f"since names metrics not listed under metrics: {', '.join(unknown)}")
        if self.since and not self.since_source:
            raise ValueError("since needs since_source")
        return self

    def series(self) -> set[str]:
        """Every series name a query may use, with the suffixes the metric types add."""
        names: set[str] = set()
        for name, kind in self.metrics.items():
            if kind == "histogram":
                names |= {name + suffix for suffix in HISTOGRAM_SUFFIXES}
            elif kind == "counter":
                names.add(name + self.counter_suffix)
            else:
                names.add(name)
        return names


class MetricCatalog(BaseModel):
    """The whole data file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exporters: dict[str, Exporter]

    def series(self) -> set[str]:
        """Every known series name, across exporters."""
        return set().union(*(exporter.series() for exporter in self.exporters.values()))


@cache
def metric_catalog() -> MetricCatalog:
    """The vendored metric names."""
    return load_file(MetricCatalog, METRICS_FILE)


def histogram_buckets(metric: str) -> tuple[float, ...]:
    """The bucket bounds of a vLLM latency histogram at the pinned version."""
    return metric_catalog().exporters["vllm"].buckets[metric]


def fatal_xids() -> tuple[int, ...]:
    """The XID codes that mean a failing GPU (the node must be drained), per NVIDIA's XID reference."""
    return metric_catalog().exporters["dcgm-exporter"].fatal_xids


def queried_metrics(expr: str) -> set[str]:
    """The exporter metric names a PromQL expression reads (names with a known exporter prefix)."""
    # Label values inside quotes are not names: drop quoted strings first.
    unquoted = re.sub(r'"[^"]*"', '""', expr)
    return {name for name in _NAME.findall(unquoted) if name.startswith(_PREFIXES)}
