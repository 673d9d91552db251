"""Context above the model's limit and precision the GPU or checkpoint cannot run are refused, with the fix."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.k8s.engines import EngineArgs, vllm_gpu_args
from inferstack.planning.capacity import spec_engine_dtype
from inferstack.spec import SpecError
from inferstack.spec.models import ModelSpec
from inferstack.validation import parse_environment

QWEN7 = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"
QWEN7_AWQ = "hf://Qwen/Qwen2.5-7B-Instruct-AWQ@" + "b" * 40
MISTRAL = "hf://mistralai/Mistral-7B-Instruct-v0.3@" + "c" * 40
QWEN05 = "hf://Qwen/Qwen2.5-0.5B-Instruct@7ae557604adf67be50417f59c2c2f167def9a775"
UNLISTED = "hf://acme/house-model@" + "a" * 40


def env(model: dict[str, Any], gpu: str = "nvidia-l4", gpus: int | None = None) -> dict[str, Any]:
    # The catalog's AWS types carry H100 and A100 eight to a node.
    gpus = gpus or (8 if gpu in ("nvidia-h100-sxm", "nvidia-a100-80gb") else 1)
    return {
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az2"],
        "node_pools": {"gpu": {"gpu": gpu, "gpus_per_node": gpus, "max": 1}},
        "models": {"m": {"pool": "gpu", "source": QWEN7, **model}},
    }


def issues(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SpecError) as caught:
        parse_environment(document, "t")
    return {issue.path: f"{issue.message} — {issue.fix}" for issue in caught.value.issues}


CONTEXT_ABOVE = (
    "1000000 tokens is above the 32768-token context of Qwen2.5 7B (max_position_embeddings of its config.json): "
    "vLLM refuses to start — use at most 32768; even yarn rope scaling (factor 4) stops at 131072"
)
CONTEXT_ROPE = (
    "100000 tokens is above the 32768-token context of Qwen2.5 7B (max_position_embeddings of its config.json): "
    "vLLM refuses to start — use at most 32768; yarn rope scaling (factor 4) would allow up to 131072, but a stack "
    "cannot enable it yet (the spec has no field for vLLM's --hf-overrides rope_scaling)"
)


def test_a_million_tokens_on_qwen_7b_is_refused_without_memory_advice() -> None:
    found = issues(env({"max_model_len": 1_000_000}, gpus=4))
    assert found == {"environment.models.m.max_model_len": CONTEXT_ABOVE}


def test_context_that_rope_scaling_would_allow_says_so() -> None:
    found = issues(env({"max_model_len": 100_000}, gpu="nvidia-h100-sxm"))
    assert found == {"environment.models.m.max_model_len": CONTEXT_ROPE}


@pytest.mark.parametrize(
    "model",
    [
        {"max_model_len": 32768},
        {
            "source": UNLISTED,
            "max_model_len": 200_000,
            "shape": {
                "params_b": 1,
                "layers": 2,
                "hidden_size": 128,
                "attention_heads": 2,
                "kv_heads": 2,
                "vocab_size": 10,
                "context": 4096,
            },
        },
        {"source": MISTRAL, "max_model_len": 32768},
    ],
)
def test_context_at_the_limit_or_unknown_is_accepted(model: dict[str, Any]) -> None:
    parse_environment(env(model, gpu="nvidia-h100-sxm"), "t")


BF16_T4 = (
    "bfloat16 needs compute capability ≥ 8.0 (Ampere or newer); nvidia-t4 is Turing 7.5 and supports float16 only: "
    "vLLM refuses to start — use dtype: float16 (or auto, which runs float16 here), or a pool with an Ampere or "
    "newer GPU"
)
FP8_T4 = (
    "fp8 needs compute capability ≥ 8.0 (native from 8.9, Ada or Hopper; weight-only on Ampere); nvidia-t4 is Turing "
    "7.5: vLLM refuses the method — use quantization: awq or gptq with a quantized checkpoint, or a pool with an "
    "Ampere or newer GPU"
)
AWQ_UNQUANTIZED = (
    "awq loads only an AWQ checkpoint and Qwen/Qwen2.5-7B-Instruct is unquantized — use source: "
    "hf://Qwen/Qwen2.5-7B-Instruct-AWQ@<revision> (a published awq checkpoint), or quantization: fp8 (quantizes at "
    "load)"
)
GPTQ_NONE = (
    "gptq loads only a GPTQ checkpoint and mistralai/Mistral-7B-Instruct-v0.3 is unquantized — use a "
    "GPTQ checkpoint (the catalog records none of this model), or quantization: fp8 (quantizes at load)"
)
FP4_UNQUANTIZED = (
    "modelopt_fp4 loads only an NVFP4 (ModelOpt) checkpoint and Qwen/Qwen2.5-7B-Instruct is unquantized — use an "
    "NVFP4 (ModelOpt) checkpoint (the catalog records none of this model), or quantization: fp8 (quantizes at load)"
)
AWQ_AS_FP8 = (
    "Qwen/Qwen2.5-7B-Instruct-AWQ is an AWQ checkpoint: vLLM loads it with awq and refuses fp8 — use quantization: awq "
    "(or leave it out), or a source that is an FP8 checkpoint"
)


@pytest.mark.parametrize(
    ("model", "gpu", "path", "message"),
    [
        ({"dtype": "bfloat16", "source": QWEN05}, "nvidia-t4", "dtype", BF16_T4),
        ({"quantization": "fp8", "source": QWEN05}, "nvidia-t4", "quantization", FP8_T4),
        ({"quantization": "awq"}, "nvidia-l4", "quantization", AWQ_UNQUANTIZED),
        ({"quantization": "gptq", "source": MISTRAL}, "nvidia-l4", "quantization", GPTQ_NONE),
        ({"quantization": "fp8", "source": QWEN7_AWQ}, "nvidia-l4", "quantization", AWQ_AS_FP8),
        ({"quantization": "modelopt_fp4"}, "nvidia-l4", "quantization", FP4_UNQUANTIZED),
    ],
)
def test_precision_mismatches_are_refused(model: dict[str, Any], gpu: str, path: str, message: str) -> None:
    assert issues(env(model, gpu=gpu)) == {f"environment.models.m.{path}": message}


@pytest.mark.parametrize(
    ("model", "gpu"),
    [
        ({"dtype": "float16", "source": QWEN05}, "nvidia-t4"),
        ({"quantization": "awq", "source": QWEN7_AWQ}, "nvidia-t4"),
        ({"source": QWEN7_AWQ}, "nvidia-l4"),
        ({"quantization": "fp8"}, "nvidia-a10g"),  # weight-only fp8 through vLLM's Marlin kernels
        ({"dtype": "bfloat16", "quantization": "fp8"}, "nvidia-l4"),
        ({"quantization": "awq", "source": UNLISTED}, "nvidia-l4"),  # unknown checkpoint: not refused
        ({"quantization": "modelopt_fp4", "source": UNLISTED}, "nvidia-l4"),  # FP4 Marlin from compute 7.5
    ],
)
def test_precision_the_hardware_and_checkpoint_run_is_accepted(model: dict[str, Any], gpu: str) -> None:
    parse_environment(env(model, gpu=gpu), "t")


@pytest.mark.parametrize(
    ("gpu", "dtype", "rendered"),
    [
        ("nvidia-t4", "auto", "float16"),
        ("nvidia-l4", "auto", "auto"),
        ("nvidia-t4", "float16", "float16"),
        (None, "auto", "auto"),
    ],
)
def test_the_engine_is_given_the_dtype_validation_assumed(gpu: str | None, dtype: str, rendered: str) -> None:
    model = ModelSpec.model_validate({"source": QWEN7, "dtype": dtype})
    resolved = spec_engine_dtype(model, gpu)
    assert resolved == rendered
    args = vllm_gpu_args(EngineArgs(model_path="/models/x", served_name="m", dtype=resolved))
    assert args[args.index("--dtype") + 1] == rendered


@pytest.mark.parametrize(
    ("gpu", "refused"), [("nvidia-a100-80gb", True), ("nvidia-l4", False), ("nvidia-h100-sxm", False)]
)
def test_an_fp8_kv_cache_needs_a_gpu_whose_attention_kernels_store_it(gpu: str, refused: bool) -> None:
    document = env({"kv_cache_dtype": "fp8", "max_model_len": 4096}, gpu)
    if refused:
        assert issues(document)["environment.models.m.kv_cache_dtype"] == (
            "an fp8 KV cache needs compute capability ≥ 8.9 (Ada, Hopper or newer); nvidia-a100-80gb is Ampere 8: "
            "vLLM's attention backends there have no fp8 KV path — use kv_cache_dtype: auto, or a pool with an Ada "
            "or newer GPU"
        )
    else:
        spec = parse_environment(document, "t")
        assert spec.models["m"].kv_cache_dtype == "fp8"


def test_kv_cache_dtype_and_max_num_seqs_reach_the_engine_command_line() -> None:
    args = vllm_gpu_args(EngineArgs(model_path="/m", served_name="m", kv_cache_dtype="fp8", max_num_seqs=64))
    assert args[args.index("--kv-cache-dtype") + 1] == "fp8"
    assert args[args.index("--max-num-seqs") + 1] == "64"
    # The defaults stay off the command line: the engine's own defaults apply.
    plain = vllm_gpu_args(EngineArgs(model_path="/m", served_name="m"))
    assert "--kv-cache-dtype" not in plain and "--max-num-seqs" not in plain


LLAMA70_FP4 = "hf://nvidia/Llama-3.3-70B-Instruct-FP4@" + "d" * 40


def test_an_nvfp4_checkpoint_validates_on_blackwell_and_refuses_another_method() -> None:
    # p6-b200.48xlarge carries eight B200s; the 70B NVFP4 checkpoint (~43 GB) fits one of them.
    fp4 = {"source": LLAMA70_FP4, "max_model_len": 8192}

    def b200(model: dict[str, Any]) -> dict[str, Any]:
        document = env(model, gpu="nvidia-b200", gpus=8)
        document["zones"] = ["use1-az1", "use1-az6"]
        document["node_pools"]["gpu"]["zones"] = ["use1-az6"]  # the catalog's only us-east-1 zone with p6-b200
        return document

    parse_environment(b200({**fp4, "quantization": "modelopt_fp4"}), "t")
    parse_environment(b200(fp4), "t")  # its own method, read from the config
    assert issues(b200({**fp4, "quantization": "fp8"})) == {
        "environment.models.m.quantization": "nvidia/Llama-3.3-70B-Instruct-FP4 is an NVFP4 (ModelOpt) checkpoint: "
        "vLLM loads it with modelopt_fp4 and refuses fp8 — use quantization: modelopt_fp4 (or leave it out), or a "
        "source that is an FP8 checkpoint"
    }
