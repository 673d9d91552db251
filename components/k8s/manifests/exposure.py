"""How clients reach a model: the in-cluster Service and, when the spec asks, a LoadBalancer Service."""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.inputs import ServiceInputs, labels

SERVICE_PORT = 80


def service_ports() -> list[dict[str, Any]]:
    """The one port both Services expose; targetPort names the container port, so it follows the engine."""
    return [{"name": "http", "port": SERVICE_PORT, "targetPort": "http", "protocol": "TCP"}]


def service_object(inputs: ServiceInputs) -> dict[str, Any]:
    """The in-cluster (ClusterIP) Service."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(inputs.key, inputs.namespace, labels(inputs.key)),
        "spec": {"type": "ClusterIP", "selector": labels(inputs.key), "ports": service_ports()},
    }


def load_balancer_object(inputs: ServiceInputs) -> dict[str, Any] | None:
    """The LoadBalancer Service when the spec asks for one: internal by default, limited to its source ranges."""
    spec_lb = inputs.model.load_balancer
    if spec_lb is None:
        return None
    annotations = dict(sorted(inputs.internal_lb_annotations.items())) if spec_lb.internal else {}
    spec: dict[str, Any] = {
        "type": "LoadBalancer",
        "selector": labels(inputs.key),
        "ports": service_ports(),
        # Keeps the client address, so the source ranges and the NetworkPolicy see real clients.
        "externalTrafficPolicy": "Local",
    }
    if spec_lb.source_ranges:
        spec["loadBalancerSourceRanges"] = [str(cidr) for cidr in spec_lb.source_ranges]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(f"{inputs.key}-lb", inputs.namespace, labels(inputs.key), annotations=annotations),
        "spec": spec,
    }
