"""LoRA adapter slots: the memory vLLM preallocates, counted before the KV cache is sized."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inferstack.planning.capacity import model_shape
from inferstack.planning.lora import LORA_DTYPE_BYTES, LoraSlots, lora_gib, mlp_width, slot_elements
from inferstack.planning.serving import Request, size
from inferstack.planning.sizing import Shape

CONFIGS = Path(__file__).parent.parent / "fixtures" / "hf_configs"


def catalog_shape(key: str) -> Shape:
    found = model_shape(key)
    assert found is not None
    return found[1]


def test_the_mlp_width_implied_by_the_parameters_is_the_config_s_intermediate_size() -> None:
    config = json.loads((CONFIGS / "llama-3.1-8b" / "config.json").read_text())
    assert mlp_width(catalog_shape("llama-3.1-8b")) == pytest.approx(config["intermediate_size"], rel=0.005)


def test_one_slot_at_tp1_is_rank_times_every_projection_s_in_plus_out() -> None:
    # Counted independently from config.json: a LoRA pair on an m x n projection holds r(m + n) numbers, and vLLM wraps
    # all seven projections of a Llama layer (q, k, v, o, gate, up, down) whatever an adapter targets.
    config = json.loads((CONFIGS / "llama-3.1-8b" / "config.json").read_text())
    hidden, inter = config["hidden_size"], config["intermediate_size"]
    kv = config["num_key_value_heads"] * hidden // config["num_attention_heads"]
    per_layer = (2 * hidden) + 2 * (hidden + kv) + (2 * hidden) + 3 * (hidden + inter)
    expected = config["num_hidden_layers"] * 16 * per_layer
    assert slot_elements(catalog_shape("llama-3.1-8b"), 1, 16) == pytest.approx(expected, rel=0.005)


def test_tensor_parallel_replicates_the_unsplit_half_on_every_gpu() -> None:
    shape = catalog_shape("llama-3.1-8b")
    one, two = slot_elements(shape, 1, 16), slot_elements(shape, 2, 16)
    # More in total (A of column layers and B of row layers are whole on every rank), but less than twice.
    assert one < two < 2 * one


@given(
    slots=st.integers(min_value=1, max_value=64),
    rank=st.sampled_from([1, 8, 16, 32, 64, 128, 256, 320, 512]),
    tp=st.sampled_from([1, 2, 4, 8]),
)
def test_slot_memory_is_linear_in_slots_and_rank(slots: int, rank: int, tp: int) -> None:
    shape = catalog_shape("qwen2.5-7b")
    gib = lora_gib(shape, tp, LoraSlots(slots, rank))
    assert gib == pytest.approx(slots * rank * lora_gib(shape, tp, LoraSlots(1, 1)))
    assert gib == pytest.approx(slots * slot_elements(shape, tp, rank) * LORA_DTYPE_BYTES / 2**30)


def test_no_adapters_no_memory() -> None:
    assert lora_gib(catalog_shape("qwen2.5-7b"), 1, None) == 0.0


def test_adapter_slots_shrink_the_kv_cache_and_may_stop_a_fit() -> None:
    shape = catalog_shape("llama-3.1-8b")
    plain = size(Request(shape=shape, gpu="nvidia-l4"), None)
    slots = lora_gib(shape, 1, LoraSlots(4, 64))
    with_lora = size(Request(shape=shape, gpu="nvidia-l4", lora_gib=slots), None)
    assert with_lora.fit.lora_gib == pytest.approx(slots)
    assert with_lora.fit.kv_budget_gib == pytest.approx(plain.fit.kv_budget_gib - slots)
    assert with_lora.fit.max_sequences < plain.fit.max_sequences
    assert with_lora.fit.need_gib == pytest.approx(plain.fit.need_gib + slots)
    # 64 rank-512 slots on an 8B model are tens of GiB: no L4 holds them beside the weights.
    assert not size(
        Request(shape=shape, gpu="nvidia-l4", lora_gib=lora_gib(shape, 1, LoraSlots(64, 512))), None
    ).fit.fits
