"""The rules of policies/wake.py: a model woken by the KEDA HTTP add-on is wired end to end.

A compliant example (the objects InferenceService renders for a model at zero) passes; each single mutation of it
fails with its message.
"""

from __future__ import annotations

import pytest

from tests.policies.support import DELETE, Mutation, Resource, check_compliant, check_mutation, mutation_ids

META = {"namespace": "llm-chat", "name": "chat"}
SCALED = {
    "metadata": META,
    "spec": {
        "minReplicaCount": 0,
        "triggers": [
            {"type": "prometheus", "metadata": {"query": "sum(vllm:num_requests_waiting)"}},
            {"type": "external-push", "metadata": {"scalerAddress": "s:9090", "interceptorRoute": "chat"}},
        ],
    },
}
ROUTE = {
    "metadata": META,
    "spec": {"target": {"service": "chat", "port": 80}, "timeouts": {"readiness": "660s"}},
}
SERVICE = {"metadata": META, "spec": {"type": "ClusterIP"}}
INTERCEPTOR = {"app.kubernetes.io/component": "interceptor", "app.kubernetes.io/name": "http-add-on"}
POLICY = {
    "metadata": {"namespace": "llm-chat", "name": "chat-engine"},
    "spec": {"ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": INTERCEPTOR}}]}]},
}
RULE = "scale-to-zero-wake-wired"

GOOD: dict[str, list[Resource]] = {
    RULE: [
        ("kubernetes:keda.sh/v1alpha1:ScaledObject", "", SCALED),
        ("kubernetes:http.keda.sh/v1beta1:InterceptorRoute", "", ROUTE),
        ("kubernetes:core/v1:Service", "", SERVICE),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "", POLICY),
    ],
}

MUTATIONS: list[Mutation] = [
    (RULE, 0, ("spec", "triggers", 1, "metadata", "interceptorRoute"), "other", {}, "which is missing"),
    (RULE, 1, ("spec", "target", "service"), "gone", {}, "Service gone: missing"),
    (RULE, 1, ("spec", "timeouts"), DELETE, {}, "no readiness bound"),
    (RULE, 3, ("spec", "ingress"), [], {}, "admits the KEDA HTTP interceptor"),
    (RULE, 3, ("metadata", "namespace"), "elsewhere", {}, "admits the KEDA HTTP interceptor"),
    # A ScaledObject without the wake trigger is none of this rule's business (validate warns about it).
    (RULE, 0, ("spec", "triggers"), [{"type": "prometheus", "metadata": {}}], {}, ""),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    check_compliant(GOOD, rule)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)
