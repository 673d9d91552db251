"""The parts of one served model: replica bounds, exposure, autoscaling, shape, load, parallelism and staging."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, NonNegativeInt, PositiveInt, Tag

from inferstack.spec.base import (
    AUTO,
    MAX_DIMENSION,
    MAX_GPUS_PER_NODE,
    MAX_LATENCY_MS,
    MAX_PARAMS_B,
    MAX_QUEUE_DEPTH,
    MAX_REPLICAS,
    MAX_REQUESTS_PER_SECOND,
    MAX_TOKENS,
    Cidr,
    FrozenSpec,
)


# The tags below are dropped from error locations by spec/issues.py (UNION_TAGS).
def _auto_or_number(value: object) -> str:
    # A callable discriminator validates only one member: a bad number gets the integer's own message
    # ("greater than 0", "a valid integer"), not that message plus "should be 'auto'".
    return "auto" if value == AUTO else "int"


TensorParallel = Annotated[
    Annotated[PositiveInt, Field(le=MAX_GPUS_PER_NODE), Tag("int")] | Annotated[Literal["auto"], Tag("auto")],
    Discriminator(_auto_or_number),
]


class ReplicasSpec(FrozenSpec):
    """Replica bounds for a model's autoscaler."""

    min: NonNegativeInt = Field(
        default=1, le=MAX_REPLICAS, description="Minimum replicas (0 allows scale to zero); default: 1."
    )
    max: PositiveInt = Field(default=1, le=MAX_REPLICAS, description="Maximum replicas; default: 1.")
    on_demand_base: NonNegativeInt = Field(
        default=0,
        le=MAX_REPLICAS,
        description="Replicas kept on on-demand nodes, at most min; the rest may run on spot; default: 0.",
    )
    wake: bool = Field(
        default=True,
        description="With min: 0, hold a request while a replica starts (KEDA HTTP add-on interceptor) instead of "
        "failing it; default: true.",
    )


class LoadBalancerSpec(FrozenSpec):
    """How the model's API is exposed beyond the cluster."""

    internal: bool = Field(default=True, description="Internal (VPC-only) load balancer; default: true.")
    source_ranges: list[Cidr] = Field(
        default_factory=list,
        description="Client CIDRs allowed through the load balancer; default: [] (none).",
    )


class AutoscaleSpec(FrozenSpec):
    """What the model's autoscaler reacts to (LLM load, never CPU)."""

    queue_depth: PositiveInt = Field(
        default=4, le=MAX_QUEUE_DEPTH, description="Target waiting requests per replica before scaling out; default: 4."
    )
    kv_cache_utilization: float | None = Field(
        default=None, gt=0, le=1, description="Also scale out above this KV-cache use (0-1); default: off."
    )


class ModelShapeSpec(FrozenSpec):
    """The architecture of a model the catalog does not list (numbers from its config.json and model card)."""

    params_b: float = Field(gt=0, le=MAX_PARAMS_B, description="Total parameters in billions; required.")
    active_params_b: float | None = Field(
        default=None,
        gt=0,
        le=MAX_PARAMS_B,
        description="Parameters active per token in billions (MoE); default: all of them.",
    )
    expert_params_b: float | None = Field(
        default=None,
        gt=0,
        le=MAX_PARAMS_B,
        description="Routed-expert parameters in billions over all layers (MoE; no router or shared expert); "
        "default: estimated from the attention projections.",
    )
    layers: PositiveInt = Field(le=MAX_DIMENSION, description="Transformer layers (num_hidden_layers); required.")
    hidden_size: PositiveInt = Field(le=MAX_DIMENSION, description="Model width (hidden_size); required.")
    attention_heads: PositiveInt = Field(le=MAX_DIMENSION, description="Query heads (num_attention_heads); required.")
    kv_heads: PositiveInt = Field(le=MAX_DIMENSION, description="Key/value heads (num_key_value_heads); required.")
    head_dim: PositiveInt | None = Field(
        default=None,
        le=MAX_DIMENSION,
        description="Dimension of one attention head; default: hidden_size / attention_heads.",
    )
    vocab_size: PositiveInt = Field(le=MAX_TOKENS, description="Vocabulary size; required.")
    tie_word_embeddings: bool = Field(
        default=False,
        description="The lm_head shares the token embedding's weights (tie_word_embeddings); default: false.",
    )
    context: PositiveInt = Field(le=MAX_TOKENS, description="Default (maximum) context length in tokens; required.")
    weight_bits: float = Field(
        default=16, gt=0, le=32, description="Average bits per parameter of the checkpoint; default: 16 (BF16)."
    )
    sliding_window: PositiveInt | None = Field(
        default=None,
        le=MAX_TOKENS,
        description="Tokens a sliding-window layer attends to (sliding_window); default: none (all layers see all).",
    )
    sliding_layers: NonNegativeInt | None = Field(
        default=None,
        le=MAX_DIMENSION,
        description="Layers that use the sliding window (sliding_attention in layer_types); default: all of them.",
    )
    kv_lora_rank: PositiveInt | None = Field(
        default=None,
        le=MAX_DIMENSION,
        description="Latent width of multi-head latent attention (kv_lora_rank, DeepSeek-V3); default: none (GQA).",
    )
    qk_rope_head_dim: NonNegativeInt | None = Field(
        default=None,
        le=MAX_DIMENSION,
        description="Rotary key width cached beside the latent (qk_rope_head_dim); default: 0; only with kv_lora_rank.",
    )


# A repository path glob (fnmatch): no whitespace, bounded so a stack file cannot make the Job's env huge.
FilePattern = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^\S+$")]


class StagingSpec(FrozenSpec):
    """Which files of the revision staging copies, beyond the weights the engine loads."""

    allow: list[FilePattern] = Field(
        default_factory=list,
        max_length=32,
        description="Globs always copied, even duplicate formats (original/*, *.bin); default: [] (weights only).",
    )
    deny: list[FilePattern] = Field(
        default_factory=list,
        max_length=32,
        description="Globs never copied unless allow matches them too; default: [].",
    )


class LoadSpec(FrozenSpec):
    """Expected traffic and latency objectives of one model, used to size replicas and price tokens."""

    requests_per_second: float = Field(
        gt=0, le=MAX_REQUESTS_PER_SECOND, description="Expected requests per second at peak; required."
    )
    prompt_tokens: PositiveInt = Field(
        default=1000, le=MAX_TOKENS, description="Typical prompt length in tokens; default: 1000."
    )
    output_tokens: PositiveInt = Field(
        default=250, le=MAX_TOKENS, description="Typical output length in tokens; default: 250."
    )
    ttft_ms: float | None = Field(
        default=None, gt=0, le=MAX_LATENCY_MS, description="Time-to-first-token objective in ms; default: none."
    )
    tpot_ms: float | None = Field(
        default=None, gt=0, le=MAX_LATENCY_MS, description="Time-per-output-token objective in ms; default: none."
    )


def _key_or_numbers(value: object) -> str:
    # Validating a mapping against the string member too would add "should be a valid string" at `shape`
    # beside the real problem inside the numbers.
    return "key" if isinstance(value, str) else "numbers"


# vLLM's --max-lora-rank choices (MaxLoRARanks in vllm/config/lora.py, read 2026-12-02 at vllm-project/vllm 01230b40;
# catalog `k8s_addons.yaml` lora facts): any other rank makes the engine exit at start-up.
LoraRank = Literal[1, 8, 16, 32, 64, 128, 256, 320, 512]
# Adapters resident at once are bounded so the preallocated slots (max_loras x max_rank per layer) stay planned.
MAX_LORAS = 64
# An adapter is pinned like the model itself: a hub id at a 40-hex commit.
AdapterSource = Annotated[
    str,
    Field(
        pattern=r"^hf://[A-Za-z0-9._-]+/[A-Za-z0-9._-]+@[0-9a-f]{40}$",
        description="Hub id of a LoRA adapter pinned to a 40-hex commit, hf://<org>/<name>@<commit>.",
    ),
]


class LoraSpec(FrozenSpec):
    """How many LoRA adapter slots vLLM preallocates in GPU memory, and how large each may be."""

    max_rank: LoraRank = Field(
        default=16,
        description="Largest adapter rank served (--max-lora-rank; 1, 8, 16, 32, 64, 128, 256, 320 or 512); "
        "default: 16.",
    )
    max_loras: PositiveInt | None = Field(
        default=None,
        le=MAX_LORAS,
        description="Adapters resident in GPU memory at once (--max-loras); default: the number of adapters.",
    )


Shape = Annotated[
    Annotated[str, Tag("key")] | Annotated[ModelShapeSpec, Tag("numbers")],
    Discriminator(_key_or_numbers),
]
