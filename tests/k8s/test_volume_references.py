"""Every volume a container mounts is one its pod declares, in every shipped stack and in the variants that add
a hub token or replicas to a bucketless model (a dangling mount is accepted by schemas but never starts)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from inferstack.infra.offline.plan import Plan
from inferstack.infra.offline.stacks import plan_spec
from inferstack.infra.review.manifests import plan_manifests
from inferstack.validation import parse_environment
from tests.conftest import shipped_plan, shipped_stacks


def _pod_specs(plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for name, doc in plan_manifests(plan).items():
        spec = doc.get("spec") or {}
        pod = (spec.get("jobTemplate", {}).get("spec", spec).get("template") or {}).get("spec")
        if doc.get("kind") == "Pod":
            pod = spec
        if isinstance(pod, dict):
            found.append((name, pod))
    return found


def dangling_mounts(plan: Plan) -> list[str]:
    """`manifest/container: volume` for each mount that names no volume of its pod."""
    problems = []
    for name, pod in _pod_specs(plan):
        declared = {volume["name"] for volume in pod.get("volumes", [])}
        for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
            problems += [
                f"{name}/{container['name']}: {mount['name']}"
                for mount in container.get("volumeMounts", [])
                if mount["name"] not in declared
            ]
    return problems


def _variant(stack: str, key: str, **changes: Any) -> Plan:
    data = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))
    doc = copy.deepcopy(data["config"]["inferstack:environment"])
    doc["models"][key].update(changes)
    return plan_spec(stack, parse_environment(doc, stack), {})


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_every_mount_of_a_shipped_stack_names_a_declared_volume(stack: str) -> None:
    plan = shipped_plan(stack)
    assert _pod_specs(plan), "the check found no pod to look at"
    assert dangling_mounts(plan) == []


@pytest.mark.parametrize(
    ("stack", "key", "changes"),
    [
        ("onprem", "chat", {"hub_token_secret": "hubToken"}),
        ("local", "tiny", {"hub_token_secret": "hubToken"}),
        ("local", "tiny", {"replicas": {"min": 1, "max": 2}, "hub_token_secret": "hubToken"}),
    ],
)
def test_a_bucketless_model_with_a_hub_token_mounts_it_from_a_declared_volume(
    stack: str, key: str, changes: dict[str, Any]
) -> None:
    assert dangling_mounts(_variant(stack, key, **changes)) == []


def test_several_bucketless_cpu_replicas_each_get_a_cache_of_their_own() -> None:
    # One ReadWriteOnce claim attaches to one node: replicas spread over nodes would wait on it forever.
    plan = _variant("local", "tiny", replicas={"min": 1, "max": 2})
    assert not [c for c in plan.of_type("kubernetes:core/v1:PersistentVolumeClaim") if "tiny" in c.name]
    (deployment,) = plan.of_type("kubernetes:apps/v1:Deployment")
    (models,) = [v for v in deployment.inputs["spec"]["template"]["spec"]["volumes"] if v["name"] == "models"]
    assert "ephemeral" in models
    single = shipped_plan("local")
    (kept,) = single.of_type("kubernetes:apps/v1:Deployment")
    (shared,) = [v for v in kept.inputs["spec"]["template"]["spec"]["volumes"] if v["name"] == "models"]
    assert "persistentVolumeClaim" in shared
