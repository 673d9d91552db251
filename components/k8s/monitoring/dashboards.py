"""The Grafana dashboards shipped with the library, and the ConfigMaps that hand them to Grafana's sidecar.

The dashboards are plain Grafana JSON (catalog/data/dashboards/) with a `datasource` variable, so the same files
import into any Grafana: the in-cluster one, Amazon Managed Grafana over Amazon Managed Service for Prometheus,
or a Grafana reading Google Cloud Managed Service for Prometheus.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.guards import MONITORING_NAMESPACE
from inferstack.k8s.monitoring.values import DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE

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


def dashboard_queries(board: dict[str, Any]) -> list[str]:
    """Every PromQL expression a dashboard runs: panel targets and query variables."""
    exprs = [target["expr"] for panel in board["panels"] for target in panel.get("targets", [])]
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            exprs.append(variable["query"]["query"])
    return exprs


def dashboard_objects(gpus: bool) -> list[dict[str, Any]]:
    """One ConfigMap per dashboard in the monitoring namespace (the GPU one only where there are GPUs)."""
    names = [name for name in DASHBOARDS if gpus or name != "gpu"]
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": pods.metadata(
                f"inferstack-dashboard-{name}", MONITORING_NAMESPACE, {DASHBOARD_LABEL: DASHBOARD_LABEL_VALUE}
            ),
            "data": {f"inferstack-{name}.json": dashboard_text(name)},
        }
        for name in names
    ]
