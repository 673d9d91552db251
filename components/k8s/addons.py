"""Cluster add-ons as pinned Helm releases, with values from pure functions.

- kube-prometheus-stack, lean: the Prometheus Operator (its CRDs give us PodMonitor/ServiceMonitor/PrometheusRule)
  and one Prometheus that scrapes the engines, so KEDA has vLLM's queue depth and KV-cache use to scale on.
  node-exporter (host network and PID namespace) is off; Grafana and Alertmanager only when the spec's
  `monitoring` asks (k8s/monitoring/). Retention and the persistent volume come from the same plan. A plain
  `prometheus` chart would scrape by annotation but has no PodMonitor CRD; a full stack would double the footprint.
- KEDA: scales each engine Deployment on those Prometheus queries (ScaledObject CRD); its operator's metrics
  (scaler errors) are scraped, so an autoscaler that cannot read its metrics raises an alert.
- KEDA HTTP add-on: only when a model sleeps at zero and wakes on a request (planning/wake.py); its interceptor
  holds the request while a replica starts.
- NVIDIA device plugin: only where the target says the nodes lack one (GKE installs its own).
- DCGM exporter: GPU utilisation, memory and health metrics, on GPU nodes only; not where the cluster collects them
  itself (`ClusterTarget.managed_gpu_metrics`: GKE's DCGM package, since the chart crash-loops on COS nodes).

On a target that asks for minimal add-ons (`ClusterTarget.minimal_addons`: an existing cluster, e.g. kind) the
set is minimal: Prometheus (small, one day of retention, control-plane scrapes that kind does not expose turned
off) and KEDA; no DCGM exporter, and the device plugin only when the target asks for it (`cluster.device_plugin`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from inferstack.catalog.k8s_addons import ChartKey, HelmChart, k8s_addons
from inferstack.k8s.gateway.values import ai_gateway_values, envoy_gateway_values
from inferstack.k8s.monitoring.plan import MonitoringPlan
from inferstack.k8s.monitoring.receivers import alertmanager_values
from inferstack.k8s.monitoring.values import grafana_values, storage_values
from inferstack.k8s.placement import gpu_daemon_tolerations
from inferstack.target import GPU_LABEL, ClusterTarget, TargetPool

TYPE_TOKEN = "inferstack:index:ClusterAddons"
PROMETHEUS_NAME = "kps"  # fullnameOverride: fixes the Prometheus Service name the ScaledObjects query
PROMETHEUS_PORT = 9090
# Custom-resource API groups -> the add-on whose release installs their CRDs.
CRD_OWNERS: dict[str, ChartKey] = {
    "keda.sh": "keda",
    "http.keda.sh": "keda-add-ons-http",
    "monitoring.coreos.com": "kube-prometheus-stack",
    "gateway.networking.k8s.io": "envoy-gateway",
    "gateway.envoyproxy.io": "envoy-gateway",
    "aigateway.envoyproxy.io": "ai-gateway-crds",
}
# The inference gateway's charts, in AI Gateway's install order (site/docs/getting-started, v1.1.0).
GATEWAY_CHARTS: tuple[ChartKey, ...] = ("envoy-gateway", "ai-gateway-crds", "ai-gateway")


@dataclass(frozen=True)
class AddonRelease:
    """One Helm release to install: its pinned chart, values and the add-ons it must follow."""

    key: ChartKey
    chart: HelmChart
    values: dict[str, Any]
    after: tuple[ChartKey, ...] = field(default=())


def prometheus_url() -> str:
    """The in-cluster URL of the Prometheus the autoscaler queries."""
    namespace = k8s_addons().charts["kube-prometheus-stack"].namespace
    return f"http://{PROMETHEUS_NAME}-prometheus.{namespace}.svc:{PROMETHEUS_PORT}"


def prometheus_values(minimal: bool, monitoring: MonitoringPlan | None = None) -> dict[str, Any]:
    """Values of kube-prometheus-stack: operator and one Prometheus that picks up every Pod/ServiceMonitor."""
    plan = monitoring or MonitoringPlan(retention_days=1 if minimal else 15)
    spec: dict[str, Any] = {
        **storage_values(plan),
        "scrapeInterval": "15s",
        # Select monitors from every namespace, not only those labelled for this release.
        "podMonitorSelectorNilUsesHelmValues": False,
        "serviceMonitorSelectorNilUsesHelmValues": False,
        "ruleSelectorNilUsesHelmValues": False,
        "resources": {
            "requests": {"cpu": "100m" if minimal else "500m", "memory": "512Mi" if minimal else "2Gi"},
            "limits": {"memory": "1Gi" if minimal else "4Gi"},
        },
    }
    values: dict[str, Any] = {
        "fullnameOverride": PROMETHEUS_NAME,
        "grafana": grafana_values(plan),
        "alertmanager": alertmanager_values(plan),
        "nodeExporter": {"enabled": False},
        "prometheus": {"prometheusSpec": spec},
    }
    if minimal:
        # kind/minikube do not expose these control-plane endpoints; their scrapes would only fail.
        for component in ("kubeEtcd", "kubeControllerManager", "kubeScheduler", "kubeProxy"):
            values[component] = {"enabled": False}
        values["defaultRules"] = {"create": False}
    return values


def keda_values() -> dict[str, Any]:
    """Values of the KEDA chart: its operator's metrics scraped through a ServiceMonitor."""
    return {
        "resources": {"operator": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}}},
        "prometheus": {"operator": {"enabled": True, "serviceMonitor": {"enabled": True}}},
    }


def http_addon_values(minimal: bool) -> dict[str, Any]:
    """Values of the KEDA HTTP add-on: interceptors kept for the request path (two: one may drain while one serves)."""
    # The chart's default is three interceptors (values.yaml interceptor.replicas.min); its own ScaledObject adds more
    # under load, up to interceptor.replicas.max.
    return {"interceptor": {"replicas": {"min": 1 if minimal else 2}}}


def _gpu_node_affinity() -> dict[str, Any]:
    # Our GPU nodes carry the GPU label; no dependency on Node Feature Discovery labels.
    term = {"matchExpressions": [{"key": GPU_LABEL, "operator": "Exists"}]}
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}}


def device_plugin_values(pools: dict[str, TargetPool], *, existing_nodes: bool = False) -> dict[str, Any]:
    """Values of the NVIDIA device plugin: on GPU nodes only, tolerating their taints.

    On nodes the cluster already had (no inferstack labels) the chart's default affinity stays, which selects the
    NVIDIA PCI devices Node Feature Discovery labels; GPU Feature Discovery runs too, since the described pools are
    selected by its product label, and NFD's workers tolerate the GPU taints like the plugin does.
    """
    tolerations = gpu_daemon_tolerations(pools)
    if existing_nodes:
        return {"tolerations": tolerations, "gfd": {"enabled": True}, "nfd": {"worker": {"tolerations": tolerations}}}
    return {"affinity": _gpu_node_affinity(), "tolerations": tolerations}


def dcgm_values(pools: dict[str, TargetPool]) -> dict[str, Any]:
    """Values of the DCGM exporter: on GPU nodes only, scraped through its ServiceMonitor."""
    return {
        "affinity": _gpu_node_affinity(),
        "tolerations": gpu_daemon_tolerations(pools),
        "serviceMonitor": {"enabled": True, "interval": "15s"},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
    }


def gateway_addons(*, rate_limits: bool) -> list[AddonRelease]:
    """The inference gateway's releases: Envoy Gateway, then AI Gateway's CRDs and controller."""
    charts = k8s_addons().charts
    return [
        AddonRelease("envoy-gateway", charts["envoy-gateway"], envoy_gateway_values(rate_limits=rate_limits)),
        AddonRelease("ai-gateway-crds", charts["ai-gateway-crds"], {}, after=("envoy-gateway",)),
        AddonRelease("ai-gateway", charts["ai-gateway"], ai_gateway_values(), after=("ai-gateway-crds",)),
    ]


def plan_addons(
    target: ClusterTarget,
    *,
    minimal: bool,
    monitoring: MonitoringPlan | None = None,
    gateway: list[AddonRelease] | None = None,
    wake: bool = False,
) -> list[AddonRelease]:
    """The add-on releases for a target, in install order.

    `gateway` adds the inference gateway's releases; `wake`: some model sleeps at zero and wakes on a request.
    """
    charts = k8s_addons().charts
    plan = [
        *(gateway or []),
        AddonRelease("kube-prometheus-stack", charts["kube-prometheus-stack"], prometheus_values(minimal, monitoring)),
        # KEDA's ServiceMonitor is a custom resource of the Prometheus Operator's CRDs.
        AddonRelease("keda", charts["keda"], keda_values(), after=("kube-prometheus-stack",)),
    ]
    if wake:
        # Its chart creates a ScaledObject for the interceptors: KEDA's CRDs come first.
        http = charts["keda-add-ons-http"]
        plan.append(AddonRelease("keda-add-ons-http", http, http_addon_values(minimal), after=("keda",)))
    # Asked for on an existing cluster too (`cluster.device_plugin`): GPU pods stay Pending without a plugin.
    if target.needs_device_plugin:
        values = device_plugin_values(target.pools, existing_nodes=target.existing_nodes)
        plan.append(AddonRelease("nvidia-device-plugin", charts["nvidia-device-plugin"], values))
    if minimal:
        return plan
    if target.pools and not target.managed_gpu_metrics:
        plan.append(
            AddonRelease(
                "dcgm-exporter", charts["dcgm-exporter"], dcgm_values(target.pools), after=("kube-prometheus-stack",)
            )
        )
    return plan


class ClusterAddons(pulumi.ComponentResource):
    """The add-on Helm releases of a cluster; `crd_owner(group)` is the release that installs a CRD group."""

    def __init__(
        self,
        name: str,
        releases: list[AddonRelease],
        provider: k8s.Provider,
        *,
        after: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, {"addons": [release.key for release in releases]}, opts)
        self.releases: dict[str, k8s.helm.v3.Release] = {}
        for release in releases:
            chart = release.chart
            # An OCI chart is pulled by its full reference; an https repository is named beside the chart.
            oci = chart.repository.startswith("oci://")
            self.releases[release.key] = k8s.helm.v3.Release(
                f"{name}-{release.key}",
                name=release.key,
                chart=f"{chart.repository}/{chart.chart}" if oci else chart.chart,
                version=chart.version,
                repository_opts=None if oci else k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository),
                namespace=release.chart.namespace,
                create_namespace=True,
                values=release.values,
                atomic=True,
                cleanup_on_fail=True,
                timeout=900,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    provider=provider,
                    depends_on=[*after, *(self.releases[key] for key in release.after)],
                ),
            )
        self.prometheus_url = prometheus_url()
        self.register_outputs({"releases": sorted(self.releases)})

    def gateway_releases(self) -> list[pulumi.Resource]:
        """The inference gateway's releases (and Prometheus's, whose CRDs its proxy monitor uses)."""
        keys = [*GATEWAY_CHARTS, "kube-prometheus-stack"]
        return [self.releases[key] for key in keys if key in self.releases]

    def crd_owner(self, api_version: str) -> list[pulumi.Resource]:
        """The release(s) a custom resource of this apiVersion must depend on (none if not installed here)."""
        owner = CRD_OWNERS.get(api_version.split("/", 1)[0])
        return [self.releases[owner]] if owner in self.releases else []
