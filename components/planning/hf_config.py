"""Read a Hugging Face config.json into a stack's `shape:` numbers, its dtype and its quantization.

Understands dense and MoE decoders, grouped-query and latent (MLA) attention, sliding-window and hybrid layers
(`layer_types`, `sliding_window_pattern`), rope scaling and `quantization_config`; a multimodal config is sized by
its text part (`text_config`). Layers with a recurrent state (linear attention, state-space) are refused. A key it
needs and cannot find raises `ConfigProblem` naming the key and the `--shape KEY=VALUE` that supplies it. Pure: it
reads a mapping (`inferstack.infra.hf_cache` finds a cached file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inferstack.planning import modelopt
from inferstack.planning.param_count import (
    UNCONVERTED_KEYS,
    Need,
    ParamCount,
    count_params,
    first_of,
    tied_embeddings,
    unconverted_params,
)
from inferstack.spec.base import MAX_TOKENS

# `shape:` fields (and --shape keys) that stand for one config.json key.
SHAPE_TO_CONFIG = {
    "layers": "num_hidden_layers",
    "hidden_size": "hidden_size",
    "attention_heads": "num_attention_heads",
    "kv_heads": "num_key_value_heads",
    "head_dim": "head_dim",
    "vocab_size": "vocab_size",
    "context": "max_position_embeddings",
    "sliding_window": "sliding_window",
    "kv_lora_rank": "kv_lora_rank",
    "qk_rope_head_dim": "qk_rope_head_dim",
}
CONFIG_TO_SHAPE = {config: shape for shape, config in SHAPE_TO_CONFIG.items()}
# `shape:` fields the reader computes rather than reads: an override replaces the computed value.
COMPUTED = ("params_b", "active_params_b", "expert_params_b", "weight_bits", "sliding_layers")
# Keys only the parameter count reads: the fix may also be to give the count itself.
COUNT_ONLY = {"intermediate_size", "moe_intermediate_size", "qk_nope_head_dim", "v_head_dim", "num_experts_per_tok"}
# MXFP4 (gpt-oss experts): 4-bit E2M1 values and one 8-bit scale per block of 32 values.
MXFP4_BITS = 4.25
# AWQ/GPTQ group scales and zeros: the 0.25 bits per weight the planner adds for groups of 128 (sizing.FOUR_BIT).
GROUP_BITS = 0.25
DTYPE_BITS = {"bfloat16": 16.0, "float16": 16.0, "float32": 32.0}
QUANT_METHODS = ("fp8", "fbgemm_fp8", "awq", "gptq", "mxfp4", "compressed-tensors", "modelopt")
# Methods vLLM serves as the planner's fp8: Meta's fbgemm_fp8 (row-wise scales) through its FBGEMMFp8Config.
AS_FP8 = ("fp8", "fbgemm_fp8")
# Gemma 2 and 3 configs may leave the layer pattern out: Gemma 2 slides on every other layer (the even ones) and
# Gemma 3 on all but every sixth (Gemma3TextConfig's sliding_window_pattern default 6), as Transformers' and public
# reimplementations' Gemma code reads them (read 2026-12-02); later configs list `layer_types` instead.
IMPLIED_PATTERN = {"gemma2": 2, "gemma3_text": 6}


# Configs of decoders whose layers keep a recurrent state instead of (or beside) a KV cache: linear attention
# (Qwen3-Next's Gated DeltaNet, `full_attention_interval` or `layer_types: linear_attention`) and state-space layers
# (Mamba, Jamba, Nemotron-H, Falcon-H1, Granite 4 hybrids: `layers_block_type`, `hybrid_override_pattern`, `ssm_cfg`,
# a state size).
# Their per-sequence state, its reads and vLLM's page sizing for it are not modelled: sizing them is refused.
RECURRENT_KEYS = ("full_attention_interval", "layers_block_type", "hybrid_override_pattern", "ssm_cfg", "state_size")
# `layer_types` entries of recurrent layers: Qwen3-Next linear_attention, LFM2 conv, Falcon-H1/Granite mamba,
# RecurrentGemma recurrent.
RECURRENT_LAYER_TYPES = frozenset({"linear_attention", "conv", "mamba", "mamba2", "recurrent"})


def recurrent_layers(cfg: Mapping[str, Any]) -> str | None:
    """The config key that shows layers with a recurrent state (linear attention, state-space), or None."""
    types = cfg.get("layer_types")
    if isinstance(types, list) and any(isinstance(kind, str) and kind in RECURRENT_LAYER_TYPES for kind in types):
        return "layer_types"
    return next((key for key in RECURRENT_KEYS if cfg.get(key) is not None), None)


class ConfigProblem(ValueError):
    """A config.json that does not say what sizing needs: the key, what is wrong and the --shape that fixes it."""

    def __init__(self, key: str, problem: str, fix: str) -> None:
        self.key, self.problem, self.fix = key, problem, fix
        super().__init__(f"{key}: {problem} — {fix}")


@dataclass(frozen=True)
class ModelConfig:
    """What a config.json says: the `shape:` fields, its model type, dtype and quantization method (or None)."""

    fields: dict[str, Any]
    model_type: str | None
    torch_dtype: str | None
    quantization: str | None
    # Parameters (billions) of the decoder layers the quantization_config leaves at the checkpoint's dtype.
    kept_16bit_params_b: float = 0.0
    # The KV-cache dtype vLLM resolves `auto` to for this checkpoint (a ModelOpt kv_cache_quant_algo); None: its own.
    kv_cache_dtype: str | None = None


def text_part(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The decoder's config: a multimodal config's `text_config` over its top level, else the config itself."""
    text = raw.get("text_config")
    top = {key: value for key, value in raw.items() if key != "text_config"}
    return {**top, **text} if isinstance(text, Mapping) else top


def _need(cfg: Mapping[str, Any]):
    def need(key: str) -> int:
        value = cfg.get(key)
        # Bounded like the spec's numbers (MAX_TOKENS): JSON's 1e400 is inf, and no real dimension is that large.
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value <= MAX_TOKENS
            or int(value) != value
        ):
            what = "has no " + key if value is None else f"says {key}: {value!r}, not a whole number in 1..{MAX_TOKENS}"
            fix = f"add --shape {CONFIG_TO_SHAPE.get(key, key)}=VALUE"
            if key in COUNT_ONLY:
                fix += " (or give the counts: --shape params_b=VALUE, and active_params_b=VALUE for a MoE)"
            raise ConfigProblem(key, f"config.json {what}", fix)
        return int(value)

    return need


def chunked_layers(cfg: Mapping[str, Any], layers: int) -> tuple[int | None, int]:
    """(chunk, how many layers attend within it): Llama 4's chunked local attention on its RoPE layers.

    vLLM runs a layer with `no_rope_layers[i] == 1` as ChunkedLocalAttention over `attention_chunk_size` tokens and
    keeps at most the chunk plus the tokens being scheduled (llama4.py, kv_cache_interface.py in the 0.16.0 wheel):
    sized as a sliding window of the chunk. Transformers' default marks every fourth layer NoPE (global).
    """
    chunk = first_of(cfg, ("attention_chunk_size",))
    if chunk is None:
        return None, 0
    flags = cfg.get("no_rope_layers")
    if isinstance(flags, list) and len(flags) == layers:
        count = sum(1 for flag in flags if flag == 1)
    else:
        count = layers - layers // (first_of(cfg, ("no_rope_layer_interval",)) or 4)
    return (chunk, count) if count else (None, 0)


def sliding_layers(cfg: Mapping[str, Any], layers: int) -> tuple[int | None, int]:
    """(window, how many layers slide): from `layer_types`, `sliding_window_pattern`, every layer (Mistral), or
    Llama 4's attention chunks."""
    window = cfg.get("sliding_window")
    if window is None and cfg.get("attention_chunk_size") is not None:
        return chunked_layers(cfg, layers)
    # Qwen2 configs carry a sliding_window they do not use (use_sliding_window: false).
    if not isinstance(window, int) or isinstance(window, bool) or window <= 0 or cfg.get("use_sliding_window") is False:
        return None, 0
    types = cfg.get("layer_types")
    if isinstance(types, list):
        if len(types) != layers:
            raise ConfigProblem(
                "layer_types",
                f"config.json lists {len(types)} layer types for {layers} layers",
                "add --shape sliding_layers=VALUE (the number of sliding-window layers)",
            )
        count = sum(1 for kind in types if kind == "sliding_attention")
        return (window, count) if count else (None, 0)
    pattern = first_of(cfg, ("sliding_window_pattern",)) or IMPLIED_PATTERN.get(str(cfg.get("model_type")))
    # Gemma 3: layer i is global when (i + 1) is a multiple of the pattern, sliding otherwise.
    count = layers - layers // pattern if pattern else layers
    return (window, count) if count else (None, 0)


def context_of(cfg: Mapping[str, Any], need: Need) -> int:
    """The context vLLM derives: max_position_embeddings, or YaRN's original context times its factor if larger."""
    context = need("max_position_embeddings")
    rope = cfg.get("rope_scaling") or cfg.get("rope_parameters")
    if isinstance(rope, Mapping) and (rope.get("rope_type") or rope.get("type")) == "yarn":
        original, factor = rope.get("original_max_position_embeddings"), rope.get("factor")
        scaled = original * factor if isinstance(original, int | float) and isinstance(factor, int | float) else 0
        if 0 < scaled <= MAX_TOKENS:
            context = max(context, int(scaled))
    return context


def quantization_of(cfg: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """(method, bits per quantized weight) of the config's quantization_config; (None, None) when unquantized."""
    quant = cfg.get("quantization_config")
    if not isinstance(quant, Mapping):
        return None, None
    method = "modelopt" if modelopt.is_modelopt(quant) else quant.get("quant_method")
    if method not in QUANT_METHODS:
        raise ConfigProblem(
            "quantization_config.quant_method",
            f"config.json is quantized with {method!r}, which inferstack does not size ({', '.join(QUANT_METHODS)})",
            "add --shape weight_bits=VALUE (average bits per parameter of the checkpoint)",
        )
    for key in UNCONVERTED_KEYS:
        if not isinstance(quant.get(key) or [], list):
            raise ConfigProblem(
                f"quantization_config.{key}",
                f"config.json gives {key} as {type(quant[key]).__name__}, not a list of module names",
                "correct the config.json, or add --shape weight_bits=VALUE (average bits per parameter)",
            )
    if method in AS_FP8:
        return method, 8.0
    if method == "modelopt":
        if (found := modelopt.method_and_bits(quant)) is None:
            algo = modelopt.settings(quant).get("quant_algo")
            raise ConfigProblem(
                "quantization_config.quant_algo",
                f"ModelOpt's {algo!r} algorithm is not sized (NVFP4, FP8)",
                "add --shape weight_bits=VALUE",
            )
        return found
    if method == "mxfp4":
        return method, MXFP4_BITS
    if method == "compressed-tensors":
        groups = quant.get("config_groups")
        found = groups.values() if isinstance(groups, Mapping) else ()
        weights = [g.get("weights") for g in found if isinstance(g, Mapping)]
        bits = next((w.get("num_bits") for w in weights if isinstance(w, Mapping) and w.get("num_bits")), None)
    else:
        bits = quant.get("bits", quant.get("w_bit", 4))
    if not isinstance(bits, int | float) or isinstance(bits, bool) or not 0 < bits <= 32:
        raise ConfigProblem(
            "quantization_config.bits", f"config.json gives no bit width for {method}", "add --shape weight_bits=VALUE"
        )
    return method, float(bits) + (GROUP_BITS if bits < 8 else 0.0)


def weight_bits_of(cfg: Mapping[str, Any], counts: ParamCount | None) -> float:
    """Average bits per stored parameter: quantized weights at their width, the rest at the checkpoint's dtype."""
    dtype = cfg.get("torch_dtype") or cfg.get("dtype") or "bfloat16"
    if dtype not in DTYPE_BITS:
        raise ConfigProblem("torch_dtype", f"config.json says {dtype!r}", "add --shape weight_bits=VALUE")
    base = DTYPE_BITS[str(dtype)]
    method, bits = quantization_of(cfg)
    if method is None or bits is None:
        return base
    if counts is None:
        return bits
    # mxfp4 quantizes the experts only (attention, router and embeddings stay 16-bit); the other methods quantize
    # every linear layer but the embeddings and the output head.
    quantized = counts.experts if method == "mxfp4" else counts.total - counts.embeddings - counts.norms
    quantized -= unconverted_params(cfg, counts) if method != "mxfp4" else 0
    return (quantized * bits + (counts.total - quantized) * base) / counts.total


def read_config(raw: Mapping[str, Any], overrides: Mapping[str, float] | None = None) -> ModelConfig:
    """The shape a config.json describes; `overrides` (--shape keys: shape fields or config keys) win over it."""
    extra = dict(overrides or {})
    cfg = text_part(raw)
    cfg.update({SHAPE_TO_CONFIG.get(key, key): value for key, value in extra.items() if key not in COMPUTED})
    if (key := recurrent_layers(cfg)) is not None:
        raise ConfigProblem(
            key,
            f"config.json describes layers with a recurrent state (linear attention or state-space; {key}), which "
            "inferstack does not size: their per-sequence state would be counted as a KV cache, so fit, KV capacity "
            "and speed would be wrong",
            "size a model whose layers all use attention (full or sliding-window)",
        )
    need = _need(cfg)
    layers, hidden, heads = need("num_hidden_layers"), need("hidden_size"), need("num_attention_heads")
    latent = first_of(cfg, ("kv_lora_rank",))
    head_dim = first_of(cfg, ("head_dim",)) or (
        need("qk_nope_head_dim") + need("qk_rope_head_dim") if latent else hidden // heads
    )
    window, sliding = sliding_layers(cfg, layers)
    counts = None if "params_b" in extra else count_params(cfg, need)
    moe = (first_of(cfg, ("n_routed_experts", "num_local_experts", "num_experts")) or 1) > 1
    fields: dict[str, Any] = {
        "params_b": counts.total / 1e9 if counts else None,
        "active_params_b": counts.active / 1e9 if counts and moe else None,
        "expert_params_b": counts.routed_experts / 1e9 if counts and moe and counts.routed_experts else None,
        "layers": layers,
        "hidden_size": hidden,
        "attention_heads": heads,
        # Transformers' default for a config without it: one KV head per query head (multi-head attention).
        "kv_heads": first_of(cfg, ("num_key_value_heads",)) or heads,
        "head_dim": head_dim,
        "vocab_size": need("vocab_size"),
        "context": context_of(cfg, need),
        "weight_bits": weight_bits_of(cfg, counts) if "weight_bits" not in extra else None,
        "sliding_window": window,
        "sliding_layers": sliding if window else None,
        "kv_lora_rank": latent,
        "qk_rope_head_dim": need("qk_rope_head_dim") if latent else None,
        # The config's key, else its type's default (as the parameter count reads it).
        "tie_word_embeddings": tied_embeddings(cfg),
    }
    fields.update({key: value for key, value in extra.items() if key in COMPUTED})
    method, _ = quantization_of(cfg)
    dtype = cfg.get("torch_dtype") or cfg.get("dtype")
    model_type = cfg.get("model_type")
    return ModelConfig(
        {key: value for key, value in fields.items() if value is not None},
        str(model_type) if model_type else None,
        str(dtype) if dtype else None,
        method,
        unconverted_params(cfg, counts) / 1e9 if method is not None and method != "mxfp4" else 0.0,
        modelopt.kv_cache_dtype(quant) if isinstance(quant := cfg.get("quantization_config"), Mapping) else None,
    )
