"""The cluster's PrometheusRule: GPU XID and memory (ECC row-remapping) errors on DCGM's counters, and a failed
weight-staging Job. The per-model rules are built beside the model's other objects (k8s/manifests/alerts.py).
"""

from __future__ import annotations

from typing import Any

from inferstack.catalog.metrics import fatal_xids
from inferstack.k8s import pods
from inferstack.k8s.manifests.alerts import RULE_API
from inferstack.k8s.manifests.guards import MONITORING_NAMESPACE
from inferstack.planning.names import STAGING_NAMESPACE


def cluster_alerts(*, gpus: bool, staging: bool) -> list[dict[str, Any]]:
    """Alerts that belong to the cluster, not a model: GPU health and weight staging."""
    rules: list[dict[str, Any]] = []
    if gpus:
        fatal = " or ".join(f"DCGM_FI_DEV_XID_ERRORS == {xid}" for xid in fatal_xids())
        rules += [
            _gpu_alert(
                "GpuFatalXid",
                f"max by (Hostname, gpu) ({fatal}) > 0",
                "critical",
                "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID {{ $value }}: drain the node",
            ),
            _gpu_alert(
                "GpuRowRemapFailed",
                "max by (Hostname, gpu) (DCGM_FI_DEV_ROW_REMAP_FAILURE) > 0",
                "critical",
                "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} could not remap a memory row: replace it",
            ),
            _gpu_alert(
                "GpuUncorrectableMemoryErrors",
                "max by (Hostname, gpu) (increase(DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS[1h])) > 0",
                "warning",
                "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} remapped rows after uncorrectable ECC errors",
            ),
        ]
    if staging:
        rules.append(
            {
                "alert": "ModelStagingFailed",
                "expr": f'max by (job_name) (kube_job_failed{{namespace="{STAGING_NAMESPACE}", condition="true"}}) > 0',
                "for": "0m",
                "labels": {"severity": "critical"},
                "annotations": {"summary": "Weight staging Job {{ $labels.job_name }} failed: its model cannot start"},
            }
        )
    return rules


def _gpu_alert(name: str, expr: str, severity: str, summary: str) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": "0m",
        "labels": {"severity": severity},
        "annotations": {"summary": summary},
    }


def cluster_rule_object(*, gpus: bool, staging: bool) -> dict[str, Any] | None:
    """The cluster's PrometheusRule in the monitoring namespace (None when there is nothing to watch)."""
    rules = cluster_alerts(gpus=gpus, staging=staging)
    if not rules:
        return None
    return {
        "apiVersion": RULE_API,
        "kind": "PrometheusRule",
        "metadata": pods.metadata("inferstack-cluster", MONITORING_NAMESPACE, {}),
        "spec": {"groups": [{"name": "inferstack-cluster", "rules": rules}]},
    }
