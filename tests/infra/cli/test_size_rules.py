"""`inferstack size` refuses what vLLM would refuse (context, dtype, quantization) with exit 2 and the fix."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from inferstack import catalog
from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--model", "qwen2.5-7b", "--context", "1000000"],
            "--context: 1000000 tokens is above the 32768-token context of Qwen2.5 7B (max_position_embeddings of "
            "its config.json): vLLM refuses to start — use at most 32768; even yarn rope scaling (factor 4) stops "
            "at 131072",
        ),
        (
            ["--model", "llama-3.1-70b", "--gpu", "nvidia-h100-sxm", "--tp", "8", "--context", "200000"],
            "--context: 200000 tokens is above the 131072-token context of Llama 3.1 70B (max_position_embeddings of "
            "its config.json): vLLM refuses to start — use at most 131072",
        ),
        (
            ["--model", "qwen2.5-7b", "--gpu", "nvidia-t4", "--dtype", "bfloat16"],
            "--dtype: bfloat16 needs compute capability ≥ 8.0 (Ampere or newer); nvidia-t4 is Turing 7.5 and "
            "supports float16 only: vLLM refuses to start — use --dtype float16 (or auto, which runs float16 here), "
            "or an Ampere or newer --gpu",
        ),
        (
            ["--model", "qwen2.5-7b", "--dtype", "awq"],
            "--dtype: awq loads only an AWQ checkpoint and qwen2.5-7b is unquantized — use --model "
            "Qwen/Qwen2.5-7B-Instruct-AWQ (a published awq checkpoint), or --dtype fp8 (quantizes at load)",
        ),
        (
            ["--model", "Qwen/Qwen2.5-7B-Instruct-AWQ", "--dtype", "gptq"],
            "--dtype: Qwen/Qwen2.5-7B-Instruct-AWQ is an AWQ checkpoint: vLLM loads it with awq and refuses gptq — "
            "use --dtype awq (or auto), or a --model that is a GPTQ checkpoint",
        ),
        (
            ["--model", "qwen2.5-0.5b", "--gpu", "nvidia-t4", "--dtype", "fp8"],
            "--dtype: fp8 needs compute capability ≥ 8.0 (native from 8.9, Ada or Hopper; weight-only on Ampere); "
            "nvidia-t4 is Turing 7.5: vLLM refuses the method — use --dtype awq or gptq with a quantized --model, or "
            "an Ampere or newer --gpu",
        ),
        (
            ["--model", "qwen2.5-7b", "--gpu", "nvidia-a100-80gb", "--kv-cache-dtype", "fp8"],
            "--kv-cache-dtype: an fp8 KV cache needs compute capability ≥ 8.9 (Ada, Hopper or newer); "
            "nvidia-a100-80gb is Ampere 8: vLLM's attention backends there have no fp8 KV path — use "
            "--kv-cache-dtype auto, or an Ada or newer --gpu",
        ),
        (
            ["--model", "qwen2.5-7b", "--kv-cache-dtype", "int8"],
            "--kv-cache-dtype: unknown 'int8' — use auto, fp8, fp8_e4m3 or fp8_e5m2",
        ),
    ],
)
def test_size_refuses_what_vllm_refuses(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["size", *args])
    assert result.exit_code == EXIT_INVALID
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert " ".join(result.output.split()) == message


def test_size_reports_an_unknown_context_limit_and_still_sizes() -> None:
    assert catalog.model_shapes()["mistral-small-24b"].context_limit is None
    result = runner.invoke(app, ["size", "--model", "mistral-small-24b", "--context", "200000", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["max_context"] is None
    text = runner.invoke(app, ["size", "--model", "mistral-small-24b"]).output
    assert "max context: unknown" in " ".join(text.split())


def test_fp8_at_load_stores_bf16_and_holds_fp8() -> None:
    args = ["size", "--model", "llama-3.1-405b", "--gpu", "nvidia-h100-sxm", "--tp", "8", "--dtype", "fp8", "--json"]
    data = json.loads(runner.invoke(app, args).output)
    # GPU memory holds ~405 GB of fp8 weights plus one more byte for each of the 2 × 128256 × 16384 embedding and
    # lm_head parameters (vLLM keeps them at bf16); the bucket stores and the replica reads ~812 GB of bf16.
    embedding = 2 * 128256 * 16384
    assert data["memory"]["weights_gib"] == pytest.approx((405.9e9 + embedding) / 2**30, rel=1e-3)
    assert data["startup"]["stored_weights_gb"] == pytest.approx(811.8, abs=0.1)
    assert data["startup"]["startup_probe_s"] >= data["startup"]["weight_load_s"] + data["startup"]["warmup_s"]


@pytest.mark.parametrize(
    ("source", "quantization", "gb"),
    [
        ("Qwen/Qwen2.5-7B-Instruct", "fp8", 15.2),  # fp8 at load: the bucket still holds the bf16 checkpoint
        ("Qwen/Qwen2.5-7B-Instruct", None, 15.2),
        ("Qwen/Qwen2.5-7B-Instruct-AWQ", None, 5.6),  # 4-bit linear layers, 16-bit embedding and lm_head
    ],
)
def test_the_bucket_holds_the_stored_checkpoint(source: str, quantization: str | None, gb: float) -> None:
    from inferstack.infra.review.cost import bucket_size_gb
    from inferstack.validation import parse_environment

    model = {"source": f"hf://{source}@" + "d" * 40, "pool": "l4", "quantization": quantization}
    spec = parse_environment(
        {
            "cloud": "aws",
            "region": "us-east-1",
            "zones": ["use1-az1", "use1-az2"],
            "node_pools": {"l4": {"gpu": "nvidia-l4", "max": 1}},
            "models": {"m": model},
        },
        "t",
    )
    assert bucket_size_gb(spec) == gb


def test_an_fp8_kv_cache_doubles_the_sequences_and_max_num_seqs_caps_the_running_set() -> None:
    base = ["size", "--model", "llama-3.1-8b", "--gpu", "nvidia-l4", "--input", "2000", "--output", "200", "--json"]
    auto = json.loads(runner.invoke(app, base).output)
    fp8 = json.loads(runner.invoke(app, [*base, "--kv-cache-dtype", "fp8"]).output)
    ratio = fp8["memory"]["max_sequences"] / auto["memory"]["max_sequences"]
    assert 1.9 <= ratio <= 2.1
    assert fp8["capacity"]["output_tokens_per_s"] > auto["capacity"]["output_tokens_per_s"]
    capped = json.loads(runner.invoke(app, [*base, "--concurrency", "40", "--max-num-seqs", "8"]).output)
    assert capped["at_concurrency"]["running"] == 8 and capped["at_concurrency"]["queue_s"] > 0
    assert capped["capacity"]["concurrency"] <= 8
