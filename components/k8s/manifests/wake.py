"""Waking a model at zero replicas: its InterceptorRoute, its wake Service and the trigger its ScaledObject gains.

Clients (or a gateway) call `http://<key>-wake.llm-<key>.svc:8080`: the wake Service is an ExternalName for the KEDA
HTTP add-on's interceptor, which matches the Host name to the model's InterceptorRoute, holds the request while the
model has no ready replica (bounded by the route's readiness timeout, from the planned start-up) and then forwards it
to the model's own Service. The interceptor reports requests in flight to KEDA through the add-on's scaler, which the
model's ScaledObject reads as one more trigger: one scaler owner per Deployment (planning/wake.py). Behind the
inference gateway the route gains a rule per served name on the model header the gateway forwards (the gateway sends
these names to the interceptor, k8s/gateway/routes.py): a rule without hosts matches any Host (kedacore/http-add-on
v0.15.0 pkg/routing/key.go, newKeysFromRoutingRule: no hosts is the catch-all "*"), and every listed header must match.
"""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.exposure import SERVICE_PORT
from inferstack.k8s.manifests.inputs import ServiceInputs, labels
from inferstack.k8s.manifests.pod import startup
from inferstack.planning.engine_version import model_release, vllm_max_num_seqs
from inferstack.planning.gateway import MODEL_HEADER
from inferstack.planning.throughput import MAX_BATCH
from inferstack.planning.wake import (
    INTERCEPTOR_LABELS,
    addon_namespace,
    interceptor_address,
    scaler_address,
    wake_hosts,
    wake_service_name,
    wake_timeout_s,
    wakes,
)

TRIGGER_NAME = "wake"


def wake_enabled(inputs: ServiceInputs) -> bool:
    """Whether this model sleeps at zero and wakes on a request."""
    return wakes(inputs.model)


def in_flight_target(inputs: ServiceInputs) -> int:
    """Requests in flight per replica before the HTTP signal asks for another: what one engine runs at once.

    So the interceptor's count wakes the model (any request activates it) but scaling out stays with the engine's own
    queue depth, which sees what the engine cannot run yet.
    """
    if inputs.model.max_num_seqs is not None:
        return inputs.model.max_num_seqs
    if inputs.pool is None:
        return MAX_BATCH
    return vllm_max_num_seqs(inputs.pool.gpu, model_release(inputs.model))


def interceptor_route(inputs: ServiceInputs) -> dict[str, Any]:
    """The model's InterceptorRoute (http.keda.sh/v1beta1): its wake hosts to its own Service, held while it starts."""
    return {
        "apiVersion": "http.keda.sh/v1beta1",
        "kind": "InterceptorRoute",
        "metadata": pods.metadata(inputs.key, inputs.namespace, labels(inputs.key)),
        "spec": {
            "target": {"service": inputs.key, "port": SERVICE_PORT},
            "rules": [
                {"hosts": wake_hosts(inputs.key)},
                *({"headers": [{"name": MODEL_HEADER, "value": name}]} for name in inputs.wake_names),
            ],
            "timeouts": {"readiness": f"{wake_timeout_s(startup(inputs))}s"},
            "scalingMetric": {"concurrency": {"targetValue": in_flight_target(inputs)}},
        },
    }


def wake_service(inputs: ServiceInputs) -> dict[str, Any]:
    """The wake Service: the model's name for the interceptor (ExternalName keeps the port: 8080)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(wake_service_name(inputs.key), inputs.namespace, labels(inputs.key)),
        "spec": {"type": "ExternalName", "externalName": interceptor_address()},
    }


def wake_trigger(inputs: ServiceInputs) -> dict[str, Any]:
    """The ScaledObject trigger fed by the add-on's scaler: requests held or in flight at the interceptor."""
    return {
        "type": "external-push",
        "name": TRIGGER_NAME,
        "metadata": {"scalerAddress": scaler_address(), "interceptorRoute": inputs.key},
    }


def interceptor_ingress(inputs: ServiceInputs) -> dict[str, Any]:
    """The engine's NetworkPolicy rule admitting the interceptor pods, which forward the held requests."""
    source = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": addon_namespace()}},
        "podSelector": {"matchLabels": dict(INTERCEPTOR_LABELS)},
    }
    return {"from": [source], "ports": [{"protocol": "TCP", "port": inputs.engine.port}]}


def wake_objects(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """The wake Service and the InterceptorRoute of a waking model; none otherwise."""
    return [wake_service(inputs), interceptor_route(inputs)] if wake_enabled(inputs) else []
