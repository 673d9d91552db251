"""The rules of policies/monitoring.py: production keeps Prometheus on a persistent volume with real retention.

A compliant example passes; each single mutation of it fails with its message (or, outside production, passes).
"""

from __future__ import annotations

import pytest

from tests.policies.support import DELETE, Mutation, Resource, check_compliant, check_mutation, mutation_ids

PROMETHEUS = {
    "chart": "kube-prometheus-stack",
    "values": {
        "prometheus": {
            "prometheusSpec": {
                "retention": "15d",
                "storageSpec": {"volumeClaimTemplate": {"spec": {"resources": {"requests": {"storage": "50Gi"}}}}},
            }
        }
    },
}
SPEC = ("values", "prometheus", "prometheusSpec")
PRODUCTION = {"production": True}

GOOD: dict[str, list[Resource]] = {
    "prometheus-persistent-in-production": [("kubernetes:helm.sh/v3:Release", "", PROMETHEUS)],
}

MUTATIONS: list[Mutation] = [
    ("prometheus-persistent-in-production", 0, (*SPEC, "storageSpec"), DELETE, PRODUCTION, "keeps its data in the pod"),
    ("prometheus-persistent-in-production", 0, (*SPEC, "retention"), "2d", PRODUCTION, "under 7 days"),
    ("prometheus-persistent-in-production", 0, (*SPEC, "retention"), "48h", PRODUCTION, "under 7 days"),
    # Outside production an ephemeral Prometheus is fine; another chart is none of this rule's business.
    ("prometheus-persistent-in-production", 0, (*SPEC, "storageSpec"), DELETE, {}, ""),
    ("prometheus-persistent-in-production", 0, ("chart",), "keda", PRODUCTION, ""),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    check_compliant(GOOD, rule)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)
