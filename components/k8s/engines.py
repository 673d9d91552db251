"""The serving engines: per engine its pinned image, how its arguments are built, its ports and metrics.

Both engines are vLLM's OpenAI-compatible server (one GPU build, one CPU build), so probes, metrics and the
autoscaling signal are the same; they differ in image, device arguments and environment. The CPU build is the
engine of the bring-your-own-cluster target: a laptop kind/minikube cluster has no GPU, and vLLM CPU keeps
the API, metric names and arguments identical to production (llama.cpp would need GGUF weights and other
metrics). Argument builders are pure: plain data in, a list of strings out, checked against golden files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from inferstack.catalog.k8s_addons import ImageKey, k8s_addons
from inferstack.target import SERVING_PORT, Architecture

# Weights are streamed straight from the bucket into (GPU) memory; vLLM accepts s3:// and gs:// model paths
# with this loader (vLLM docs, "Loading models with Run:ai Model Streamer").
STREAMING_LOADER = "runai_streamer"
BUCKET_SCHEMES = ("s3://", "gs://")
# vLLM reads the API key from this variable (same as --api-key) and guards only the /v1 routes with it,
# so /health and /metrics stay reachable for probes and Prometheus.
API_KEY_ENV = "VLLM_API_KEY"
SERVER_COMMAND = ("python3", "-m", "vllm.entrypoints.openai.api_server")
# KV cache the CPU engine reserves, in GiB: a tiny model on a laptop needs little.
CPU_KV_CACHE_GIB = 1


@dataclass(frozen=True)
class EngineArgs:
    """Everything an engine's command line depends on, as plain values."""

    model_path: str
    served_name: str
    tensor_parallel: int = 1
    max_model_len: int | None = None
    gpu_memory_utilization: float = 0.9
    dtype: str = "auto"
    quantization: str | None = None
    # --kv-cache-dtype ("auto" is the engine's default and is left off the command line).
    kv_cache_dtype: str = "auto"
    # --max-num-seqs; None: the engine's default.
    max_num_seqs: int | None = None
    # Bytes the streaming loader may buffer in host memory; None lets the engine choose.
    stream_buffer_bytes: int | None = None
    # The streaming loader's reader threads (object-store connections); None: its default (accelerated pools tune it).
    stream_concurrency: int | None = None
    # LoRA adapters as (name, local directory), sorted; empty: LoRA is off and no slots are allocated.
    lora_modules: tuple[tuple[str, str], ...] = ()
    # --max-lora-rank and --max-loras (planning/lora.py sizes the slots they preallocate).
    max_lora_rank: int = 16
    max_loras: int = 1


@dataclass(frozen=True)
class Engine:
    """One serving engine: image, argument builder, endpoints and the metrics autoscaling reads."""

    key: str
    image_key: ImageKey
    gpu: bool
    build_args: Callable[[EngineArgs], list[str]]
    build_env: Callable[[EngineArgs], dict[str, str]]
    port: int = SERVING_PORT
    health_path: str = "/health"
    metrics_path: str = "/metrics"
    queue_metric: str = "vllm:num_requests_waiting"
    # Renamed from vllm:gpu_cache_usage_perc (deprecated, vLLM PR #18354); the pinned image exports this one.
    kv_cache_metric: str = "vllm:kv_cache_usage_perc"
    # The image for arm64 nodes, where the engine publishes one apart; None: the image key's image runs only on amd64.
    arm64_image_key: ImageKey | None = None

    @property
    def image(self) -> str:
        """The pinned default image reference (x86-64)."""
        return k8s_addons().images[self.image_key].ref

    @property
    def compile_cache_dir(self) -> str | None:
        """Where under VLLM_CACHE_ROOT the engine keeps its torch.compile cache; None: it keeps none."""
        return k8s_addons().images[self.image_key].compile_cache_dir

    def image_for(self, architecture: Architecture) -> str:
        """The pinned image for nodes of an architecture (the x86-64 one when the engine has no other)."""
        key = self.arm64_image_key if architecture == "arm64" and self.arm64_image_key else self.image_key
        return k8s_addons().images[key].ref

    @property
    def command(self) -> list[str]:
        """The container command (explicit, so the image's entrypoint may change without surprise)."""
        return list(SERVER_COMMAND)


def _common_args(args: EngineArgs) -> list[str]:
    out = [
        "--model",
        args.model_path,
        "--served-model-name",
        args.served_name,
        "--host",
        "0.0.0.0",
        "--port",
        str(SERVING_PORT),
        "--dtype",
        args.dtype,
    ]
    if args.max_model_len is not None:
        out += ["--max-model-len", str(args.max_model_len)]
    if args.quantization is not None:
        out += ["--quantization", args.quantization]
    if args.max_num_seqs is not None:
        out += ["--max-num-seqs", str(args.max_num_seqs)]
    return out


def streams_from_bucket(model_path: str) -> bool:
    """Whether the model path is an object-store URI the streaming loader reads directly."""
    return model_path.startswith(BUCKET_SCHEMES)


def vllm_gpu_args(args: EngineArgs) -> list[str]:
    """Arguments of the GPU vLLM server."""
    out = _common_args(args)
    out += [
        "--tensor-parallel-size",
        str(args.tensor_parallel),
        "--gpu-memory-utilization",
        f"{args.gpu_memory_utilization:g}",
    ]
    if args.kv_cache_dtype != "auto":
        out += ["--kv-cache-dtype", args.kv_cache_dtype]
    out += lora_args(args)
    if streams_from_bucket(args.model_path):
        out += ["--load-format", STREAMING_LOADER]
        extra: dict[str, object] = {}
        if args.tensor_parallel > 1:
            # Each tensor-parallel rank streams only its own shard instead of every rank reading everything.
            extra["distributed"] = True
        if args.stream_concurrency is not None:
            extra["concurrency"] = args.stream_concurrency
        if extra:
            out += ["--model-loader-extra-config", json.dumps(extra, separators=(",", ":"))]
    return out


def lora_args(args: EngineArgs) -> list[str]:
    """LoRA flags: each adapter served under its own model name (`name=path`, vLLM's --lora-modules form)."""
    if not args.lora_modules:
        return []
    return [
        "--enable-lora",
        "--max-lora-rank",
        str(args.max_lora_rank),
        "--max-loras",
        str(args.max_loras),
        "--lora-modules",
        *(f"{name}={path}" for name, path in args.lora_modules),
    ]


def vllm_cpu_args(args: EngineArgs) -> list[str]:
    """Arguments of the CPU vLLM server (no device flags: one process, host memory)."""
    return _common_args(args)


def _base_env(args: EngineArgs) -> dict[str, str]:
    env = {"VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1"}
    if not streams_from_bucket(args.model_path):
        # Local weights: never reach for the hub at start-up.
        env["HF_HUB_OFFLINE"] = "1"
    return env


def vllm_gpu_env(args: EngineArgs) -> dict[str, str]:
    """Environment of the GPU vLLM server."""
    env = _base_env(args)
    if streams_from_bucket(args.model_path) and args.stream_buffer_bytes is not None:
        env["RUNAI_STREAMER_MEMORY_LIMIT"] = str(args.stream_buffer_bytes)
    return env


def vllm_cpu_env(args: EngineArgs) -> dict[str, str]:
    """Environment of the CPU vLLM server."""
    return {**_base_env(args), "VLLM_CPU_KVCACHE_SPACE": str(CPU_KV_CACHE_GIB)}


ENGINES: dict[str, Engine] = {
    "vllm": Engine("vllm", "vllm", gpu=True, build_args=vllm_gpu_args, build_env=vllm_gpu_env),
    "vllm-cpu": Engine(
        "vllm-cpu",
        "vllm-cpu",
        gpu=False,
        build_args=vllm_cpu_args,
        build_env=vllm_cpu_env,
        arm64_image_key="vllm-cpu-arm64",
    ),
}


def engine(key: str) -> Engine:
    """The engine registered under `key` (the spec's `engine` field)."""
    return ENGINES[key]
