"""KV-cache bytes: sliding windows cap what a layer holds, latents replace per-head K and V, TP replicates."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.kv_cache import kv_bytes_per_sequence, kv_bytes_per_token, kv_heads_stored
from inferstack.planning.model_shape import Precision, Shape
from inferstack.planning.sizing import memory_fit

OSS = model_shape("gpt-oss-20b")[1]  # type: ignore[index]
FULL = dataclasses.replace(OSS, sliding_window=None, sliding_layers=0)
BF16 = Precision(16.0, 2.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(1, 200_000), st.integers(1, 200_000))
def test_a_sliding_model_never_holds_more_and_longer_sequences_never_hold_less(tp, short, long) -> None:
    short, long = sorted((short, long))
    assert kv_bytes_per_sequence(OSS, BF16, tp, long) <= kv_bytes_per_sequence(FULL, BF16, tp, long)
    assert kv_bytes_per_sequence(OSS, BF16, tp, short) <= kv_bytes_per_sequence(OSS, BF16, tp, long)


def test_inside_the_window_every_layer_counts_and_past_it_only_full_layers_grow() -> None:
    assert kv_bytes_per_token(OSS, BF16, 1, 128) == kv_bytes_per_token(FULL, BF16, 1, 128)
    grown = kv_bytes_per_sequence(OSS, BF16, 1, 10_128) - kv_bytes_per_sequence(OSS, BF16, 1, 128)
    # 10,000 more tokens in the 12 full layers only: 12 × 2 × 8 KV heads × 64 × 2 bytes each.
    assert grown == pytest.approx(10_000 * 12 * 2 * 8 * 64 * 2)


def test_the_window_lets_more_sequences_fit() -> None:
    acc, eff = accelerator("nvidia-h100-sxm"), default_efficiency()
    sliding = memory_fit(OSS, acc, BF16, eff, context=131072)
    full = memory_fit(FULL, acc, BF16, eff, context=131072)
    # Half the layers hold 128 tokens instead of 131072: nearly half the KV per sequence.
    assert sliding.kv_per_sequence_gib == pytest.approx(
        full.kv_per_sequence_gib * (12 * 131072 + 12 * 128) / (24 * 131072)
    )
    assert sliding.max_sequences > full.max_sequences


def test_a_latent_is_one_head_per_gpu() -> None:
    mla = Shape(671, 61, 7168, 128, 128, 192, 163840, kv_lora_rank=512, qk_rope_head_dim=64)
    assert [kv_heads_stored(mla, tp) for tp in (1, 2, 8)] == [1, 2, 8]
    assert kv_bytes_per_token(mla, Precision(8.0, 1.0)) == 61 * 576


@pytest.mark.parametrize(("layers", "sliding", "window"), [(4, 5, 128), (4, 2, None), (4, -1, 8)])
def test_an_impossible_sliding_shape_is_refused(layers: int, sliding: int, window: int | None) -> None:
    with pytest.raises(ValueError, match="sliding"):
        Shape(1, layers, 64, 4, 4, 16, 1024, sliding_window=window, sliding_layers=sliding)
