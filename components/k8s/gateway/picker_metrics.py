"""Scraping an endpoint picker: its metrics endpoint answers only an authenticated, authorized caller.

The picker (gateway-api-inference-extension v1.0.2, cmd/epp/runner/runner.go) serves /metrics through
controller-runtime's `filters.WithAuthenticationAndAuthorization`, with no flag to turn it off: each scrape's bearer
token is checked with a TokenReview and the caller's right to GET the non-resource URL /metrics with a
SubjectAccessReview. So, as the project's own chart does (config/charts/inferencepool templates/rbac.yaml and
epp-servicemonitor.yaml), the picker may create both reviews, a reader account may GET /metrics, and the
PodMonitor sends the reader's token from its service-account token Secret (filled in by Kubernetes, never by us).
Cluster-scoped names carry the model's namespace, which is unique per model.
"""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.gateway.routes import pool_name

RBAC = "rbac.authorization.k8s.io"
TOKEN_KEY = "token"
SCRAPE_INTERVAL = "30s"


def reader_name(key: str) -> str:
    """The account (and its token Secret) the PodMonitor scrapes one model's picker as."""
    return f"{pool_name(key)}-metrics-reader"


def _binding(name: str, role: str, account: str, namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": f"{RBAC}/v1",
        "kind": "ClusterRoleBinding",
        "metadata": pods.metadata(name, None, labels),
        "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
    }


def review_objects(key: str, namespace: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    """The picker's right to check a scraper's token and permission (TokenReview, SubjectAccessReview)."""
    name = f"{namespace}-picker-auth"
    role = {
        "apiVersion": f"{RBAC}/v1",
        "kind": "ClusterRole",
        "metadata": pods.metadata(name, None, labels),
        "rules": [
            {"apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]},
            {"apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"], "verbs": ["create"]},
        ],
    }
    return [role, _binding(name, name, pool_name(key), namespace, labels)]


def reader_objects(key: str, namespace: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    """The reader account, its token Secret, and its right to GET /metrics (nothing else)."""
    reader, role_name = reader_name(key), f"{namespace}-picker-metrics-reader"
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": pods.metadata(reader, namespace, labels),
        "automountServiceAccountToken": False,
    }
    token = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": pods.metadata(
            reader, namespace, labels, annotations={"kubernetes.io/service-account.name": reader}
        ),
        "type": "kubernetes.io/service-account-token",
    }
    role = {
        "apiVersion": f"{RBAC}/v1",
        "kind": "ClusterRole",
        "metadata": pods.metadata(role_name, None, labels),
        "rules": [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}],
    }
    return [account, token, role, _binding(role_name, role_name, reader, namespace, labels)]


def monitor_object(key: str, namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    """The PodMonitor scraping the picker's metrics port with the reader's token."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": pods.metadata(pool_name(key), namespace, labels),
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "podMetricsEndpoints": [
                {
                    "port": "metrics",
                    "path": "/metrics",
                    "interval": SCRAPE_INTERVAL,
                    "authorization": {"type": "Bearer", "credentials": {"name": reader_name(key), "key": TOKEN_KEY}},
                }
            ],
        },
    }


def picker_metrics_objects(key: str, namespace: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Everything that lets Prometheus scrape one model's endpoint picker."""
    return [
        *review_objects(key, namespace, labels),
        *reader_objects(key, namespace, labels),
        monitor_object(key, namespace, labels),
    ]
