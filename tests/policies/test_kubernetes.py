"""The rules of policies/kubernetes.py: containers, GPU scheduling, secrets and network isolation.

A compliant example passes; each single mutation of it fails with its message.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.support import DELETE, Mutation, Resource, check_compliant, check_mutation, mutation_ids

SECURE_CONTAINER: dict[str, Any] = {
    "name": "engine",
    "image": "vllm/vllm-openai:v0.11.0",
    "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False},
    "resources": {"limits": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"}},
    "startupProbe": {"httpGet": {"path": "/health", "port": 8000}},
    "readinessProbe": {"httpGet": {"path": "/health", "port": 8000}},
    "env": [{"name": "VLLM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "chat-secrets", "key": "api-key"}}}],
}
DEPLOYMENT = {
    "metadata": {"name": "chat", "namespace": "llm-chat"},
    "spec": {
        "template": {
            "spec": {
                "containers": [SECURE_CONTAINER],
                "nodeSelector": {"inferstack.dev/pool": "l4"},
                "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            }
        }
    },
}
CONTAINER = ("spec", "template", "spec", "containers", 0)


GOOD: dict[str, list[Resource]] = {
    "k8s-image-pinned": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-restricted-security-context": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-resource-limits": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-startup-and-readiness-probes": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-gpu-workload-targets-pool": [("kubernetes:apps/v1:Deployment", "", DEPLOYMENT)],
    "k8s-no-plain-secrets": [
        ("kubernetes:apps/v1:Deployment", "", DEPLOYMENT),
        ("kubernetes:core/v1:ConfigMap", "", {"data": {"MODEL": "qwen2.5-7b", "LOG_LEVEL": "info"}}),
    ],
    "k8s-networkpolicy-per-serving-namespace": [
        ("kubernetes:apps/v1:Deployment", "", DEPLOYMENT),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "", {"metadata": {"namespace": "llm-chat"}}),
    ],
}

MUTATIONS: list[Mutation] = [
    ("k8s-image-pinned", 0, (*CONTAINER, "image"), "vllm/vllm-openai:latest", {}, "not pinned"),
    ("k8s-image-pinned", 0, (*CONTAINER, "image"), "registry:5000/vllm", {}, "not pinned"),
    ("k8s-restricted-security-context", 0, (*CONTAINER, "securityContext", "runAsNonRoot"), DELETE, {}, "as root"),
    (
        "k8s-restricted-security-context",
        0,
        (*CONTAINER, "securityContext", "allowPrivilegeEscalation"),
        True,
        {},
        "privilege escalation",
    ),
    ("k8s-restricted-security-context", 0, (*CONTAINER, "securityContext", "privileged"), True, {}, "privileged"),
    ("k8s-resource-limits", 0, (*CONTAINER, "resources", "limits", "memory"), DELETE, {}, "no memory limit"),
    ("k8s-startup-and-readiness-probes", 0, (*CONTAINER, "startupProbe"), DELETE, {}, "no startupProbe"),
    ("k8s-startup-and-readiness-probes", 0, (*CONTAINER, "readinessProbe"), DELETE, {}, "no readinessProbe"),
    ("k8s-gpu-workload-targets-pool", 0, ("spec", "template", "spec", "tolerations"), [], {}, "do not tolerate"),
    ("k8s-gpu-workload-targets-pool", 0, ("spec", "template", "spec", "nodeSelector"), DELETE, {}, "select their pool"),
    (
        "k8s-no-plain-secrets",
        0,
        (*CONTAINER, "env", 0),
        {"name": "HF_TOKEN", "value": "placeholder-not-a-token"},
        {},
        "literal credential",
    ),
    ("k8s-no-plain-secrets", 1, ("data", "API_KEY"), "placeholder-not-a-key", {}, "looks like a credential"),
    # A credential-shaped value under an innocent name, built here so no such literal sits in the repository.
    ("k8s-no-plain-secrets", 1, ("data", "MODEL"), "hf_" + "x" * 34, {}, "looks like a credential"),
    ("k8s-networkpolicy-per-serving-namespace", 1, ("metadata", "namespace"), "other", {}, "without a NetworkPolicy"),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    check_compliant(GOOD, rule)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)
