"""Helm values of the gateway's charts: Envoy Gateway wired to Envoy AI Gateway, and AI Gateway itself.

Envoy Gateway calls AI Gateway's controller as an extension server for every listener, route, cluster and
secret it translates, and treats InferencePool as a backend kind; both are what AI Gateway's install guide
sets (manifests/envoy-gateway-values.yaml and examples/inference-pool/envoy-gateway-values-addon.yaml, v1.1.0).
"""

from __future__ import annotations

from typing import Any

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.k8s.gateway.edge import CONTROLLER_NAME
from inferstack.k8s.gateway.ratelimit import redis_url

# The AI Gateway chart's controller Service (fullnameOverride ai-gateway-controller) and its extension port.
AI_CONTROLLER = "ai-gateway-controller"
EXTENSION_PORT = 1063
CONTROLLER_RESOURCES = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}}


def envoy_gateway_values(*, rate_limits: bool) -> dict[str, Any]:
    """Values of the Envoy Gateway chart; the rate-limit service (with Redis) only when a client has a limit."""
    ai_namespace = k8s_addons().charts["ai-gateway"].namespace
    hooks = {
        "translation": {part: {"includeAll": True} for part in ("listener", "route", "cluster", "secret")},
        "post": ["Translation", "Cluster", "Route"],
    }
    envoy_gateway: dict[str, Any] = {
        "gateway": {"controllerName": CONTROLLER_NAME},
        "provider": {"type": "Kubernetes"},
        "extensionApis": {"enableEnvoyPatchPolicy": True, "enableBackend": True},
        "extensionManager": {
            "hooks": {"xdsTranslator": hooks},
            "service": {
                "fqdn": {"hostname": f"{AI_CONTROLLER}.{ai_namespace}.svc.cluster.local", "port": EXTENSION_PORT}
            },
            "backendResources": [{"group": "inference.networking.k8s.io", "kind": "InferencePool", "version": "v1"}],
        },
    }
    if rate_limits:
        envoy_gateway["rateLimit"] = {"backend": {"type": "Redis", "redis": {"url": redis_url()}}}
    return {
        "config": {"envoyGateway": envoy_gateway},
        "deployment": {"envoyGateway": {"resources": CONTROLLER_RESOURCES}},
    }


def ai_gateway_values() -> dict[str, Any]:
    """Values of the AI Gateway chart: its controller's resources (security contexts are the chart's, non-root)."""
    return {"controller": {"resources": CONTROLLER_RESOURCES}}
