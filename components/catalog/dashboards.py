"""The Grafana dashboards shipped with the library (data/dashboards/*.json), read as text or as dicts.

Plain Grafana JSON with a `datasource` variable: the same files load into the in-cluster Grafana (through the
ConfigMaps k8s/monitoring/dashboards.py builds), Amazon Managed Grafana or any Grafana on a managed Prometheus.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

DASHBOARDS = ("vllm", "gpu")


@cache
def dashboard_text(name: str) -> str:
    """The JSON text of a shipped dashboard (`vllm` or `gpu`)."""
    if name not in DASHBOARDS:
        raise KeyError(f"no dashboard {name!r}; shipped: {', '.join(DASHBOARDS)}")
    path = resources.files("inferstack.catalog").joinpath("data", "dashboards", f"{name}.json")
    return path.read_text(encoding="utf-8")


def dashboard(name: str) -> dict[str, Any]:
    """A shipped dashboard as a dict."""
    return json.loads(dashboard_text(name))


def dashboard_file_name(name: str) -> str:
    """The file name a dashboard is shipped and exported under."""
    return f"inferstack-{name}.json"
