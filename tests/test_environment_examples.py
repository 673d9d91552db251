"""LlmEnvironment with only the spec fields each cloud requires, under the offline engine."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack import EnvironmentSpec, LlmEnvironment
from inferstack.infra.offline.engine import run_offline
from inferstack.infra.review.policy_check import evaluate, mandatory

MINIMAL: dict[str, dict[str, Any]] = {
    "aws": {"name": "demo", "cloud": "aws", "region": "us-east-1"},
    "gcp": {"name": "demo", "cloud": "gcp", "region": "us-central1"},
    # An existing cluster gets no cloud bucket, and must say so.
    "kubernetes": {"name": "demo", "cloud": "kubernetes", "model_store": {"bucket": False}},
}
CLUSTER_TYPE = {
    "aws": "aws:eks/cluster:Cluster",
    "gcp": "gcp:container/cluster:Cluster",
    "kubernetes": "inferstack:index:ExistingCluster",
}


@pytest.mark.parametrize("cloud", sorted(MINIMAL))
def test_llm_environment_example(cloud: str) -> None:
    spec = EnvironmentSpec.model_validate(MINIMAL[cloud])
    plan = run_offline(lambda: LlmEnvironment("demo", spec) and None, stack="example")
    types = {resource.type for resource in plan.resources}
    assert {"inferstack:index:LlmEnvironment", "inferstack:index:Workload", CLUSTER_TYPE[cloud]} <= types
    # The cloud layer creates only its own cloud's resources.
    assert not {t.split(":")[0] for t in types} & ({"aws", "gcp"} - {cloud})
    assert mandatory(evaluate(plan)) == []
