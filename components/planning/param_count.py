"""Parameter counts of a transformer from its Hugging Face config.json: embeddings, attention, MLP or experts, norms.

Pure arithmetic on a plain mapping (`hf_config.py` reads the file and finds the text part of a multimodal config).
Counted as the checkpoint stores them: gated MLPs (gate, up and down projections), untied output embeddings unless
`tie_word_embeddings`, RMSNorm weights, attention biases when `attention_bias`. Left out, each well under 0.1% of
a model: the bias of Qwen2's q/k/v projections, expert biases (gpt-oss), router biases. DeepSeek's multi-token
prediction layers (`num_nextn_predict_layers`) are not counted: the published totals (671B for DeepSeek-V3) leave
them out and vLLM loads them only for speculative decoding.

Active parameters are the ones multiplied per token: the routed experts a token does not use and the input
embedding (a table lookup, not a matrix product) are left out; this reproduces the published active counts
(gpt-oss-20b 3.6B, Mixtral 8x7B 12.9B, DeepSeek-V3 37B) within 2%.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Config keys that name the number of routed experts, and the experts each token uses, across model families.
EXPERT_KEYS = ("n_routed_experts", "num_local_experts", "num_experts")
EXPERTS_PER_TOKEN_KEYS = ("num_experts_per_tok", "experts_per_token", "num_experts_per_token")

Need = Callable[[str], int]


@dataclass(frozen=True)
class ParamCount:
    """Parameters of a model by part, in units (not billions)."""

    embeddings: int
    attention: int
    dense_mlp: int
    experts: int
    unused_experts: int
    norms: int
    tied_embeddings: bool = False
    # The routed experts alone (no router, no shared expert): the part of `experts` a token uses only a share of.
    routed_experts: int = 0

    @property
    def total(self) -> int:
        """Every parameter the checkpoint stores (the model card's total)."""
        return self.embeddings + self.attention + self.dense_mlp + self.experts + self.norms

    @property
    def active(self) -> int:
        """Parameters multiplied per token: no unused routed expert, no input-embedding lookup."""
        return self.total - self.unused_experts - self.input_embedding

    @property
    def input_embedding(self) -> int:
        """The input embedding table (vocabulary × hidden size)."""
        return self.embeddings if self.tied_embeddings else self.embeddings // 2


def first_of(cfg: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    """The first of `keys` the config sets to a positive whole number."""
    for key in keys:
        value = cfg.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def attention_params(cfg: Mapping[str, Any], need: Need, hidden: int, heads: int) -> int:
    """Attention weights of one layer: latent (MLA) projections, or Q, K, V and O per head."""
    if cfg.get("kv_lora_rank"):
        rank, rope, nope, v_dim = (
            need("kv_lora_rank"),
            need("qk_rope_head_dim"),
            need("qk_nope_head_dim"),
            need("v_head_dim"),
        )
        q_rank = first_of(cfg, ("q_lora_rank",))
        # Q through a low-rank bottleneck (with its norm) when q_lora_rank is set (V3), else one projection (V2-Lite).
        query = hidden * q_rank + q_rank + q_rank * heads * (nope + rope) if q_rank else hidden * heads * (nope + rope)
        latent = hidden * (rank + rope) + rank + rank * heads * (nope + v_dim)
        return query + latent + heads * v_dim * hidden
    kv_heads = first_of(cfg, ("num_key_value_heads",)) or heads
    head_dim = first_of(cfg, ("head_dim",)) or hidden // heads
    weights = 2 * hidden * heads * head_dim + 2 * hidden * kv_heads * head_dim
    bias = heads * head_dim + 2 * kv_heads * head_dim + hidden if cfg.get("attention_bias") is True else 0
    return weights + bias


# Llama 4 (Transformers' Llama4TextMoe, vLLM's llama4.py): every MoE layer adds a shared expert as wide as the routed
# ones (intermediate_size), and the dense layers between MoE layers use intermediate_size_mlp.
IMPLICIT_SHARED_EXPERT = frozenset({"llama4", "llama4_text"})


# Decoder model types whose config class unties the output embedding when the key is absent: the
# tie_word_embeddings=False default of their __init__ in the transformers 4.57.1 wheel's configuration_*.py (read
# 2026-12-03; Gemma, Cohere, ERNIE 4.5, LFM2 and JetMoE default to True). Every other type takes Transformers'
# PretrainedConfig default, tied.
UNTIED_BY_DEFAULT = frozenset(
    {
        "apertus", "arcee", "aria_text", "bamba", "bitnet", "codegen", "deepseek_v2", "deepseek_v3", "diffllama",
        "doge", "dots1", "exaone4", "falcon_h1", "flex_olmo", "glm", "glm4", "glm4_moe", "glm4v_text", "gpt_neox",
        "gpt_oss", "gptj", "granite", "granitemoe", "granitemoehybrid", "granitemoeshared", "helium",
        "hunyuan_v1_dense", "hunyuan_v1_moe", "jamba", "llama", "llama4", "llama4_text", "longcat_flash", "minimax",
        "ministral", "mistral", "mixtral", "mllama_text_model", "nemotron", "olmo", "olmo2", "olmo3", "olmoe",
        "persimmon", "phi", "phi3", "phimoe", "qwen2", "qwen2_5_vl_text", "qwen2_moe", "qwen2_vl_text", "qwen3",
        "qwen3_moe", "qwen3_next", "qwen3_vl_moe_text", "qwen3_vl_text", "seed_oss", "stablelm",
    }
)  # fmt: skip


def tied_embeddings(cfg: Mapping[str, Any]) -> bool:
    """Whether the input and output embeddings share one table: the config's key, else its type's default."""
    default = cfg.get("model_type") not in UNTIED_BY_DEFAULT
    return cfg.get("tie_word_embeddings", default) is not False


def moe_layers(cfg: Mapping[str, Any], layers: int) -> int:
    """How many layers hold experts: all but the first `first_k_dense_replace`, every `moe_layer_freq`-th."""
    first_dense = min(first_of(cfg, ("first_k_dense_replace",)) or 0, layers)
    # Llama 4 puts experts on every interleave_moe_layer_step-th layer (layer i when (i + 1) % step == 0).
    every = first_of(cfg, ("moe_layer_freq", "decoder_sparse_step", "interleave_moe_layer_step")) or 1
    listed = cfg.get("mlp_only_layers")
    dense_only = {i for i in listed if isinstance(i, int)} if isinstance(listed, list) else set()
    # Counted, not looped: a hostile config's layer count must not become a long loop.
    sparse = -(-(layers - first_dense) // every)
    return sparse - sum(1 for i in dense_only if first_dense <= i < layers and (i - first_dense) % every == 0)


def count_params(cfg: Mapping[str, Any], need: Need) -> ParamCount:
    """Every parameter of the decoder the config describes; `need` reads a required key or raises its problem."""
    hidden, layers, heads, vocab = (
        need("hidden_size"),
        need("num_hidden_layers"),
        need("num_attention_heads"),
        need("vocab_size"),
    )
    tied = tied_embeddings(cfg)
    embeddings = vocab * hidden * (1 if tied else 2)
    attention = layers * attention_params(cfg, need, hidden, heads)
    # Two norms per layer (before attention and before the MLP), one final; an MLA layer adds its latent norms above.
    norms = (2 * layers + 1) * hidden
    experts = first_of(cfg, EXPERT_KEYS)
    if experts is None or experts < 2:
        return ParamCount(embeddings, attention, layers * 3 * hidden * need("intermediate_size"), 0, 0, norms, tied)
    per_token = first_of(cfg, EXPERTS_PER_TOKEN_KEYS) or need("num_experts_per_tok")
    # Mixtral and gpt-oss size their experts with intermediate_size; DeepSeek and Qwen MoE with moe_intermediate_size.
    expert_width = first_of(cfg, ("moe_intermediate_size",)) or need("intermediate_size")
    sparse = moe_layers(cfg, layers)
    expert = 3 * hidden * expert_width
    shared_width = (first_of(cfg, ("n_shared_experts",)) or 0) * expert_width + (
        first_of(cfg, ("shared_expert_intermediate_size",)) or 0
    )
    if cfg.get("model_type") in IMPLICIT_SHARED_EXPERT:
        shared_width += expert_width
    per_sparse_layer = experts * expert + hidden * experts + 3 * hidden * shared_width
    dense_layers = layers - sparse
    dense_width = first_of(cfg, ("intermediate_size_mlp",)) or need("intermediate_size")
    dense = dense_layers * 3 * hidden * dense_width if dense_layers else 0
    unused = sparse * (experts - min(per_token, experts)) * expert
    routed = sparse * experts * expert
    return ParamCount(embeddings, attention, dense, sparse * per_sparse_layer, unused, norms, tied, routed)


# quantization_config keys that list modules left unquantized (Transformers' modules_to_not_convert, vLLM fp8's
# ignored_layers, compressed-tensors' ignore, ModelOpt's exclude_modules).
UNCONVERTED_KEYS = ("modules_to_not_convert", "ignored_layers", "ignore", "exclude_modules")
# A listed module of one decoder layer: the whole layer, its attention block, or its MLP.
LAYER_MODULE = re.compile(r"^(?:model\.)?layers\.(\d+)(?:\.(self_attn|mlp))?$")


def unconverted_params(cfg: Mapping[str, Any], counts: ParamCount | None) -> int:
    """Parameters of the decoder layers a quantization_config lists as left unquantized (at the checkpoint's dtype).

    Whole layers (`model.layers.N`), attention blocks (`…N.self_attn`) and MLPs (`…N.mlp`), each at the per-layer
    average of its part; the lm_head and embeddings are 16-bit anyway, and other names (a MoE router, a vision
    tower, regular expressions) hold few of the text decoder's parameters, or none.
    """
    quant = cfg.get("quantization_config")
    layers = cfg.get("num_hidden_layers")
    if not isinstance(quant, Mapping) or counts is None or not isinstance(layers, int) or layers <= 0:
        return 0
    lists = [quant.get(key) for key in UNCONVERTED_KEYS]
    listed = [name for names in lists if isinstance(names, list) for name in names if isinstance(name, str)]
    attention, mlp = counts.attention / layers, (counts.dense_mlp + counts.experts) / layers
    parts: dict[int, set[str]] = {}
    for name in listed:
        found = LAYER_MODULE.match(name.removesuffix(".weight"))
        if found is not None and int(found.group(1)) < layers:
            parts.setdefault(int(found.group(1)), set()).update(
                [found.group(2)] if found.group(2) else ["self_attn", "mlp"]
            )
    return round(sum(("self_attn" in kept) * attention + ("mlp" in kept) * mlp for kept in parts.values()))
