"""kube-prometheus-stack values that follow the monitoring plan: Prometheus retention and volume, Grafana."""

from __future__ import annotations

from typing import Any

from inferstack.k8s.monitoring.plan import MonitoringPlan

# kube-prometheus-stack 82.6.0 values.yaml, grafana.sidecar.dashboards: the label and value its sidecar selects
# dashboard ConfigMaps by (it searches every namespace with searchNamespace: ALL).
DASHBOARD_LABEL = "grafana_dashboard"
DASHBOARD_LABEL_VALUE = "1"
# A fixed name for Grafana's Service and admin Secret (the chart would derive it from the release name). Its
# admin password is the Grafana chart's generated one: kube-prometheus-stack 82.6.0 no longer sets a default.
GRAFANA_NAME = "kps-grafana"


def storage_values(plan: MonitoringPlan) -> dict[str, Any]:
    """prometheusSpec retention, and a volumeClaimTemplate when the data is to survive restarts."""
    values: dict[str, Any] = {"retention": f"{plan.retention_days}d"}
    if plan.storage_gib is None:
        return values
    claim: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{plan.storage_gib}Gi"}},
    }
    if plan.storage_class is not None:
        claim["storageClassName"] = plan.storage_class
    return {
        **values,
        "retentionSize": plan.retention_size,
        "storageSpec": {"volumeClaimTemplate": {"spec": claim}},
    }


def grafana_values(plan: MonitoringPlan) -> dict[str, Any]:
    """Grafana (optional): the sidecar loads every dashboard ConfigMap labelled for it, in any namespace."""
    if not plan.grafana:
        return {"enabled": False}
    return {
        "enabled": True,
        "fullnameOverride": GRAFANA_NAME,
        "sidecar": {
            "dashboards": {
                "enabled": True,
                "label": DASHBOARD_LABEL,
                "labelValue": DASHBOARD_LABEL_VALUE,
                "searchNamespace": "ALL",
            }
        },
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
    }
