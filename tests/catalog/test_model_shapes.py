"""Catalog model shapes against the config.json fixtures they share an architecture with, and their checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inferstack import catalog
from inferstack.planning.capacity import model_shape
from inferstack.planning.hf_config import read_config
from inferstack.planning.precision import checkpoint_of, stored_weights_gb

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hf_configs"
SHAPE_KEYS = ("layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "vocab_size", "context")


@pytest.mark.parametrize(
    ("entry", "fixture"),
    [
        ("llama-3.1-8b", "llama-3.1-8b"),
        ("mixtral-8x7b", "mixtral-8x7b"),
        ("deepseek-v3", "deepseek-v3"),
        ("glm-4.6", "glm-4.6"),
    ],
)
def test_a_catalog_shape_is_what_its_config_json_says(entry: str, fixture: str) -> None:
    shape = catalog.model_shapes()[entry]
    read = read_config(json.loads((FIXTURES / fixture / "config.json").read_text(encoding="utf-8"))).fields
    assert {key: getattr(shape, key) for key in SHAPE_KEYS} == {key: read[key] for key in SHAPE_KEYS}
    assert shape.params_b == pytest.approx(read["params_b"], rel=0.02)
    for key in ("kv_lora_rank", "qk_rope_head_dim"):
        assert getattr(shape, key) == read.get(key)
    # A MoE's routed experts as the config counts them (a dense model has none).
    routed = read.get("expert_params_b")
    assert shape.expert_params_b == (pytest.approx(routed, rel=0.01) if routed is not None else None)


def test_every_catalog_moe_counts_its_routed_experts_within_its_active_parameters() -> None:
    for key, shape in catalog.model_shapes().items():
        if shape.active_params_b is None:
            assert shape.expert_params_b is None, key
            continue
        assert shape.expert_params_b is not None, f"{key}: a MoE without expert_params_b"
        # What is not a routed expert (less the input embedding, a lookup) every token multiplies by.
        every_token = shape.params_b - shape.expert_params_b - shape.vocab_size * shape.hidden_size / 1e9
        assert 0 < every_token < shape.active_params_b, key


def test_deepseeks_published_checkpoints_are_block_fp8_and_stored_near_their_size() -> None:
    found = model_shape("deepseek-ai/DeepSeek-R1")
    assert found is not None and found[0] == "deepseek-v3"
    checkpoint = checkpoint_of("deepseek-ai/DeepSeek-R1", found[1])
    assert checkpoint.quantization == "fp8"
    # 671B at 8 bits with 1.85B of 16-bit embeddings and lm_head (the MTP layer's 11.5B are not counted).
    assert stored_weights_gb(found[1], checkpoint) == pytest.approx(672.7, abs=1.0)


@pytest.mark.parametrize(
    ("hub_id", "method"),
    [
        ("nvidia/Llama-3.1-8B-Instruct-FP8", "modelopt"),
        ("nvidia/Llama-3.3-70B-Instruct-FP4", "modelopt_fp4"),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", "fp8"),
    ],
)
def test_published_quantized_checkpoints_carry_the_method_vllm_loads_them_with(hub_id: str, method: str) -> None:
    assert catalog.checkpoint_quantization(hub_id) == method


def test_no_fp8_checkpoint_is_listed_as_an_unquantized_hub_id() -> None:
    # An -FP8/-FP4/-AWQ hub id among a shape's unquantized ids would be sized at 16 bits (Maverick's FP8 once was).
    for key, shape in catalog.model_shapes().items():
        for hub_id in shape.hub_ids:
            assert not hub_id.upper().endswith(("-FP8", "-FP4", "-AWQ", "-INT4", "-NVFP4")), (key, hub_id)
