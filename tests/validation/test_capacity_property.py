"""Done when (issue 12): a stack that validates plans, and every replica it or its load asks for has a node.

Shipped stacks are mutated where capacity is decided (replicas, pool bounds, GPUs per node, tensor parallel,
load); whenever `inferstack validate` accepts one, `inferstack plan` must exit 0 or 1 (never 3, never a
traceback), and the planned resources, read back independently of planning/fit.py, must give every replica
(min, max, a surge replica, the load's) GPUs within its pool's max nodes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.planning.plan_readers import node_pool
from inferstack.planning.spec_serving import spec_serving
from inferstack.spec import CONFIG_KEY, SpecError
from inferstack.target import POOL_LABEL
from inferstack.validation import parse_environment
from tests.conftest import shipped_stacks

# Stacks whose pools are planned resources (an existing cluster's described nodes are not in the plan).
CLOUD_STACKS = {
    name: config
    for name, path in shipped_stacks().items()
    if (config := yaml.safe_load(path.read_text())["config"])[CONFIG_KEY]["cloud"] != "kubernetes"
}
runner = CliRunner()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(CLOUD_STACKS)))
    config = copy.deepcopy(CLOUD_STACKS[name])
    env = config[CONFIG_KEY]
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            pool = env["node_pools"][draw(st.sampled_from(sorted(env["node_pools"])))]
            field = draw(st.sampled_from(["min", "max", "gpus_per_node"]))
            pool[field] = draw(st.sampled_from([1, 2, 4, 8]) if field == "gpus_per_node" else st.integers(0, 4))
        else:
            model = env["models"][draw(st.sampled_from(sorted(env["models"])))]
            field = draw(st.sampled_from(["replicas", "tensor_parallel", "load"]))
            if field == "replicas":
                model["replicas"] = {"min": draw(st.integers(0, 3)), "max": draw(st.integers(1, 6))}
            elif field == "tensor_parallel":
                model["tensor_parallel"] = draw(st.sampled_from([1, 2, 4, 8]))
            else:
                load: dict[str, Any] = {"requests_per_second": draw(st.sampled_from([0.5, 2.0, 8.0]))}
                if draw(st.booleans()):
                    load["ttft_ms"] = draw(st.sampled_from([50, 500, 5000]))
                model["load"] = load
    return name, config


def _deployments(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["inputs"]["metadata"]["name"]: r["inputs"] for r in plan["resources"] if r["type"].endswith("Deployment")}


def _scaled(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        r["inputs"]["spec"]["scaleTargetRef"]["name"]: r["inputs"]["spec"]
        for r in plan["resources"]
        if r["type"].endswith("ScaledObject")
    }


def _pools(plan: dict[str, Any]) -> dict[str, tuple[int, float]]:
    """(GPUs per node, max nodes) of each GPU pool, by its pool label."""
    out: dict[str, tuple[int, float]] = {}
    for res in plan["resources"]:
        pool = node_pool(_Res(res))
        if pool is None or not pool.gpus_per_node:
            continue
        inputs = res["inputs"]
        # A node group's labels, a node pool's node labels, a Karpenter NodePool's template labels, or a
        # ComputeClass's own labels; a pool's on-demand base NodePool adds to its max.
        template = inputs.get("spec", {}).get("template", {}).get("metadata", {}) if "spec" in inputs else {}
        labels = (
            inputs.get("labels")
            or inputs.get("nodeConfig", {}).get("labels")
            or template.get("labels")
            or inputs.get("metadata", {}).get("labels", {})
        )
        _, nodes = out.get(labels[POOL_LABEL], (0, 0.0))
        out[labels[POOL_LABEL]] = (pool.gpus_per_node, nodes + pool.max_nodes)
    return out


class _Res:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.type, self.name, self.inputs = raw["type"], raw["name"], raw["inputs"]


def assert_every_replica_has_a_node(plan: dict[str, Any], needed_for_load: dict[str, int]) -> None:
    pools, scaled = _pools(plan), _scaled(plan)
    used: dict[str, list[tuple[int, dict[str, Any], dict[str, Any]]]] = {}
    for name, deployment in _deployments(plan).items():
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        if POOL_LABEL not in pod.get("nodeSelector", {}):
            # The gateway's endpoint pickers and Redis run on the system nodes and ask for no GPU.
            assert all("nvidia.com/gpu" not in str(c["resources"]) for c in pod["containers"]), name
            continue
        pool = pod["nodeSelector"][POOL_LABEL]
        gpus = int(pod["containers"][0]["resources"]["requests"]["nvidia.com/gpu"])
        assert gpus <= pools[pool][0], name
        used.setdefault(pool, []).append((gpus, spec, scaled[name]))
    for pool, models in used.items():
        per_node, max_nodes = pools[pool]
        room = per_node * max_nodes
        # Tensor-parallel degrees are powers of two dividing the node's GPUs: GPU totals decide the packing.
        at_max = sum(gpus * so["maxReplicaCount"] for gpus, _, so in models)
        assert sum(gpus * so["minReplicaCount"] for gpus, _, so in models) <= room, pool
        assert at_max <= room, pool
        for gpus, spec, _ in models:
            if spec["strategy"]["rollingUpdate"]["maxSurge"]:
                assert at_max + gpus <= room, f"{pool}: a surge replica has no GPUs at max scale"
            else:
                assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] >= 1
    for name, replicas in needed_for_load.items():
        assert replicas <= scaled[f"{name}-engine"]["maxReplicaCount"], name


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(mutated())
def test_a_stack_that_validates_plans_and_fits(tmp_path_factory: Any, case: tuple[str, dict[str, Any]]) -> None:
    name, config = case
    try:
        spec = parse_environment(config[CONFIG_KEY], name)
    except SpecError:
        return
    folder: Path = tmp_path_factory.mktemp("stack")
    path = folder / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    validate = runner.invoke(app, ["validate", str(path)])
    assert validate.exit_code == 0, validate.output
    out = folder / "plan.json"
    result = runner.invoke(app, ["plan", str(path), "--json", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    needed = {s.model: s.replicas_needed for s in spec_serving(spec) if s.replicas_needed is not None}
    assert_every_replica_has_a_node(json.loads(out.read_text()), needed)


def test_the_reader_sees_a_pool_over_its_max() -> None:
    # The property's own check must be able to fail: 4 TP8 replicas on a 2-node 8-GPU pool.
    deployment = {
        "metadata": {"name": "large-engine"},
        "spec": {
            "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
            "template": {
                "spec": {
                    "nodeSelector": {POOL_LABEL: "h100"},
                    "containers": [{"resources": {"requests": {"nvidia.com/gpu": "8"}}}],
                }
            },
        },
    }
    plan = {
        "resources": [
            {
                "type": "aws:eks/nodeGroup:NodeGroup",
                "name": "h100",
                "inputs": {
                    "instanceTypes": ["p5.48xlarge"],
                    "scalingConfig": {"minSize": 1, "maxSize": 2},
                    "labels": {POOL_LABEL: "h100"},
                },
            },
            {"type": "kubernetes:apps/v1:Deployment", "name": "d", "inputs": deployment},
            {
                "type": "kubernetes:keda.sh/v1alpha1:ScaledObject",
                "name": "s",
                "inputs": {
                    "spec": {"scaleTargetRef": {"name": "large-engine"}, "minReplicaCount": 2, "maxReplicaCount": 4}
                },
            },
        ]
    }
    try:
        assert_every_replica_has_a_node(plan, {})
    except AssertionError:
        return
    raise AssertionError("the check accepted 4 TP8 replicas on 2 nodes of 8 GPUs")
