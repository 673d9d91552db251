"""The model-name rules: Envoy AI Gateway reads the OpenAI `model` field into a header and matches it here.

A name one model serves routes to that model's InferencePool, whose endpoint picker chooses the replica. AI
Gateway allows one InferencePool per rule (the AIGatewayRoute CRD's rule validation, v1.1.0), so a name shared by
several models (a canary between two revisions) routes to their Services through weighted AIServiceBackends
instead: the split follows the weights, and within each revision Envoy balances by least requests. A name whose
one model sleeps at zero and wakes routes to the KEDA HTTP add-on's interceptor through an AIServiceBackend: the
request keeps its model header, which the model's InterceptorRoute matches (k8s/manifests/wake.py), and is held
while a replica starts; such a model has no InferencePool (Envoy balances the interceptor's forwards by the Service).
AI Gateway answers `GET /v1/models` itself from these rules, so it lists every served name.
"""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.gateway.edge import LABELS, TOTAL_TOKENS
from inferstack.k8s.gateway.inputs import GATEWAY, NAMESPACE, GatewayInputs
from inferstack.k8s.manifests.exposure import SERVICE_PORT
from inferstack.planning.gateway import MODEL_HEADER, RouteTarget, rule_name
from inferstack.planning.wake import INTERCEPTOR_PORT, interceptor_address

POOL_GROUP = "inference.networking.k8s.io"
# A completion may run for minutes; Envoy's default route timeout (15s) would cut long generations.
REQUEST_TIMEOUT = "600s"


def pool_name(key: str) -> str:
    """The InferencePool (and endpoint picker) of one model, in the model's namespace."""
    return f"{key}-pool"


def backend_name(key: str) -> str:
    """The Backend and AIServiceBackend of one model in a weighted split, in the gateway's namespace."""
    return f"{key}-revision"


def wake_backend_name(key: str) -> str:
    """The Backend and AIServiceBackend reaching a waking model through the interceptor (gateway namespace)."""
    return f"{key}-wake"


def is_split(targets: tuple[RouteTarget, ...]) -> bool:
    """Whether a served name is shared by several models (split by weight, not by one endpoint picker)."""
    return len(targets) > 1


def _backend_refs(inputs: GatewayInputs, targets: tuple[RouteTarget, ...]) -> list[dict[str, Any]]:
    if is_split(targets):
        return [{"name": backend_name(target.key), "weight": target.weight} for target in targets]
    (target,) = targets
    if target.key in inputs.waking:
        return [{"name": wake_backend_name(target.key)}]
    model = inputs.model(target.key)
    return [{"group": POOL_GROUP, "kind": "InferencePool", "name": pool_name(target.key), "namespace": model.namespace}]


def route_object(inputs: GatewayInputs) -> dict[str, Any]:
    """The AIGatewayRoute: one rule per served name, token usage recorded for the rate limits."""
    rules = [
        {
            "name": rule_name(name),
            "matches": [{"headers": [{"type": "Exact", "name": MODEL_HEADER, "value": name}]}],
            "backendRefs": _backend_refs(inputs, targets),
            "timeouts": {"request": REQUEST_TIMEOUT},
        }
        for name, targets in inputs.routes.items()
    ]
    return {
        "apiVersion": "aigateway.envoyproxy.io/v1beta1",
        "kind": "AIGatewayRoute",
        "metadata": pods.metadata("models", NAMESPACE, LABELS),
        "spec": {
            "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY}],
            "rules": rules,
            "llmRequestCosts": [{"metadataKey": TOTAL_TOKENS, "type": "TotalToken"}],
        },
    }


def _service_backend(name: str, host: str, port: int) -> list[dict[str, Any]]:
    """A Backend for one in-cluster host and the AIServiceBackend (OpenAI schema) a route rule names."""
    return [
        {
            "apiVersion": "gateway.envoyproxy.io/v1alpha1",
            "kind": "Backend",
            "metadata": pods.metadata(name, NAMESPACE, LABELS),
            "spec": {"endpoints": [{"fqdn": {"hostname": host, "port": port}}]},
        },
        {
            "apiVersion": "aigateway.envoyproxy.io/v1beta1",
            "kind": "AIServiceBackend",
            "metadata": pods.metadata(name, NAMESPACE, LABELS),
            "spec": {
                "schema": {"name": "OpenAI"},
                "backendRef": {"group": "gateway.envoyproxy.io", "kind": "Backend", "name": name},
            },
        },
    ]


def split_objects(inputs: GatewayInputs) -> list[dict[str, Any]]:
    """A Backend and an AIServiceBackend per model of a weighted split, pointing at the model's Service."""
    objects: list[dict[str, Any]] = []
    for targets in inputs.routes.values():
        if not is_split(targets):
            continue
        for target in targets:
            host = f"{target.key}.{inputs.model(target.key).namespace}.svc.cluster.local"
            objects += _service_backend(backend_name(target.key), host, SERVICE_PORT)
    return objects


def wake_objects(inputs: GatewayInputs) -> list[dict[str, Any]]:
    """A Backend and an AIServiceBackend per waking model, both pointing at the interceptor proxy."""
    objects: list[dict[str, Any]] = []
    for key in sorted(inputs.waking):
        objects += _service_backend(wake_backend_name(key), interceptor_address(), INTERCEPTOR_PORT)
    return objects
