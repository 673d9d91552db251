"""Engines registry: pinned images, argument builders (golden), endpoints and metric names."""

from __future__ import annotations

import json

import pytest

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.k8s.engines import ENGINES, STREAMING_LOADER, EngineArgs, engine
from inferstack.spec.models import ModelSpec
from tests.goldens import check_golden

CASES: dict[str, tuple[str, EngineArgs]] = {
    "vllm-s3-tp1": (
        "vllm",
        EngineArgs("s3://dev-models/models/chat/a09a", "chat", max_model_len=8192, stream_buffer_bytes=2 << 30),
    ),
    "vllm-gs-tp4-awq": (
        "vllm",
        EngineArgs(
            "gs://prod-models/models/large/495f",
            "qwen-72b",
            tensor_parallel=4,
            max_model_len=32768,
            gpu_memory_utilization=0.92,
            dtype="bfloat16",
            quantization="awq",
        ),
    ),
    "vllm-local-path": ("vllm", EngineArgs("/models/7ae5", "tiny")),
    # Two LoRA adapters served by name from the pod's adapter volume, with the slots the planner counted.
    "vllm-lora": (
        "vllm",
        EngineArgs(
            "s3://dev-models/models/chat/a09a",
            "chat",
            lora_modules=(("sql", "/adapters/sql"), ("support", "/adapters/support")),
            max_lora_rank=32,
            max_loras=2,
        ),
    ),
    "vllm-cpu-local": ("vllm-cpu", EngineArgs("/models/7ae5", "tiny", max_model_len=4096)),
}


def test_engine_arguments_match_golden() -> None:
    rendered = {}
    for case, (key, args) in CASES.items():
        eng = engine(key)
        rendered[case] = {
            "image": eng.image,
            "command": eng.command,
            "args": eng.build_args(args),
            "env": eng.build_env(args),
        }
    check_golden("engine_args.json", json.dumps(rendered, indent=2) + "\n", "tests/k8s/test_engines.py")


def test_registry_covers_the_spec_engines() -> None:
    assert set(ENGINES) == set(ModelSpec.model_fields["engine"].annotation.__args__)  # type: ignore[union-attr]


@pytest.mark.parametrize("key", sorted(ENGINES))
def test_images_are_pinned_catalog_tags(key: str) -> None:
    eng = engine(key)
    pinned = k8s_addons().images[eng.image_key]
    assert eng.image == f"{pinned.repository}:{pinned.tag}"
    assert not eng.image.endswith(":latest") and pinned.tag[0] in "v0123456789"


@pytest.mark.parametrize("key", sorted(ENGINES))
def test_endpoints_and_metrics(key: str) -> None:
    eng = engine(key)
    assert (eng.port, eng.health_path, eng.metrics_path) == (8000, "/health", "/metrics")
    assert eng.queue_metric == "vllm:num_requests_waiting"
    assert eng.kv_cache_metric == "vllm:kv_cache_usage_perc"


@pytest.mark.parametrize(
    ("path", "tp", "loader", "distributed"),
    [
        ("s3://b/m", 1, True, False),
        ("gs://b/m", 2, True, True),
        ("/models/x", 4, False, False),
    ],
)
def test_bucket_paths_stream_and_shard(path: str, tp: int, loader: bool, distributed: bool) -> None:
    args = engine("vllm").build_args(EngineArgs(path, "m", tensor_parallel=tp))
    assert (STREAMING_LOADER in args) is loader
    assert ("--model-loader-extra-config" in args) is distributed
    assert args[args.index("--tensor-parallel-size") + 1] == str(tp)


def test_cpu_engine_has_no_device_flags() -> None:
    args = engine("vllm-cpu").build_args(EngineArgs("/models/x", "m"))
    assert not {"--tensor-parallel-size", "--gpu-memory-utilization", "--load-format"} & set(args)
    assert engine("vllm-cpu").build_env(EngineArgs("/models/x", "m"))["HF_HUB_OFFLINE"] == "1"
