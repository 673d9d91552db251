"""`size` counts LoRA slots and says what sleeping at zero means; `cost` prints each sleeping model's wake."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.planning.capacity import model_shape
from inferstack.planning.lora import LoraSlots, lora_gib
from tests.conftest import shipped_stacks

runner = CliRunner()


def size_json(*args: str) -> dict:
    result = runner.invoke(app, ["size", "--model", "llama-3.1-8b", "--gpu", "nvidia-l4", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_size_counts_the_lora_slots_and_the_kv_cache_shrinks() -> None:
    plain = size_json()
    lora = size_json("--max-loras", "4", "--max-lora-rank", "64")
    found = model_shape("llama-3.1-8b")
    assert found is not None
    expected = lora_gib(found[1], 1, LoraSlots(4, 64))
    assert lora["memory"]["lora_gib"] == expected > 0
    assert plain["memory"]["lora_gib"] == 0
    assert lora["memory"]["max_sequences"] < plain["memory"]["max_sequences"]
    text = runner.invoke(app, ["size", "--model", "llama-3.1-8b", "--max-loras", "4", "--max-lora-rank", "64"]).output
    assert f"LoRA adapter slots {expected:.1f}" in text


def test_size_refuses_a_rank_vllm_refuses() -> None:
    result = runner.invoke(app, ["size", "--model", "llama-3.1-8b", "--max-loras", "1", "--max-lora-rank", "24"])
    assert result.exit_code == EXIT_INVALID
    assert "--max-lora-rank: vLLM accepts 1, 8, 16, 32, 64, 128, 256, 320, 512, not 24" in result.output
    assert "Traceback" not in result.output


def test_size_says_what_a_replica_asleep_costs_and_saves() -> None:
    data = size_json()["scale_to_zero"]
    assert data["hold_timeout_s"] >= data["first_request_s"] > 0
    assert data["saving_usd_month_per_replica"] > 0


def test_cost_prints_the_wake_of_gcp_dev_s_chat() -> None:
    stack = str(shipped_stacks()["gcp-dev"])
    text = runner.invoke(app, ["cost", stack]).output
    assert "chat sleeps at 0 replicas: a first request waits ≈" in text
    assert "held up to 660 s by the KEDA HTTP interceptor; sitting at zero saves $" in text
    data = json.loads(runner.invoke(app, ["cost", stack, "--json"]).stdout)
    (wake,) = data["wake"]
    assert wake["model"] == "chat" and wake["timeout_s"] == 660 and wake["node_boots"] is True
