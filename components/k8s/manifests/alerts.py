"""The model's PrometheusRule, derived from its spec (the cluster's rules are in k8s/monitoring/rules.py).

Latency SLO burn (its `load` objectives, slo.py), queue depth and KV-cache saturation that the autoscaler did
not clear, fewer ready replicas than `replicas.min`, restarting pods, pods not ready beyond the start-up budget
(planning/startup.py), KEDA failing to read the metrics it scales on, and a failed smoke test. Every metric
name here is checked against catalog/data/metrics.yaml by the tests.
"""

from __future__ import annotations

import math
from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.inputs import ServiceInputs, labels
from inferstack.k8s.manifests.pod import deployment_name, startup_budget
from inferstack.k8s.manifests.slo import objective_rules

RULE_API = "monitoring.coreos.com/v1"
# Queue and KV cache: this long above the line means scaling out did not help (at max replicas, or stuck).
SATURATION_FOR = "15m"
KV_CACHE_SATURATED = 0.95
# Waiting requests per replica, as a multiple of the autoscaler's target, that count as a backlog.
QUEUE_BACKLOG_FACTOR = 2
RESTARTS_IN_30M = 2


def alert(name: str, expr: str, duration: str, severity: str, key: str, summary: str) -> dict[str, Any]:
    """One alert rule of a model, labelled with its severity and the model."""
    return {
        "alert": name,
        "expr": expr,
        "for": duration,
        "labels": {"severity": severity, "model": key},
        "annotations": {"summary": summary},
    }


def _minutes(seconds: float) -> str:
    return f"{math.ceil(seconds / 60)}m"


def model_alerts(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """Every alert of one model, in a stable order."""
    key, ns, model, eng = inputs.key, inputs.namespace, inputs.model, inputs.engine
    sel = f'namespace="{ns}"'
    engine_pods = f'namespace="{ns}", pod=~"{deployment_name(key)}-.*"'
    budget = startup_budget(inputs)
    rules: list[dict[str, Any]] = []
    if model.load is not None:
        rules += objective_rules(key, ns, model.load.ttft_ms, model.load.tpot_ms)
    backlog = QUEUE_BACKLOG_FACTOR * model.autoscale.queue_depth
    rules += [
        alert(
            "LlmModelQueueBacklog",
            f"sum({eng.queue_metric}{{{sel}}}) / clamp_min(count({eng.queue_metric}{{{sel}}}), 1) > {backlog}",
            SATURATION_FOR,
            "warning",
            key,
            f"{key}: more than {backlog} requests waiting per replica for {SATURATION_FOR}",
        ),
        alert(
            "LlmModelKvCacheSaturated",
            f"max({eng.kv_cache_metric}{{{sel}}}) > {KV_CACHE_SATURATED:g}",
            SATURATION_FOR,
            "warning",
            key,
            f"{key}: a replica's KV cache above {KV_CACHE_SATURATED:.0%} for {SATURATION_FOR} (preemptions, latency)",
        ),
    ]
    if model.replicas.min > 0:
        rules.append(
            alert(
                "LlmModelReplicasBelowMin",
                f'kube_deployment_status_replicas_available{{{sel}, deployment="{deployment_name(key)}"}} '
                f"< {model.replicas.min}",
                # A rollout or a node scale-up legitimately takes a start-up budget.
                _minutes(budget + 300),
                "critical",
                key,
                f"{key}: fewer than {model.replicas.min} ready replicas (replicas.min)",
            )
        )
    rules += [
        alert(
            "LlmModelPodRestarting",
            f"increase(kube_pod_container_status_restarts_total{{{engine_pods}}}[30m]) > {RESTARTS_IN_30M}",
            "0m",
            "warning",
            key,
            f"{key}: an engine container restarted more than {RESTARTS_IN_30M} times in 30 minutes",
        ),
        alert(
            "LlmModelStartupStuck",
            f'max by (pod) (kube_pod_status_ready{{{engine_pods}, condition="false"}}) == 1',
            _minutes(budget),
            "warning",
            key,
            f"{key}: an engine pod not ready beyond its start-up budget ({budget} s)",
        ),
        alert(
            "LlmModelAutoscalerMetricsFailing",
            # The KEDA operator's own namespace label wins at scrape time; the ScaledObject's is exported_namespace.
            f'sum(rate(keda_scaler_detail_errors_total{{exported_namespace="{ns}", scaledObject="{key}"}}[5m])) > 0',
            "10m",
            "critical",
            key,
            f"{key}: KEDA cannot read the metrics it scales on (it holds the fallback replica count)",
        ),
        alert(
            "LlmModelSmokeTestFailed",
            f'max(kube_job_failed{{{sel}, job_name=~"{key}-smoke-.*", condition="true"}}) > 0',
            "0m",
            "warning",
            key,
            f"{key}: the post-deploy smoke test failed (kubectl -n {ns} logs job/<name>)",
        ),
    ]
    return rules


def model_rule_object(inputs: ServiceInputs) -> dict[str, Any]:
    """The model's PrometheusRule, in its namespace."""
    return {
        "apiVersion": RULE_API,
        "kind": "PrometheusRule",
        "metadata": pods.metadata(inputs.key, inputs.namespace, labels(inputs.key)),
        "spec": {"groups": [{"name": f"inferstack-{inputs.key}", "rules": model_alerts(inputs)}]},
    }
