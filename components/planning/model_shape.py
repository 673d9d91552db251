"""What sizing knows about a model: its architecture (`Shape`) and the precision it is served at (`Precision`).

Plain frozen dataclasses, no catalog and no cloud. A shape comes from the catalog, a stack's inline `shape:`, or a
Hugging Face config.json (`hf_config.py`); `kv_cache.py` turns it into KV-cache bytes and `sizing.py` into time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """What sizing needs to know about a model's architecture."""

    params_b: float
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    context: int
    active_params_b: float | None = None
    weight_bits: float = 16.0
    # Sliding-window attention: these layers keep the KV of at most `sliding_window` tokens per sequence.
    sliding_window: int | None = None
    sliding_layers: int = 0
    # Multi-head latent attention (DeepSeek-V2/V3, Kimi K2): each layer caches one compressed latent of
    # kv_lora_rank + qk_rope_head_dim values per token instead of a K and a V per head.
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int = 0
    # The token embedding and the output projection (lm_head): vocab_size × hidden_size each, one matrix when tied.
    # 0: unknown, every parameter is treated alike.
    vocab_size: int = 0
    tie_word_embeddings: bool = False
    # Parameters (billions) of a MoE's routed experts over all layers: what a token reads only a share of. Everything
    # else (attention, shared experts, dense layers, router, norms) every token reads. None: estimated from the
    # attention projections (`step_time.shared_params_b`).
    expert_params_b: float | None = None

    def __post_init__(self) -> None:
        # A shape that breaks these would size silently wrong; the spec and the config reader report them first.
        if not 0 <= self.sliding_layers <= self.layers:
            raise ValueError(f"sliding_layers {self.sliding_layers} is not within 0..{self.layers} layers")
        if self.sliding_layers and self.sliding_window is None:
            raise ValueError("sliding_layers needs a sliding_window")

    @property
    def active_b(self) -> float:
        """Parameters used per token in billions (all of them for a dense model)."""
        return self.active_params_b if self.active_params_b is not None else self.params_b

    @property
    def embedding_params_b(self) -> float:
        """Parameters (billions) of the token embedding and the lm_head (once when they are tied)."""
        return self.vocab_size * self.hidden_size * (1 if self.tie_word_embeddings else 2) / 1e9

    @property
    def lookup_only_params_b(self) -> float:
        """Parameters (billions) a pass reads only a few rows of: an untied input embedding (a table lookup)."""
        return 0.0 if self.tie_word_embeddings else self.vocab_size * self.hidden_size / 1e9

    @property
    def full_layers(self) -> int:
        """Layers that attend to (and cache) the whole context."""
        return self.layers - self.sliding_layers

    @property
    def latent_attention(self) -> bool:
        """True for multi-head latent attention (the KV cache holds a latent, not per-head K and V)."""
        return self.kv_lora_rank is not None


@dataclass(frozen=True)
class Precision:
    """Bits per weight and bytes per KV-cache element of a deployment."""

    weight_bits: float
    kv_bytes: float = 2.0
    # Weight-only sub-byte weights (AWQ/GPTQ, or a checkpoint stored below 8 bits such as gpt-oss's MXFP4 experts):
    # the matmul dequantizes every weight it reads, which costs compute at large batch.
    int4_weights: bool = False
    # Bits of the embedding and lm_head when they are not quantized with the rest (vLLM's fp8, AWQ and GPTQ methods
    # quantize linear layers only); None: stored at `weight_bits` like every other parameter.
    embedding_bits: float | None = None
    # FP8 weights (vLLM's fp8 method): native FP8 GEMMs where the GPU has FP8 tensor cores, else weight-only through
    # the FP8 Marlin kernel (16-bit activations, dequantized in the matmul, like the sub-byte case above).
    fp8_weights: bool = False
    # AWQ/GPTQ: vLLM runs these through its Marlin kernels on every GPU (MoE experts too).
    marlin_method: bool = False
    # NVFP4 weights (vLLM's modelopt_fp4): FP4 GEMMs with activations quantized to FP4 where the GPU has FP4 tensor
    # cores (Blackwell's CUTLASS/FlashInfer kernels), else weight-only through FP4 Marlin (16-bit activations).
    fp4_weights: bool = False
    # Linear-layer parameters (billions) a quantized checkpoint leaves at 16 bits (its quantization_config's
    # modules_to_not_convert): stored at 2 bytes and multiplied at the 16-bit rate. 0: every linear layer quantized.
    kept_16bit_params_b: float = 0.0
