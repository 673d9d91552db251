"""Capacity rules: replicas fit their pool, the load fits the replicas, objectives can be met; and warnings."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.spec import CONFIG_KEY, SpecError
from inferstack.validation import parse_environment_checked
from tests.conftest import shipped_stacks

SEEDS = {name: yaml.safe_load(path.read_text())["config"][CONFIG_KEY] for name, path in shipped_stacks().items()}


def seed(stack: str) -> dict[str, Any]:
    return copy.deepcopy(SEEDS[stack])


def problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_environment_checked(document, "t")
    return [str(issue) for issue in caught.value.issues]


def warnings(document: dict[str, Any]) -> list[str]:
    return [str(warning) for warning in parse_environment_checked(document, "t").warnings]


def test_four_tp8_replicas_do_not_fit_a_two_node_pool() -> None:
    document = seed("aws-prod")
    document["models"]["large"]["tensor_parallel"] = 8
    assert problems(document) == [
        "environment.models.large.replicas.max: 4 replicas of tensor_parallel 8 need 4 nodes of pool h100 (8 GPUs "
        "per node, 1 replica per node) but its max is 2 — raise node_pools.h100.max to 4, lower replicas.max to 2, "
        "or use a node with more GPUs per node"
    ]


def test_models_sharing_a_pool_are_packed_together() -> None:
    document = seed("aws-prod")
    document["models"]["small"]["pool"] = "h100"
    assert problems(document) == [
        "environment.node_pools.h100.max: at replicas.max its models (4× large (tensor_parallel 4), 6× small "
        "(tensor_parallel 1)) need 3 nodes (8 GPUs per node) but max is 2 — raise max to 3, lower the models' "
        "replicas.max, or use a node with more GPUs per node"
    ]
    document["node_pools"]["h100"]["max"] = 3
    assert not [w for w in warnings(document) if "node_pools.h100.max" in w.split(":")[0]]


def test_the_planned_load_must_fit_replicas_max() -> None:
    document = seed("aws-dev")
    document["models"]["chat"]["load"] = {"requests_per_second": 50}
    assert problems(document) == [
        "environment.models.chat.replicas.max: the planned load of 50 req/s needs 28 replicas (1.79 req/s each on "
        "1× nvidia-l4 at TTFT 442 ms, TPOT 104.4 ms) but replicas.max is 2 — raise replicas.max to 28 (and the "
        "pool's max to hold them), lower "
        "load.requests_per_second, or use a faster GPU"
    ]


def test_objectives_no_replica_meets_are_refused() -> None:
    document = seed("aws-dev")
    document["models"]["chat"]["load"] = {"requests_per_second": 1, "ttft_ms": 1, "tpot_ms": 2}
    assert problems(document) == [
        "environment.models.chat.load: no replica on pool l4 (1× nvidia-l4) meets ttft_ms 1 and tpot_ms 2: the best "
        "one does is ttft 233 ms and tpot 61.1 ms (one request at a time) — relax ttft_ms/tpot_ms, raise "
        "tensor_parallel, or use a faster GPU"
    ]


def test_objectives_a_replica_meets_pass() -> None:
    document = seed("aws-dev")
    document["models"]["chat"]["load"] = {"requests_per_second": 1, "ttft_ms": 2000, "tpot_ms": 200}
    parse_environment_checked(document, "t")


def test_scale_to_zero_without_wake_is_a_warning() -> None:
    document = seed("aws-dev")
    document["models"]["chat"]["replicas"] = {"min": 0, "max": 2, "wake": False}
    assert (
        "environment.models.chat.replicas.min: 0 replicas with wake: false: requests fail until something scales the "
        "model up — remove wake: false to hold requests while a replica starts, or set min: 1 to keep one serving"
    ) in warnings(document)


def test_scale_to_zero_that_wakes_is_not_a_warning() -> None:
    document = seed("aws-dev")
    document["models"]["chat"]["replicas"] = {"min": 0, "max": 2}
    assert not [w for w in warnings(document) if "replicas.min" in w]


def test_a_load_balancer_does_not_wake_a_model_and_says_so() -> None:
    document = seed("aws-dev")
    document["models"]["chat"]["replicas"] = {"min": 0, "max": 2}
    document["models"]["chat"]["load_balancer"] = {"source_ranges": ["10.0.0.0/16"]}
    (found,) = [w for w in warnings(document) if "models.chat.load_balancer" in w]
    assert "http://chat-wake.llm-chat.svc:8080" in found


def test_a_pool_that_starts_empty_warns_that_the_first_replica_waits() -> None:
    assert (
        "environment.node_pools.l4.min: its models start with 1× chat (tensor_parallel 1) on 1 node, but the pool "
        "keeps 0: the first replicas wait for the autoscaler to boot a node (about 3 min on aws) — set min: 1 to "
        "keep the nodes warm (they are billed while idle), or accept the wait"
    ) in warnings(seed("aws-dev"))
    document = seed("aws-dev")
    document["node_pools"]["l4"]["min"] = 1
    assert not any(w.startswith("environment.node_pools.l4.min") for w in warnings(document))


def test_a_full_pool_warns_that_rollouts_replace_a_replica() -> None:
    expected = (
        "environment.models.chat.replicas.max: pool l4 is full at replicas.max, so a rollout stops one replica "
        "before starting its successor (maxSurge 0, maxUnavailable 1): one replica fewer serves during each step, "
        "none while it runs 1 replica — raise node_pools.l4.max to 3 to roll out with a surge replica"
    )
    assert expected in warnings(seed("aws-dev"))
    document = seed("aws-dev")
    document["node_pools"]["l4"]["max"] = 3
    assert expected not in warnings(document)


def test_validate_prints_warnings_on_stderr_and_exits_0() -> None:
    result = CliRunner().invoke(app, ["validate", str(shipped_stacks()["aws-dev"])])
    assert result.exit_code == 0, result.output
    assert (
        "warning: environment.models.chat.replicas.max: pool l4 is full at replicas.max, so a rollout stops one "
        "replica before starting its successor"
    ) in result.stderr
    assert "warning: environment.node_pools.l4.min: " in result.stderr
    assert "warning:" not in result.stdout
    assert "[" not in result.stderr.replace("[secret]", "")  # no rich markup


def test_validate_refuses_the_issue_example_with_exit_2(tmp_path: Any) -> None:
    document = seed("aws-prod")
    document["models"]["large"]["tensor_parallel"] = 8
    path = tmp_path / "Pulumi.over.yaml"
    path.write_text(yaml.safe_dump({"config": {"aws:region": "us-east-1", CONFIG_KEY: document}}))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "environment.models.large.replicas.max: 4 replicas of tensor_parallel 8 need 4 nodes" in result.stderr
    assert "Traceback" not in result.output


def test_a_fit_that_rests_on_the_runtime_estimate_is_warned_about() -> None:
    document = seed("aws-dev")
    document["models"]["chat"]["max_model_len"] = 32768
    assert not [w for w in warnings(document) if "refuses to start" in w]
    # 0.82 of an L4 leaves ~2.2 GiB beside the weights and the 2 GiB runtime estimate: one 32k sequence (~1.75 GiB)
    # fits only if the runtime takes no more than ~0.5 GiB above the estimate.
    document["models"]["chat"]["gpu_memory_utilization"] = 0.82
    (warning,) = [w for w in warnings(document) if "refuses to start" in w]
    assert warning.startswith("environment.models.chat:") and "lower max_model_len" in warning
