"""The embedding and lm_head: 16-bit when the rest is quantized; the input table is looked up, not streamed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inferstack.planning.capacity import model_shape
from inferstack.planning.hf_config import read_config
from inferstack.planning.sizing import Shape, precision, weight_bytes
from inferstack.planning.step_time import matmul_params_b, weights_read_bytes

LLAMA8 = model_shape("llama-3.1-8b")[1]  # type: ignore[index]
LLAMA70 = model_shape("llama-3.1-70b")[1]  # type: ignore[index]
QWEN05 = model_shape("qwen2.5-0.5b")[1]  # type: ignore[index]
GPT_OSS = model_shape("gpt-oss-20b")[1]  # type: ignore[index]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hf_configs"


def test_fp8_keeps_the_embedding_and_lm_head_at_16_bits() -> None:
    # Llama-3.1-70B: 2 × 128256 × 8192 = 2.10B embedding parameters stay at 2 bytes, the other 68.5B take 1 byte.
    fp8 = weight_bytes(LLAMA70, precision(LLAMA70, "fp8"))
    embedded = 2 * 128256 * 8192
    assert fp8 == pytest.approx((70.6e9 - embedded) * 1 + embedded * 2)
    # The 16-bit model is unchanged: every parameter at 2 bytes.
    assert weight_bytes(LLAMA70, precision(LLAMA70, None)) == 70.6e9 * 2


def test_awq_keeps_the_lm_head_at_16_bits_too() -> None:
    awq = precision(LLAMA8, "awq")
    assert awq.embedding_bits == 16.0
    assert weight_bytes(LLAMA8, awq) > LLAMA8.params_b * 1e9 * awq.weight_bits / 8


def test_a_decode_pass_streams_the_lm_head_but_not_the_input_table() -> None:
    bf16 = precision(LLAMA8, None)
    table = 128256 * 4096 * 2
    assert weights_read_bytes(LLAMA8, bf16, 1) == pytest.approx(weight_bytes(LLAMA8, bf16) - table)
    assert matmul_params_b(LLAMA8) == LLAMA8.params_b - 128256 * 4096 / 1e9


def test_a_tied_embedding_is_one_matrix_and_is_streamed() -> None:
    assert QWEN05.tie_word_embeddings
    assert QWEN05.embedding_params_b == 151936 * 896 / 1e9
    bf16 = precision(QWEN05, None)
    assert weights_read_bytes(QWEN05, bf16, 1) == weight_bytes(QWEN05, bf16)


def test_a_moe_active_count_already_excludes_the_lookup() -> None:
    assert matmul_params_b(GPT_OSS) == GPT_OSS.active_b


def test_the_config_reader_passes_the_tie_on() -> None:
    llama = json.loads((FIXTURES / "llama-3.1-8b" / "config.json").read_text(encoding="utf-8"))
    assert read_config(llama).fields["tie_word_embeddings"] is False
    # The key absent: the model type's config class default (LlamaConfig and MixtralConfig untie, Gemma2Config ties,
    # transformers 4.57.1), else PretrainedConfig's, tied.
    keyless = {k: v for k, v in llama.items() if k != "tie_word_embeddings"}
    assert read_config(keyless).fields["tie_word_embeddings"] is False
    assert read_config({**keyless, "model_type": "mixtral"}).fields["tie_word_embeddings"] is False
    assert read_config({**keyless, "model_type": "gemma2"}).fields["tie_word_embeddings"] is True
    assert read_config({**keyless, "model_type": "house_decoder"}).fields["tie_word_embeddings"] is True


def test_a_moe_shape_with_nothing_left_to_route_reads_everything() -> None:
    tiny = Shape(0.001, 1, 64, 4, 4, 16, 1024, active_params_b=0.0005, vocab_size=32000)
    bf16 = precision(tiny, None)
    assert weights_read_bytes(tiny, bf16, 4) == pytest.approx(weight_bytes(tiny, bf16) - 32000 * 64 * 2)
