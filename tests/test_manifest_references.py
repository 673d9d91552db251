"""Every shipped plan's Kubernetes objects point at objects the plan creates, and its selectors pick pods."""

from __future__ import annotations

import pytest

from inferstack.infra.offline.plan import Plan
from inferstack.infra.review.manifests import is_object, manifest
from tests.conftest import shipped_plan, shipped_stacks
from tests.manifest_references import pod_references, reference_problems


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_a_shipped_plan_has_no_dangling_reference(stack: str) -> None:
    assert reference_problems(shipped_plan(stack)) == []


def _without(plan: Plan, kind: str, name: str) -> Plan:
    dropped = next(
        r
        for r in plan.resources
        if is_object(r) and (manifest(r)["kind"], manifest(r)["metadata"]["name"]) == (kind, name)
    )
    return Plan(plan.project, plan.stack, [r for r in plan.resources if r is not dropped], plan.outputs)


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("Secret", "small-hub-token", "its pods use Secret small-hub-token, which the plan does not create"),
        ("ServiceAccount", "small-engine", "its pods use ServiceAccount small-engine"),
        ("Namespace", "llm-small", "namespace llm-small is neither created nor built in"),
        ("Deployment", "small-engine", "picks no pod the plan runs"),
    ],
)
def test_a_plan_missing_an_object_others_point_at_is_caught(kind: str, name: str, expected: str) -> None:
    # aws-prod's `small` model names a hub token, so its staging Job mounts a Secret.
    plan = shipped_plan("aws-prod")
    references = [ref for r in plan.resources if is_object(r) for ref in pod_references(manifest(r))]
    assert ("Secret", "small-hub-token") in references and len(references) >= 5
    problems = reference_problems(_without(plan, kind, name))
    assert any(expected in problem for problem in problems), problems
