"""config.json → shape: parameter counts against published totals, KV bytes against a hand computation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from inferstack import catalog
from inferstack.planning.capacity import shape_of
from inferstack.planning.hf_config import ConfigProblem, read_config
from inferstack.planning.kv_cache import kv_bytes_per_token
from inferstack.planning.model_shape import Precision
from inferstack.spec.model_parts import ModelShapeSpec
from inferstack.validation.models import shape_issues

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hf_configs"
BF16 = Precision(weight_bits=16.0, kv_bytes=2.0)
# The numbers Gemma 3's sparse text_config leaves to Transformers' defaults (Gemma3TextConfig, 4B).
GEMMA_DEFAULTS = {"attention_heads": 8, "kv_heads": 4, "head_dim": 256, "vocab_size": 262208, "context": 131072}


def config(name: str) -> dict[str, Any]:
    """A fixture config.json (see tests/fixtures/hf_configs/sources.yaml)."""
    return json.loads((FIXTURES / name / "config.json").read_text(encoding="utf-8"))


def fields(name: str, overrides: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The shape: fields the reader makes of a fixture."""
    return read_config(config(name), overrides).fields


# Published totals and active counts in billions (sources.yaml names each).
PUBLISHED = [
    ("llama-3.1-8b", 8.03, None),
    ("mixtral-8x7b", 46.7, 12.9),
    ("gpt-oss-20b", 20.9, 3.6),
    ("deepseek-v3", 671.0, 37.0),
    ("llama-3.1-405b-fp8", 405.9, None),
]


@pytest.mark.parametrize(("name", "total", "active"), PUBLISHED)
def test_parameter_counts_match_the_published_totals(name: str, total: float, active: float | None) -> None:
    got = fields(name)
    assert got["params_b"] == pytest.approx(total, rel=0.02)
    if active is None:
        assert "active_params_b" not in got
    else:
        assert got["active_params_b"] == pytest.approx(active, rel=0.02)


# Routed-expert parameters in billions, worked by hand: MoE layers x experts x 3 x hidden x expert width.
ROUTED = [
    ("mixtral-8x7b", 32 * 8 * 3 * 4096 * 14336 / 1e9),
    ("gpt-oss-20b", 24 * 32 * 3 * 2880 * 2880 / 1e9),
    # 3 dense layers and one shared expert per MoE layer are not routed.
    ("deepseek-v3", 58 * 256 * 3 * 7168 * 2048 / 1e9),
    # Every other layer holds 128 experts; the shared expert is not routed.
    ("llama-4-maverick", 24 * 128 * 3 * 5120 * 8192 / 1e9),
]


@pytest.mark.parametrize(("name", "routed"), ROUTED)
def test_a_moe_config_counts_its_routed_experts(name: str, routed: float) -> None:
    assert fields(name)["expert_params_b"] == pytest.approx(routed)


def test_a_dense_config_has_no_routed_experts() -> None:
    assert "expert_params_b" not in fields("llama-3.1-8b")


# KV bytes per token at bf16, TP 1, worked by hand from each config.json.
KV_BY_HAND = [
    # 2 (K, V) × 32 layers × 8 KV heads × 128 head_dim × 2 bytes.
    ("llama-3.1-8b", None, 32768, 2 * 32 * 8 * 128 * 2),
    ("mixtral-8x7b", None, 32768, 2 * 32 * 8 * 128 * 2),
    # 12 full layers hold all 32768 tokens, 12 sliding layers 128 of them; a layer-token is 2 × 8 × 64 × 2 bytes.
    ("gpt-oss-20b", None, 32768, (12 * 32768 + 12 * 128) * (2 * 8 * 64 * 2) / 32768),
    # A sequence inside the window: every layer counts.
    ("gpt-oss-20b", None, 100, 24 * 2 * 8 * 64 * 2),
    # MLA: 61 layers × one latent of 512 + 64 values × 2 bytes, no K/V pair, no per-head factor.
    ("deepseek-v3", None, 32768, 61 * (512 + 64) * 2),
    # Gemma 3 4B: 34 layers, every sixth global (5), 29 sliding at 1024; 2 × 4 KV heads × 256 × 2 bytes.
    ("gemma-3-4b", GEMMA_DEFAULTS, 32768, (5 * 32768 + 29 * 1024) * (2 * 4 * 256 * 2) / 32768),
]


@pytest.mark.parametrize(("name", "overrides", "context", "expected"), KV_BY_HAND)
def test_kv_bytes_per_token_match_a_hand_computation(
    name: str, overrides: dict[str, float] | None, context: int, expected: float
) -> None:
    shape = shape_of(ModelShapeSpec.model_validate(fields(name, overrides)))
    assert kv_bytes_per_token(shape, BF16, 1, context) == pytest.approx(expected)


def test_mla_latent_is_held_whole_on_every_gpu() -> None:
    shape = shape_of(ModelShapeSpec.model_validate(fields("deepseek-v3")))
    assert kv_bytes_per_token(shape, BF16, 8) == 8 * kv_bytes_per_token(shape, BF16, 1)


def test_sliding_and_latent_fields_are_read() -> None:
    oss, deepseek = fields("gpt-oss-20b"), fields("deepseek-v3")
    assert (oss["sliding_window"], oss["sliding_layers"]) == (128, 12)
    assert (deepseek["kv_lora_rank"], deepseek["qk_rope_head_dim"], deepseek["head_dim"]) == (512, 64, 192)
    assert "sliding_window" not in fields("mixtral-8x7b")  # sliding_window: null


@pytest.mark.parametrize(
    ("name", "method", "bits"),
    [
        ("llama-3.1-8b", None, 16.0),
        # fp8 everywhere but the 16-bit embeddings and output head: just over 8 bits.
        ("deepseek-v3", "fp8", pytest.approx(8.02, abs=0.01)),
        # mxfp4 experts (19.1B at 4.25 bits) with 1.8B of 16-bit attention and embeddings.
        ("gpt-oss-20b", "mxfp4", pytest.approx(5.26, abs=0.01)),
        # fbgemm_fp8 with 77.1B of 16-bit attention and first/last layers, 4.2B of 16-bit embeddings: (324.6 x 8 +
        # 81.3 x 16) / 405.9.
        ("llama-3.1-405b-fp8", "fbgemm_fp8", pytest.approx(9.60, abs=0.01)),
    ],
)
def test_weight_bits_follow_the_quantization_config(name: str, method: str | None, bits: Any) -> None:
    model = read_config(config(name))
    assert model.quantization == method
    assert model.fields["weight_bits"] == bits


def test_a_multimodal_config_is_sized_by_its_text_part_and_names_what_it_lacks() -> None:
    with pytest.raises(ConfigProblem) as problem:
        read_config(config("gemma-3-4b"))
    assert problem.value.key == "num_attention_heads"
    assert "--shape attention_heads=VALUE" in problem.value.fix
    got = fields("gemma-3-4b", GEMMA_DEFAULTS)
    # 34 layers of 2560 wide from text_config (the vision tower's 27 layers of 1152 are not counted).
    assert (got["layers"], got["hidden_size"], got["sliding_layers"]) == (34, 2560, 29)
    assert got["params_b"] == pytest.approx(3.88, abs=0.01)


def test_overrides_take_config_keys_and_shape_fields() -> None:
    base = config("llama-3.1-8b")
    wider = read_config(base, {"intermediate_size": 28672}).fields["params_b"]
    assert wider > fields("llama-3.1-8b")["params_b"] + 5  # 32 layers × 3 × 4096 × 14336 more
    given = read_config(base, {"params_b": 9.5, "layers": 40}).fields
    assert (given["params_b"], given["layers"]) == (9.5, 40)


def test_unused_sliding_window_and_missing_kv_heads() -> None:
    qwen_like = {**config("llama-3.1-8b"), "sliding_window": 131072, "use_sliding_window": False}
    assert "sliding_window" not in read_config(qwen_like).fields
    mha = {k: v for k, v in config("llama-3.1-8b").items() if k != "num_key_value_heads"}
    assert read_config(mha).fields["kv_heads"] == 32


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"quantization_config": {"quant_method": "bitsandbytes"}}, "quantization_config.quant_method"),
        ({"layer_types": ["full_attention"] * 3, "sliding_window": 4096}, "layer_types"),
        ({"intermediate_size": None}, "intermediate_size"),
        ({"hidden_size": "wide"}, "hidden_size"),
    ],
)
def test_a_config_it_cannot_read_names_the_key(change: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigProblem) as problem:
        read_config({**config("llama-3.1-8b"), **change})
    assert problem.value.key == key and "--shape" in problem.value.fix


HOSTILE = st.sampled_from([None, -1, 0, 1e400, float("nan"), 10**30, 2**40, "x", [], {}, True, 3.5, [1, "a"]])
KEYS = st.sampled_from(
    [
        "num_hidden_layers",
        "hidden_size",
        "num_attention_heads",
        "num_key_value_heads",
        "head_dim",
        "intermediate_size",
        "vocab_size",
        "max_position_embeddings",
        "num_local_experts",
        "num_experts_per_tok",
        "first_k_dense_replace",
        "moe_layer_freq",
        "mlp_only_layers",
        "sliding_window",
        "layer_types",
        "sliding_window_pattern",
        "kv_lora_rank",
        "qk_rope_head_dim",
        "rope_scaling",
        "quantization_config",
        "text_config",
        "tie_word_embeddings",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(KEYS, HOSTILE, max_size=4), st.sampled_from(["llama-3.1-8b", "mixtral-8x7b", "deepseek-v3"]))
def test_a_hostile_config_is_read_or_named_never_a_crash(change: dict[str, Any], name: str) -> None:
    try:
        fields = read_config({**config(name), **change}).fields
    except ConfigProblem as problem:
        assert problem.key and "--shape" in problem.fix
        return
    try:
        spec = ModelShapeSpec.model_validate(fields)
    except ValidationError:
        return  # the CLI and the spec report it at the field
    if not list(shape_issues(spec)):
        kv_bytes_per_token(shape_of(spec), BF16, 1, 4096)


@pytest.mark.parametrize(
    ("change", "window", "sliding"),
    [
        ({"sliding_window": 4096}, 4096, 32),  # Mistral 7B v0.1: every layer slides
        ({"sliding_window": 4096, "model_type": "gemma2"}, 4096, 16),  # every other layer
        ({"sliding_window": 1024, "sliding_window_pattern": 4}, 1024, 24),  # all but every fourth
        ({"sliding_window": 1024, "layer_types": ["full_attention"] * 32}, None, None),
        ({"sliding_window": 1024, "sliding_window_pattern": 1}, None, None),
    ],
)
def test_which_layers_slide(change: dict[str, Any], window: int | None, sliding: int | None) -> None:
    got = read_config({**config("llama-3.1-8b"), **change}).fields
    assert (got.get("sliding_window"), got.get("sliding_layers")) == (window, sliding)


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        # Qwen3-Next: Gated DeltaNet on three layers of four.
        ({"full_attention_interval": 4}, "full_attention_interval"),
        ({"layer_types": ["linear_attention", "full_attention"] * 16}, "layer_types"),
        # Jamba / Nemotron-H / Mamba style hybrids and pure state-space models.
        ({"layers_block_type": ["mamba", "attention"] * 16}, "layers_block_type"),
        ({"hybrid_override_pattern": "M-M*" * 8}, "hybrid_override_pattern"),
        ({"state_size": 16}, "state_size"),
    ],
)
def test_layers_with_a_recurrent_state_are_refused_not_sized_as_attention(extra: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigProblem) as raised:
        read_config({**config("llama-3.1-8b"), **extra})
    assert raised.value.key == key and "recurrent state" in raised.value.problem


def test_attention_layer_types_alone_still_size() -> None:
    types = ["sliding_attention", "full_attention"] * 16
    assert read_config({**config("llama-3.1-8b"), "layer_types": types}).fields["layers"] == 32


def test_llama_4_interleaves_dense_layers_shares_an_expert_and_chunks_its_rope_layers() -> None:
    got = fields("llama-4-maverick")
    # Published ~400B total; Meta's "17B active" rounds a count that includes the input embedding.
    assert got["params_b"] == pytest.approx(400.0, rel=0.02)
    hidden, expert_mlp, dense_mlp = 5120, 3 * 5120 * 8192, 3 * 5120 * 16384
    attention = 48 * (2 * hidden * 40 * 128 + 2 * hidden * 8 * 128)
    # 24 MoE layers (every second) run the shared expert and one routed expert; 24 dense layers the wider MLP.
    active = attention + 24 * 2 * expert_mlp + 24 * dense_mlp + 202048 * hidden + 24 * hidden * 128 + 97 * hidden
    assert got["active_params_b"] == pytest.approx(active / 1e9, rel=1e-6)
    # Three layers of four use RoPE and attend within 8192-token chunks (vLLM's ChunkedLocalAttention).
    assert (got["sliding_window"], got["sliding_layers"]) == (8192, 36)
    assert got["tie_word_embeddings"] is False


def test_unconverted_modules_are_counted_at_the_checkpoints_dtype() -> None:
    # Meta's FP8 405B leaves layers 0 and 125 and every attention block unquantized: the catalog's fact, from the list.
    model = read_config(config("llama-3.1-405b-fp8"))
    assert model.kept_16bit_params_b == pytest.approx(
        catalog.checkpoint_kept_16bit_params_b("meta-llama/Llama-3.1-405B-FP8"), abs=0.05
    )
    # Whole layers, attention blocks and MLPs by name, with or without "model." and ".weight"; a layer past the
    # last, a router, a regular expression and the lm_head count nothing.
    base = config("llama-3.1-8b")
    attention = 4096 * 128 * 2 * (32 + 8)
    mlp = 3 * 4096 * 14336
    cases = [
        (["model.layers.0"], attention + mlp),
        (["layers.3.self_attn", "model.layers.3.self_attn.weight"], attention),
        (["model.layers.7.mlp", "model.layers.7.self_attn"], attention + mlp),
        (["model.layers.32", "model.layers.1.mlp.gate", "re:.*vision.*", "lm_head"], 0),
    ]
    for listed, expected in cases:
        for key, method in (("modules_to_not_convert", "fp8"), ("ignored_layers", "fp8"), ("ignore", "fp8")):
            cfg = {**base, "quantization_config": {"quant_method": method, key: listed}}
            assert read_config(cfg).kept_16bit_params_b == pytest.approx(expected / 1e9), (listed, key)
    # mxfp4 quantizes the experts only: what it lists is 16-bit already and is not counted twice.
    assert read_config(config("gpt-oss-20b")).kept_16bit_params_b == 0.0


@pytest.mark.parametrize("key", ["modules_to_not_convert", "ignored_layers", "ignore"])
@pytest.mark.parametrize("value", [5, True, 1.5, "model.layers.0", {"model.layers.0": 1}])
def test_a_module_list_that_is_not_a_list_is_named_not_a_crash(key: str, value: Any) -> None:
    cfg = {**config("llama-3.1-8b"), "quantization_config": {"quant_method": "fp8", key: value}}
    with pytest.raises(ConfigProblem) as caught:
        read_config(cfg)
    assert caught.value.key == f"quantization_config.{key}" and "--shape weight_bits" in caught.value.fix


def test_junk_entries_of_a_module_list_count_nothing() -> None:
    junk = [None, 3, 1.5, [], {}, "model.layers.99999999999999999999", "model.layers.-1", "model.layers.٣x"]
    cfg = {**config("llama-3.1-8b"), "quantization_config": {"quant_method": "fp8", "ignore": junk}}
    assert read_config(cfg).kept_16bit_params_b == 0.0
