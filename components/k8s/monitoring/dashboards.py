"""The ConfigMaps that hand the shipped Grafana dashboards (catalog/dashboards.py) to Grafana's sidecar."""

from __future__ import annotations

from typing import Any

from inferstack.catalog.dashboards import DASHBOARDS, dashboard_file_name, dashboard_text
from inferstack.k8s import pods
from inferstack.k8s.manifests.guards import MONITORING_NAMESPACE
from inferstack.k8s.monitoring.values import DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE


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
            "data": {dashboard_file_name(name): dashboard_text(name)},
        }
        for name in names
    ]
