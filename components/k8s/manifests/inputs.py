"""What one model's objects are built from, and the facts every object family derives from it.

`ServiceInputs` holds plain values only (the component resolves bucket URIs and identity annotations before
building), so every builder in this package is a pure function of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inferstack import catalog
from inferstack.k8s.engines import Engine, EngineArgs, engine
from inferstack.k8s.placement import PodShape, pod_shape, stream_buffer_bytes
from inferstack.planning.capacity import spec_engine_dtype
from inferstack.planning.fit import SURGE, Rollout
from inferstack.planning.lora import DEFAULT_MAX_RANK, lora_slots
from inferstack.planning.names import model_prefix, serving_namespace
from inferstack.planning.served_names import primary_name
from inferstack.spec.models import ColdStartSpec, ModelSpec, tensor_parallel_of
from inferstack.spec.monitoring_parts import SmokeTestSpec
from inferstack.target import Architecture, EgressRule, TargetPool

SOURCE = re.compile(r"^hf://(?P<repo>[^@]+)@(?P<revision>[0-9a-f]{40})$")
MODEL_DIR = "/models"
# Where a pod with a bucket keeps its LoRA adapters (manifests/adapters.py fills it).
ADAPTER_DIR = "/adapters"


@dataclass(frozen=True)
class ServiceInputs:
    """Everything one model's objects are built from, resolved to plain values."""

    key: str
    model: ModelSpec
    pool: TargetPool | None
    # The bucket URI (s3://… or gs://…) weights were staged to; None: a per-model cache volume filled from the hub.
    store_uri: str | None
    prometheus_url: str
    reader_annotations: Mapping[str, str] = field(default_factory=dict)
    internal_lb_annotations: Mapping[str, str] = field(default_factory=dict)
    egress: tuple[EgressRule, ...] = ()
    # How the Deployment rolls out: with a surge replica, or one replaced at a time on a full pool.
    rollout: Rollout = SURGE
    # The nodes' CPU architecture (CPU engines on an existing cluster): picks the image and the node selector.
    architecture: Architecture = "amd64"
    # The post-deploy smoke test; None: no smoke-test Job.
    smoke: SmokeTestSpec | None = None
    # The StorageClass the weight-cache claim names; None: the cluster's default.
    storage_class: str | None = None
    # The inference gateway's proxies as a NetworkPolicy peer (k8s/gateway); None: no gateway. With one, only the
    # proxies reach the engine from outside its namespace.
    gateway_peer: Mapping[str, Any] | None = None
    # The served names the gateway sends to the interceptor for this waking model (planning/gateway.py wake_routes).
    wake_names: tuple[str, ...] = ()

    @property
    def namespace(self) -> str:
        """The model's namespace."""
        return serving_namespace(self.key)

    @property
    def engine(self) -> Engine:
        """The model's engine."""
        return engine(self.model.engine)

    @property
    def shape(self) -> PodShape:
        """The engine container's shape on its pool."""
        return pod_shape(self.pool, tensor_parallel_of(self.model))


def engine_image(inputs: ServiceInputs) -> str:
    """The engine image: the spec's override, else the engine's pinned image for the nodes' architecture."""
    return inputs.model.image or inputs.engine.image_for(inputs.architecture)


def parse_source(source: str) -> tuple[str, str]:
    """(hub repository, 40-hex revision) of a spec `source`."""
    match = SOURCE.match(source)
    if match is None:
        raise ValueError(f"not a pinned hub source: {source!r}")
    return match.group("repo"), match.group("revision")


def model_path(inputs: ServiceInputs) -> str:
    """Where the engine reads weights: the staged revision in the bucket, or the cache volume."""
    _, revision = parse_source(inputs.model.source)
    if inputs.store_uri is not None:
        return f"{inputs.store_uri.rstrip('/')}/{model_prefix(inputs.key)}/{revision}"
    return f"{MODEL_DIR}/{revision}"


def adapter_path(inputs: ServiceInputs, adapter: str) -> str:
    """The local directory the engine loads an adapter from: the pod's adapter volume, or the cache volume."""
    if inputs.store_uri is not None:
        return f"{ADAPTER_DIR}/{adapter}"
    _, revision = parse_source(inputs.model.adapters[adapter])
    return f"{MODEL_DIR}/adapters/{adapter}/{revision}"


def labels(key: str) -> dict[str, str]:
    """The labels that select one model's engine pods."""
    return {"app.kubernetes.io/name": "llm-engine", "app.kubernetes.io/instance": key}


def engine_args(inputs: ServiceInputs) -> EngineArgs:
    """The engine's arguments for this model."""
    model = inputs.model
    # The slots vLLM preallocates are the ones the planner counted (planning/lora.py).
    slots = lora_slots(model)
    return EngineArgs(
        model_path=model_path(inputs),
        served_name=primary_name(inputs.key, model),
        tensor_parallel=tensor_parallel_of(model),
        max_model_len=model.max_model_len,
        gpu_memory_utilization=model.gpu_memory_utilization,
        dtype=spec_engine_dtype(model, inputs.pool.gpu if inputs.pool is not None else None),
        quantization=model.quantization,
        kv_cache_dtype=model.kv_cache_dtype,
        max_num_seqs=model.max_num_seqs,
        stream_buffer_bytes=stream_buffer_bytes(inputs.shape) if inputs.store_uri else None,
        stream_concurrency=_tuned_concurrency(inputs),
        lora_modules=lora_modules(inputs),
        max_lora_rank=slots.max_rank if slots else DEFAULT_MAX_RANK,
        max_loras=slots.max_loras if slots else 1,
    )


def lora_modules(inputs: ServiceInputs) -> tuple[tuple[str, str], ...]:
    """(name, local directory) of every adapter, sorted: the engine's --lora-modules."""
    return tuple((name, adapter_path(inputs, name)) for name in sorted(inputs.model.adapters))


def pool_cold_start(pool: TargetPool | None) -> ColdStartSpec | None:
    """The cold-start accelerators a target pool's nodes have, as the spec says them; None without a pool."""
    if pool is None:
        return None
    return ColdStartSpec(
        local_nvme=pool.local_nvme,
        image_streaming=pool.image_streaming,
        fast_image_pull=pool.fast_image_pull,
        compile_cache=pool.compile_cache,
    )


def _tuned_concurrency(inputs: ServiceInputs) -> int | None:
    """The streamer's concurrency on an accelerated pool reading the bucket (the rate `startup` assumes)."""
    cold = pool_cold_start(inputs.pool)
    if inputs.store_uri is None or cold is None or not cold.accelerated:
        return None
    return int(catalog.efficiency().startup.accelerated.streamer_concurrency.value)
