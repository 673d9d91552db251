"""On GKE, serving and staging pods reach the GKE metadata server through their default-deny NetworkPolicies."""

from __future__ import annotations

import pytest

from tests.conftest import shipped_plan


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_workload_identity_egress_is_allowed(stack: str) -> None:
    policies = shipped_plan(stack).of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    allowing = {
        policy.inputs["metadata"]["namespace"]
        for policy in policies
        for rule in policy.inputs["spec"].get("egress", [])
        for peer in rule.get("to", [])
        if peer.get("ipBlock", {}).get("cidr") == "169.254.169.252/32"
        and {"port": 988.0, "protocol": "TCP"} in rule.get("ports", [])
    }
    assert "llm-staging" in allowing
    assert any(namespace.startswith("llm-") and namespace != "llm-staging" for namespace in allowing)


def test_aws_pods_get_no_gke_metadata_rule() -> None:
    text = str([p.inputs for p in shipped_plan("aws-dev").of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")])
    assert "169.254.169.252" not in text
