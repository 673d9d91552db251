"""Monitoring: the cluster-level objects of the monitoring plan, registered after the stack that reads them.

Dashboards as ConfigMaps for Grafana's sidecar, the cluster's PrometheusRule (GPU health, weight staging) and
the Secret holding the alert receivers' URLs (Pulumi secrets, never in Helm values).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from inferstack.k8s.monitoring.dashboards import dashboard_objects
from inferstack.k8s.monitoring.plan import MonitoringPlan
from inferstack.k8s.monitoring.receivers import receivers_secret_shape
from inferstack.k8s.monitoring.rules import cluster_rule_object
from inferstack.k8s.objects import register
from inferstack.k8s.secrets import require_secret

TYPE_TOKEN = "inferstack:index:Monitoring"
# Where GPU metrics can be read, as the plan records it: the in-cluster Prometheus (DCGM exporter chart), or Cloud
# Monitoring (GKE's managed DCGM package sends them to Managed Service for Prometheus, not to our Prometheus).
GPU_METRICS_IN_CLUSTER = "in-cluster-prometheus"
GPU_METRICS_CLOUD = "cloud-monitoring"


def monitoring_objects(*, gpus: bool, staging: bool) -> list[dict[str, Any]]:
    """The cluster-level monitoring objects but the receivers Secret: dashboards, then the cluster's rules.

    The dashboards ship whether Grafana runs here or not: a Grafana elsewhere with the sidecar finds them too.
    """
    objects = dashboard_objects(gpus)
    rule = cluster_rule_object(gpus=gpus, staging=staging)
    return [*objects, rule] if rule is not None else objects


class Monitoring(pulumi.ComponentResource):
    """Dashboards, cluster alert rules and Alertmanager receiver secrets in the monitoring namespace."""

    def __init__(
        self,
        name: str,
        plan: MonitoringPlan,
        *,
        gpus: bool,
        staging: bool,
        provider: pulumi.ProviderResource,
        managed_gpu_metrics: bool = False,
        after: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {"grafana": plan.grafana, "receivers": sorted(plan.receivers)}
        if gpus:
            props["gpuMetrics"] = GPU_METRICS_CLOUD if managed_gpu_metrics else GPU_METRICS_IN_CLUSTER
        super().__init__(TYPE_TOKEN, name, props, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider, depends_on=list(after))
        self.objects: dict[str, pulumi.CustomResource] = {}
        # GPU rules and the GPU dashboard query DCGM_FI_* in our Prometheus: where the metrics live in Cloud
        # Monitoring instead, they would stay empty and never fire, so they are not shipped (README, GPU metrics).
        in_cluster = gpus and not managed_gpu_metrics
        for obj in monitoring_objects(gpus=in_cluster, staging=staging):
            self.objects[f"{obj['kind']}/{obj['metadata']['name']}"] = register(name, obj, obj, child)
        if plan.receivers:
            secret = receivers_secret_shape(plan)
            body = {**secret, "stringData": {key: require_secret(r.secret) for key, r in plan.receivers.items()}}
            self.objects["Secret/receivers"] = register(name, secret, body, child)
        self.register_outputs({"objects": sorted(self.objects)})
