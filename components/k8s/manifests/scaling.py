"""How many replicas run: the KEDA ScaledObject, and the PodMonitor that scrapes the metrics it scales on."""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.inputs import ServiceInputs, labels
from inferstack.k8s.manifests.pod import deployment_name

# Failed metric reads (15 s polls) before KEDA stops trusting Prometheus and holds the fallback replica count.
FALLBACK_FAILURES = 3


def scaled_object(inputs: ServiceInputs) -> dict[str, Any]:
    """KEDA ScaledObject: scale on the engine's queue depth per replica (and KV-cache use when asked)."""
    key, eng, model = inputs.key, inputs.engine, inputs.model
    selector = f'namespace="{inputs.namespace}"'
    triggers: list[dict[str, Any]] = [
        {
            "type": "prometheus",
            "name": "queue-depth",
            # AverageValue: desired replicas = total waiting requests / threshold.
            "metricType": "AverageValue",
            "metadata": {
                "serverAddress": inputs.prometheus_url,
                "query": f"sum({eng.queue_metric}{{{selector}}})",
                "threshold": str(model.autoscale.queue_depth),
                "activationThreshold": "0",
            },
        }
    ]
    if model.autoscale.kv_cache_utilization is not None:
        triggers.append(
            {
                "type": "prometheus",
                "name": "kv-cache",
                # Value: the average use is compared as is, not divided by the replica count.
                "metricType": "Value",
                "metadata": {
                    "serverAddress": inputs.prometheus_url,
                    "query": f"avg({eng.kv_cache_metric}{{{selector}}})",
                    "threshold": f"{model.autoscale.kv_cache_utilization:g}",
                },
            }
        )
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": pods.metadata(key, inputs.namespace, labels(key)),
        "spec": {
            "scaleTargetRef": {"name": deployment_name(key)},
            "minReplicaCount": model.replicas.min,
            "maxReplicaCount": model.replicas.max,
            "pollingInterval": 15,
            # Replicas are expensive to start: wait before scaling in, and to zero.
            "cooldownPeriod": 600,
            # Prometheus down: keep at least min replicas (one when min is 0, so a request is still served) and
            # never scale in below what runs (KEDA 2.18 `currentReplicasIfHigher`; needs an AverageValue trigger).
            "fallback": {
                "failureThreshold": FALLBACK_FAILURES,
                "replicas": max(model.replicas.min, 1),
                "behavior": "currentReplicasIfHigher",
            },
            "triggers": triggers,
        },
    }


def pod_monitor(inputs: ServiceInputs) -> dict[str, Any]:
    """The Prometheus PodMonitor that scrapes the engine's metrics endpoint."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": pods.metadata(inputs.key, inputs.namespace, labels(inputs.key)),
        "spec": {
            "selector": {"matchLabels": labels(inputs.key)},
            "podMetricsEndpoints": [{"port": "http", "path": inputs.engine.metrics_path, "interval": "15s"}],
        },
    }
