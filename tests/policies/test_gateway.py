"""The rules of policies/gateway.py: public listeners list their clients; listeners outside the cluster have TLS.

A compliant example passes; each single mutation of it fails with its message (or, where "", still passes).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.support import (
    DELETE,
    Mutation,
    Resource,
    check_compliant,
    check_mutation,
    findings_of,
    mutate,
    mutation_ids,
)

PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
PUBLIC_PROXY: dict[str, Any] = {
    "metadata": {"name": "llm", "namespace": "llm-gateway"},
    "spec": {
        "provider": {
            "kubernetes": {"envoyService": {"type": "LoadBalancer", "loadBalancerSourceRanges": ["203.0.113.0/24"]}}
        }
    },
}
ACM_PROXY: dict[str, Any] = {
    "metadata": {"name": "llm", "namespace": "llm-gateway"},
    "spec": {
        "provider": {
            "kubernetes": {
                "envoyService": {
                    "type": "LoadBalancer",
                    "annotations": {
                        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
                        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:::certificate/x",
                        "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
                    },
                }
            }
        }
    },
}
HTTPS_GATEWAY: dict[str, Any] = {
    "metadata": {"name": "llm", "namespace": "llm-gateway"},
    "spec": {
        "infrastructure": {"parametersRef": {"name": "llm"}},
        "listeners": [{"name": "https", "protocol": "HTTPS", "port": 443}],
    },
}
ACM_GATEWAY: dict[str, Any] = {
    **HTTPS_GATEWAY,
    "spec": {**HTTPS_GATEWAY["spec"], "listeners": [{"name": "https", "protocol": "HTTP", "port": 443}]},
}
SERVICE = ("spec", "provider", "kubernetes", "envoyService")

GOOD: dict[str, list[Resource]] = {
    "k8s-gateway-public-source-ranges": [(PROXY, "", PUBLIC_PROXY)],
    "k8s-gateway-listener-tls": [(PROXY, "", PUBLIC_PROXY), (GATEWAY, "", HTTPS_GATEWAY)],
}
# TLS held by the AWS load balancer (ACM) makes an HTTP listener behind it compliant.
ACM: list[Resource] = [(PROXY, "", ACM_PROXY), (GATEWAY, "", ACM_GATEWAY)]
MUTATIONS: list[Mutation] = [
    ("k8s-gateway-public-source-ranges", 0, (*SERVICE, "loadBalancerSourceRanges"), [], {}, "admits every address"),
    ("k8s-gateway-public-source-ranges", 0, (*SERVICE, "loadBalancerSourceRanges"), DELETE, {}, "admits every"),
    ("k8s-gateway-public-source-ranges", 0, (*SERVICE, "loadBalancerSourceRanges"), ["0.0.0.0/0"], {}, "0.0.0.0/0"),
    # Envoy Gateway's default Service type is LoadBalancer: leaving it out is still public.
    ("k8s-gateway-public-source-ranges", 0, (*SERVICE, "type"), DELETE, {}, ""),
    ("k8s-gateway-public-source-ranges", 0, (*SERVICE, "type"), "ClusterIP", {}, ""),
    ("k8s-gateway-listener-tls", 1, ("spec", "listeners", 0, "protocol"), "HTTP", {}, "without TLS"),
    ("k8s-gateway-listener-tls", 0, (*SERVICE, "type"), "ClusterIP", {}, ""),
    ("k8s-gateway-listener-tls", 0, (*SERVICE, "loadBalancerSourceRanges"), DELETE, {}, ""),
]
ANNOTATIONS = (*SERVICE, "annotations")
ACM_MUTATIONS: list[tuple[tuple[str | int, ...], Any]] = [
    ((*ANNOTATIONS, "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"), DELETE),
    ((*ANNOTATIONS, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"), "8443"),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    check_compliant(GOOD, rule)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)


def test_an_http_listener_behind_an_acm_load_balancer_passes() -> None:
    assert findings_of("k8s-gateway-listener-tls", ACM, {}) == []


@pytest.mark.parametrize(("path", "value"), ACM_MUTATIONS, ids=["no-certificate", "other-port"])
def test_without_the_load_balancers_tls_the_http_listener_fails(path: tuple[str | int, ...], value: Any) -> None:
    findings = findings_of("k8s-gateway-listener-tls", mutate(ACM, 0, path, value), {})
    assert findings and "without TLS" in findings[0].message
