"""The rate limits' counters: one Redis that Envoy Gateway's rate-limit service keeps per-client counts in.

Counts live a minute; losing them on a restart only resets the current window, so Redis keeps nothing on disk
and runs like every other pod here: non-root, read-only root filesystem, only the rate-limit service may reach it.
"""

from __future__ import annotations

from typing import Any

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.k8s import pods
from inferstack.k8s.gateway.inputs import NAMESPACE, controller_namespace

NAME = "ratelimit-redis"
PORT = 6379
LABELS = {"app.kubernetes.io/name": NAME}
RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}


def redis_url() -> str:
    """Where the rate-limit service finds its counters (Envoy Gateway's rateLimit.backend.redis.url)."""
    return f"{NAME}.{NAMESPACE}.svc.cluster.local:{PORT}"


def redis_objects() -> list[dict[str, Any]]:
    """Redis's Deployment, Service and NetworkPolicy in the gateway namespace."""
    container = {
        "name": "redis",
        "image": k8s_addons().images["redis"].ref,
        # In memory only: no RDB snapshots, no append-only file.
        "args": ["redis-server", "--save", "", "--appendonly", "no", "--dir", "/data", "--port", str(PORT)],
        "ports": [{"name": "redis", "containerPort": PORT}],
        "startupProbe": {"tcpSocket": {"port": PORT}, "periodSeconds": 2, "failureThreshold": 30},
        "readinessProbe": {"tcpSocket": {"port": PORT}, "periodSeconds": 5},
        "livenessProbe": {"tcpSocket": {"port": PORT}, "periodSeconds": 10},
        "resources": RESOURCES,
        "securityContext": pods.container_security_context(),
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": pods.metadata(NAME, NAMESPACE, LABELS),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": LABELS},
            "template": {
                "metadata": {"labels": LABELS},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": pods.pod_security_context(),
                    "containers": [container],
                    "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "256Mi"}}],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(NAME, NAMESPACE, LABELS),
        "spec": {
            "type": "ClusterIP",
            "selector": LABELS,
            "ports": [{"name": "redis", "port": PORT, "targetPort": PORT, "protocol": "TCP"}],
        },
    }
    ratelimit = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": controller_namespace()}}}
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": pods.metadata(NAME, NAMESPACE, LABELS),
        "spec": {
            "podSelector": {"matchLabels": LABELS},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [ratelimit], "ports": [{"protocol": "TCP", "port": PORT}]}],
            "egress": [],
        },
    }
    return [deployment, service, policy]
