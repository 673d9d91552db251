"""A stack's inline `shape:` with sliding-window and latent-attention fields: validated, and used by the planner."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.planning.model_fit import spec_model_fit
from inferstack.spec import SpecError
from inferstack.validation import parse_environment

UNLISTED = "hf://acme/house-model@" + "b" * 40
# A Gemma-3-like 4B shape: 34 layers, 8 query / 4 KV heads of 256.
SHAPE = {
    "params_b": 3.9,
    "layers": 34,
    "hidden_size": 2560,
    "attention_heads": 8,
    "kv_heads": 4,
    "head_dim": 256,
    "vocab_size": 262208,
    "context": 131072,
}


def env(shape: dict[str, Any], **model: Any) -> dict[str, Any]:
    return {
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az2"],
        "node_pools": {"gpu": {"gpu": "nvidia-l4", "gpus_per_node": 1, "max": 1}},
        "models": {"m": {"pool": "gpu", "source": UNLISTED, "max_model_len": 32768, "shape": shape, **model}},
    }


def kv_gib(shape: dict[str, Any]) -> float:
    fit = spec_model_fit(parse_environment(env(shape), "t"), "m")
    assert fit is not None
    return fit.fit.kv_per_sequence_gib


def test_sliding_layers_shrink_the_kv_the_planner_reserves() -> None:
    full = kv_gib(SHAPE)
    hybrid = kv_gib({**SHAPE, "sliding_window": 1024, "sliding_layers": 29})
    # 29 of 34 layers hold 1024 of the 32768 tokens.
    assert hybrid == pytest.approx(full * (5 * 32768 + 29 * 1024) / (34 * 32768))
    # A window without a count slides every layer (Mistral 7B v0.1).
    assert kv_gib({**SHAPE, "sliding_window": 1024}) == pytest.approx(full * 1024 / 32768)


def test_a_latent_replaces_per_head_kv() -> None:
    latent = kv_gib({**SHAPE, "kv_lora_rank": 512, "qk_rope_head_dim": 64})
    assert latent == pytest.approx(34 * 576 * 2 * 32768 / 2**30)


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        ({"sliding_layers": 40, "sliding_window": 128}, "sliding_layers", "more than the 34 layers"),
        ({"sliding_layers": 4}, "sliding_layers", "sliding_window is not"),
        ({"qk_rope_head_dim": 64}, "qk_rope_head_dim", "kv_lora_rank is not set"),
        ({"expert_params_b": 2.0}, "expert_params_b", "active_params_b is not"),
        ({"active_params_b": 1.0, "expert_params_b": 5.0}, "expert_params_b", "more than the 3.9B in total"),
        # 3.9 - 1.0 - 0.67 (input embedding) = 2.2B every token multiplies by, more than 1.5 active.
        ({"active_params_b": 1.5, "expert_params_b": 1.0}, "active_params_b", "fewer than the 2.9B"),
    ],
)
def test_inconsistent_shape_fields_are_spec_errors(extra: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_environment(env({**SHAPE, **extra}), "t")
    paths = {issue.path: issue.message for issue in caught.value.issues}
    assert says in paths[f"environment.models.m.shape.{field}"]


@pytest.mark.parametrize(("alias", "dtype"), [("bf16", "bfloat16"), ("fp16", "float16"), ("auto", "auto")])
def test_dtype_aliases_become_the_long_name(alias: str, dtype: str) -> None:
    spec = parse_environment(env(SHAPE, dtype=alias), "t")
    assert spec.models["m"].dtype == dtype
