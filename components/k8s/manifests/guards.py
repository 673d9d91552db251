"""What fences a model in: the restricted namespace, its disruption budget and its network policies."""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.inputs import ServiceInputs, labels
from inferstack.k8s.manifests.wake import interceptor_ingress, wake_enabled
from inferstack.planning.names import serving_namespace

MONITORING_NAMESPACE = "monitoring"
CLIENT_LABEL = "inferstack.dev/llm-client"


def namespace_object(key: str) -> dict[str, Any]:
    """The model's namespace, enforcing the restricted Pod Security Standard."""
    enforce = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": pods.metadata(serving_namespace(key), None, enforce),
    }


def disruption_budget_object(inputs: ServiceInputs) -> dict[str, Any]:
    """At most one replica voluntarily disrupted at a time; a pod that never became ready may always go."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": pods.metadata(inputs.key, inputs.namespace, labels(inputs.key)),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": labels(inputs.key)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def network_policy_objects(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """Deny everything in the namespace, then allow clients, the metrics scraper, DNS and the weight sources."""
    key, port = inputs.key, inputs.engine.port
    deny = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": pods.metadata("default-deny", inputs.namespace, {}),
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }
    clients: list[dict[str, Any]] = [{"podSelector": {}}]
    if inputs.gateway_peer is not None:
        # Behind the gateway, its proxies are the only clients from outside the namespace (keys and limits apply).
        clients.append(dict(inputs.gateway_peer))
    else:
        clients.append({"namespaceSelector": {"matchLabels": {CLIENT_LABEL: "true"}}})
    lb = inputs.model.load_balancer
    if lb is not None:
        clients += [{"ipBlock": {"cidr": str(cidr)}} for cidr in lb.source_ranges]
    scraper = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}
    egress = [pods.dns_egress(), pods.https_egress()]
    egress += [
        {"to": [{"ipBlock": {"cidr": rule.cidr}}], "ports": [{"protocol": "TCP", "port": rule.port}]}
        for rule in inputs.egress
    ]
    allow = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": pods.metadata(f"{key}-engine", inputs.namespace, labels(key)),
        "spec": {
            "podSelector": {"matchLabels": labels(key)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {"from": clients, "ports": [{"protocol": "TCP", "port": port}]},
                {"from": [scraper], "ports": [{"protocol": "TCP", "port": port}]},
                # A model at zero is reached through the KEDA HTTP interceptor, in its own namespace.
                *([interceptor_ingress(inputs)] if wake_enabled(inputs) else []),
            ],
            "egress": egress,
        },
    }
    return [deny, allow]
