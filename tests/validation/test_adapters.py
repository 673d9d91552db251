"""LoRA adapters in a stack: pinned sources, vLLM's ranks, vllm GPU engines only, dense shapes, names unique."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.planning.model_fit import spec_model_fit
from inferstack.spec import SpecError
from inferstack.validation import parse_environment

QWEN_7B = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"
MIXTRAL = "hf://mistralai/Mixtral-8x7B-Instruct-v0.1@" + "c" * 40
SQL = "hf://example-org/qwen2.5-7b-sql-lora@" + "1" * 40


def env(**model: Any) -> dict[str, Any]:
    return {
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az2"],
        "node_pools": {"gpu": {"gpu": "nvidia-l4", "gpus_per_node": 1, "max": 2}},
        "models": {"chat": {"source": QWEN_7B, "pool": "gpu", "max_model_len": 8192, **model}},
    }


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SpecError) as caught:
        parse_environment(data, "dev")
    return {issue.path: issue.message for issue in caught.value.issues}


def test_adapters_with_defaults_are_valid_and_counted_by_the_fit() -> None:
    spec = parse_environment(env(adapters={"sql": SQL}), "dev")
    result = spec_model_fit(spec, "chat")
    assert result is not None and result.fit.lora_gib > 0


@pytest.mark.parametrize(
    ("model", "path", "words"),
    [
        ({"adapters": {"sql": "hf://example-org/sql-lora@main"}}, "adapters.sql", "expected form"),
        ({"adapters": {"sql": SQL}, "lora": {"max_rank": 24}}, "lora.max_rank", "16"),
        ({"adapters": {"sql": SQL}, "lora": {"max_loras": 3}}, "lora.max_loras", "3 slots for 1 adapters"),
        ({"lora": {"max_rank": 32}}, "lora", "no adapters"),
        ({"adapters": {"chat": SQL}}, "adapters.chat", "own served name"),
        ({"adapters": {"Bad_Name": SQL}}, "adapters.Bad_Name", "expected form"),
    ],
)
def test_bad_adapters_name_the_field(model: dict[str, Any], path: str, words: str) -> None:
    found = problems(env(**model))
    (hit,) = [(p, text) for p, text in found.items() if p.endswith(f"models.chat.{path}")]
    assert words in hit[1] or words in hit[0]


def test_adapters_need_the_vllm_gpu_engine() -> None:
    data = {
        "cloud": "kubernetes",
        "models": {"tiny": {"source": QWEN_7B, "engine": "vllm-cpu", "adapters": {"sql": SQL}}},
    }
    found = problems(data)
    assert "vllm GPU engine" in found["environment.models.tiny.adapters"]


def test_adapters_on_a_mixture_of_experts_model_are_refused() -> None:
    data = env(adapters={"sql": SQL}, shape="mixtral-8x7b")
    data["node_pools"]["gpu"] = {"gpu": "nvidia-h100", "gpus_per_node": 8, "max": 1}
    data["models"]["chat"]["tensor_parallel"] = 2
    assert "mixture-of-experts" in problems(data)["environment.models.chat.adapters"]


def test_an_adapter_may_not_take_another_model_s_name() -> None:
    data = env(adapters={"coder": SQL})
    data["models"]["coder"] = {"source": QWEN_7B, "pool": "gpu", "max_model_len": 8192}
    assert "model 'coder'" in problems(data)["environment.models.chat.adapters.coder"]
