"""How many replicas run: the KEDA ScaledObject, and the PodMonitor that scrapes the metrics it scales on."""

from __future__ import annotations

import math
from typing import Any

from inferstack import catalog
from inferstack.k8s import pods
from inferstack.k8s.manifests.inputs import ServiceInputs, labels
from inferstack.k8s.manifests.pod import deployment_name, startup
from inferstack.k8s.manifests.wake import wake_enabled, wake_trigger

# Failed metric reads (15 s polls) before KEDA stops trusting Prometheus and holds the fallback replica count.
FALLBACK_FAILURES = 3
# KEDA's and the HPA's own default wait (KEDA cooldownPeriod, HPA scaleDown stabilization): never wait less.
MIN_HOLD_S = 300
# The HPA refuses a stabilization window above an hour (the vendored KEDA CRD's maximum; kedacore/keda issue #4976).
MAX_WINDOW_S = 3600


def hold_s(seconds: float, cap: int | None = None) -> int:
    """The scale-in wait for a replica that takes `seconds` to come back: × the hold factor, whole minutes."""
    factor = catalog.efficiency().startup.scale_in_hold.value
    held = max(MIN_HOLD_S, math.ceil(seconds * factor / 60) * 60)
    return min(held, cap) if cap is not None else held


def scale_in_holds(inputs: ServiceInputs) -> tuple[int, int]:
    """(cooldownPeriod, scale-down stabilization) from the planned start of a later replica (compile cache loaded).

    The last replica going to zero takes its node with it, so bringing it back costs node boot + start-up; between
    1 and N replicas the node usually stays (the cluster autoscaler waits before removing it), so only the pod's start.
    """
    start = startup(inputs)
    return hold_s(start.later_cold_s), hold_s(start.later_pod_s, MAX_WINDOW_S)


def scaled_object(inputs: ServiceInputs) -> dict[str, Any]:
    """KEDA ScaledObject: scale on the engine's queue depth per replica (and KV-cache use when asked)."""
    key, eng, model = inputs.key, inputs.engine, inputs.model
    cooldown, window = scale_in_holds(inputs)
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
    if wake_enabled(inputs):
        # A request held at the interceptor activates the Deployment from zero; no second scaler owns it.
        triggers.append(wake_trigger(inputs))
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": pods.metadata(key, inputs.namespace, labels(key)),
        "spec": {
            "scaleTargetRef": {"name": deployment_name(key)},
            "minReplicaCount": model.replicas.min,
            "maxReplicaCount": model.replicas.max,
            "pollingInterval": 15,
            # Replicas are expensive to start: the waits before scaling in follow the planned start (scale_in_holds).
            "cooldownPeriod": cooldown,
            "advanced": {
                "horizontalPodAutoscalerConfig": {"behavior": {"scaleDown": {"stabilizationWindowSeconds": window}}}
            },
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
