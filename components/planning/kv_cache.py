"""KV-cache bytes of a model: per head or per latent, over the layers that hold them, capped by sliding windows.

Facts from vLLM's source, read 2026-12-02 at two vllm-project/vllm commits, an older one (002f3491, the
KVCacheBlockBundle era) and a recent one (001cabc1); the behaviour below is the same in both, so the pinned image
(v0.16.0) is taken to share it; the tag itself was not read (the repository is too large to fetch here):
- The hybrid KV-cache manager gives each layer type its own manager: `SlidingWindowManager.remove_skipped_blocks`
  (vllm/v1/core/single_type_kv_cache_manager.py) frees a sequence's blocks once they fall out of the window, so a
  sliding-window layer holds about `sliding_window` tokens per sequence while full-attention layers hold them all.
  `SlidingWindowSpec.max_memory_usage_bytes` (vllm/v1/kv_cache_interface.py) bounds the worst case during chunked
  prefill at min(sliding_window - 1 + max_num_batched_tokens, max_model_len) tokens plus one block; the steady state
  of decoding (what concurrency is limited by) is the window. With the hybrid manager disabled, vLLM treats
  sliding-window layers as full attention (`FullAttentionSpec` records the window but allocates every token).
- Multi-head latent attention caches one latent per token and layer: `MLAAttentionSpec.real_page_size_bytes` is
  block_size x num_kv_heads (1) x head_size (kv_lora_rank + qk_rope_head_dim) x dtype bytes, with no factor 2 for
  K and V; every tensor-parallel rank holds the whole latent.
"""

from __future__ import annotations

from inferstack.planning.model_shape import Precision, Shape


def kv_heads_stored(shape: Shape, tp: int) -> int:
    """KV heads held across the group: heads are split over GPUs, and replicated when TP exceeds them.

    A latent-attention model caches one latent per layer, which every GPU of the group holds in full.
    """
    return max(1 if shape.latent_attention else shape.kv_heads, tp)


def kv_bytes_per_layer(shape: Shape, prec: Precision, tp: int = 1) -> float:
    """KV-cache bytes one token occupies in one layer across the replica."""
    if shape.kv_lora_rank is not None:
        return kv_heads_stored(shape, tp) * (shape.kv_lora_rank + shape.qk_rope_head_dim) * prec.kv_bytes
    # K and V: one head_dim vector each per KV head.
    return 2 * kv_heads_stored(shape, tp) * shape.head_dim * prec.kv_bytes


def kv_bytes_per_token(shape: Shape, prec: Precision, tp: int = 1, context: float | None = None) -> float:
    """KV-cache bytes one token occupies across the replica, averaged over a sequence of `context` tokens.

    Sliding-window layers hold at most `sliding_window` tokens of a sequence, so past the window a token costs
    only the full-attention layers. Without a context every layer counts (a sequence shorter than the window).
    """
    per_layer = kv_bytes_per_layer(shape, prec, tp)
    window = shape.sliding_window
    if context is None or window is None or not shape.sliding_layers or context <= window:
        return shape.layers * per_layer
    held = shape.full_layers * context + shape.sliding_layers * window
    return per_layer * held / context


def kv_bytes_per_sequence(shape: Shape, prec: Precision, tp: int, context: float) -> float:
    """KV-cache bytes one sequence of `context` tokens holds across the replica."""
    return kv_bytes_per_token(shape, prec, tp, context) * context
