"""Described GPU nodes (`existing:`) on cloud: kubernetes: every refusal names its field and the fix."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from inferstack.spec import SpecError
from inferstack.validation import parse_environment
from tests.conftest import shipped_stacks


def onprem() -> dict[str, Any]:
    """A fresh copy of the shipped onprem stack's environment document."""
    data = yaml.safe_load(shipped_stacks()["onprem"].read_text(encoding="utf-8"))
    return copy.deepcopy(data["config"]["inferstack:environment"])


def problems(doc: dict[str, Any]) -> list[str]:
    """Every issue of a document, as printed."""
    with pytest.raises(SpecError) as raised:
        parse_environment(doc, "onprem")
    return [str(issue) for issue in raised.value.issues]


def test_the_shipped_stack_is_valid_and_runs_vllm_on_described_nodes() -> None:
    spec = parse_environment(onprem(), "onprem")
    pool = spec.node_pools["l40s"]
    assert spec.models["chat"].engine == "vllm"
    assert pool.existing is not None and pool.existing.nodes == 2


def test_a_pool_without_a_description_is_refused() -> None:
    doc = onprem()
    del doc["node_pools"]["l40s"]["existing"]
    (problem,) = problems(doc)
    assert problem.startswith("environment.node_pools.l40s.existing: is required on cloud: kubernetes")
    assert "add existing: {nodes: <count>, vcpus: <per node>, memory_gib: <per node>}" in problem


@pytest.mark.parametrize(
    ("field", "value", "fix"),
    [
        ("min", 1, "existing.nodes counts the nodes"),
        ("max", 4, "existing.nodes counts the nodes"),
        ("instance_type", "g6e.12xlarge", "existing.vcpus and existing.memory_gib describe the node"),
        ("zones", ["dc1"], "existing.selector picks the nodes"),
        ("disk_gib", 500, "the nodes' disks are the cluster's"),
        ("labels", {"team": "ml"}, "existing.selector lists the labels"),
    ],
)
def test_fields_of_managed_pools_are_refused_on_described_nodes(field: str, value: Any, fix: str) -> None:
    doc = onprem()
    doc["node_pools"]["l40s"][field] = value
    (problem,) = problems(doc)
    assert problem.startswith(f"environment.node_pools.l40s.{field}: applies to pools inferstack creates")
    assert fix in problem


def test_existing_is_refused_on_a_cloud() -> None:
    data = yaml.safe_load(shipped_stacks()["gcp-dev"].read_text(encoding="utf-8"))
    doc = data["config"]["inferstack:environment"]
    doc["node_pools"]["l4"]["existing"] = {"nodes": 1, "vcpus": 8, "memory_gib": 32}
    assert problems(doc) == [
        "environment.node_pools.l4.existing: applies to cloud: kubernetes only (on gcp inferstack creates the "
        "pool's nodes) — remove it"
    ]


def test_the_device_plugin_switch_is_refused_on_a_cloud() -> None:
    data = yaml.safe_load(shipped_stacks()["gcp-dev"].read_text(encoding="utf-8"))
    doc = data["config"]["inferstack:environment"]
    doc["cluster"]["device_plugin"] = True
    assert problems(doc) == ["environment.cluster.device_plugin: applies to cloud: kubernetes only — remove it"]


def test_a_gpu_without_a_recorded_product_label_needs_a_selector() -> None:
    doc = onprem()
    doc["node_pools"]["l40s"]["gpu"] = "nvidia-b200"
    doc["node_pools"]["l40s"]["gpus_per_node"] = 8
    (problem,) = problems(doc)
    assert problem.startswith(
        "environment.node_pools.l40s.existing.selector: is required for nvidia-b200: no GPU Feature Discovery "
        "product label of it is recorded"
    )
    doc["node_pools"]["l40s"]["existing"]["selector"] = {"example.com/gpu": "b200"}
    parse_environment(doc, "onprem")


def test_more_replicas_than_the_described_nodes_hold_name_existing_nodes() -> None:
    doc = onprem()
    doc["models"]["chat"]["replicas"] = {"min": 1, "max": 5}
    (problem,) = problems(doc)
    assert problem == (
        "environment.models.chat.replicas.max: 5 replicas of tensor_parallel 1 need 3 nodes of pool l40s (2 GPUs per "
        "node, 2 replicas per node) but its existing.nodes is 2 — raise node_pools.l40s.existing.nodes to 3, lower "
        "replicas.max to 4, or use a node with more GPUs per node"
    )


def test_a_model_too_large_for_the_described_gpu_is_refused() -> None:
    doc = onprem()
    doc["models"]["chat"]["source"] = "hf://Qwen/Qwen2.5-72B-Instruct@495f39366efef23836d0cfae4fbe635880d2be31"
    (problem,) = problems(doc)
    assert problem.startswith("environment.models.chat: ") and "2× nvidia-l40s" not in problem
    assert "1× nvidia-l40s offer" in problem


def test_a_gpu_model_needs_a_described_pool() -> None:
    doc = onprem()
    del doc["node_pools"]
    del doc["cluster"]["device_plugin"]
    del doc["models"]["chat"]["pool"]
    assert problems(doc) == [
        "environment.models.chat.pool: is required: name the node pool that runs the model — describe your GPU "
        "nodes under node_pools (existing:)"
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("nodes",), 0),
        (("vcpus",), -1),
        (("memory_gib",), 0),
        (("selector",), {"bad key!": "x"}),
        (("selector",), {"nvidia.com/gpu.product": "has space"}),
        (("taints",), [{"key": "nvidia.com/gpu", "effect": "Sometimes"}]),
    ],
)
def test_malformed_descriptions_name_the_field(path: tuple[str, ...], value: Any) -> None:
    doc = onprem()
    doc["node_pools"]["l40s"]["existing"][path[0]] = value
    found = problems(doc)
    assert found and all(p.startswith(f"environment.node_pools.l40s.existing.{path[0]}") for p in found), found


def test_the_cpu_engine_still_runs_without_pools() -> None:
    data = yaml.safe_load(shipped_stacks()["local"].read_text(encoding="utf-8"))
    spec = parse_environment(data["config"]["inferstack:environment"], "local")
    assert spec.node_pools == {} and spec.models["tiny"].engine == "vllm-cpu"
