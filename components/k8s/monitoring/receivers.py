"""Alertmanager: routes by severity to the spec's receivers, whose URLs are read from a mounted Secret.

The chart's `alertmanager.config` is plain Helm values (kept in the Release's state and visible to anyone who can
read it), so it holds file paths only: each receiver's URL or routing key is a key of the `alert-receivers`
Secret, mounted by the operator under /etc/alertmanager/secrets/<secret>/ (`alertmanagerSpec.secrets`), and read
through Alertmanager's `*_file` fields (slack `api_url_file`, webhook `url_file`, pagerduty `routing_key_file`).
"""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.guards import MONITORING_NAMESPACE
from inferstack.k8s.monitoring.plan import MonitoringPlan
from inferstack.spec.monitoring_parts import ReceiverSpec

RECEIVERS_SECRET = "alert-receivers"
SECRETS_DIR = "/etc/alertmanager/secrets"
NULL_RECEIVER = "null"
# Alerts of kube-prometheus-stack's default rules that exist to be silenced (a heartbeat and an inhibitor).
SILENT_ALERTS = "Watchdog|InfoInhibitor"


def _secret_file(name: str) -> str:
    return f"{SECRETS_DIR}/{RECEIVERS_SECRET}/{name}"


def receiver_config(name: str, receiver: ReceiverSpec) -> dict[str, Any]:
    """One Alertmanager receiver, pointing at its Secret file."""
    path = _secret_file(name)
    if receiver.type == "slack":
        slack: dict[str, Any] = {"api_url_file": path, "send_resolved": True}
        if receiver.channel is not None:
            slack["channel"] = receiver.channel
        return {"name": name, "slack_configs": [slack]}
    if receiver.type == "pagerduty":
        return {"name": name, "pagerduty_configs": [{"routing_key_file": path, "send_resolved": True}]}
    return {"name": name, "webhook_configs": [{"url_file": path, "send_resolved": True}]}


def alertmanager_config(plan: MonitoringPlan) -> dict[str, Any]:
    """The Alertmanager configuration: critical and warning alerts to their receivers, the rest to the first."""
    routes: list[dict[str, Any]] = [{"matchers": [f'alertname=~"{SILENT_ALERTS}"'], "receiver": NULL_RECEIVER}]
    for severity in ("critical", "warning"):
        receiver = plan.receiver_for(severity)
        if receiver is not None:
            routes.append({"matchers": [f'severity="{severity}"'], "receiver": receiver})
    return {
        "route": {
            "receiver": plan.receiver_for("warning") or NULL_RECEIVER,
            "group_by": ["alertname", "namespace"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": routes,
        },
        "receivers": [
            {"name": NULL_RECEIVER},
            *(receiver_config(name, receiver) for name, receiver in sorted(plan.receivers.items())),
        ],
    }


def alertmanager_values(plan: MonitoringPlan) -> dict[str, Any]:
    """kube-prometheus-stack values of the Alertmanager: off without receivers."""
    if not plan.alertmanager:
        return {"enabled": False}
    return {
        "enabled": True,
        "config": alertmanager_config(plan),
        "alertmanagerSpec": {
            "secrets": [RECEIVERS_SECRET],
            "resources": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        },
    }


def receivers_secret_shape(plan: MonitoringPlan) -> dict[str, Any]:
    """The receivers Secret without values (the component fills `stringData` with Pulumi secrets)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": pods.metadata(RECEIVERS_SECRET, MONITORING_NAMESPACE, {}),
        "type": "Opaque",
        "stringData": {name: "" for name in sorted(plan.receivers)},
    }
