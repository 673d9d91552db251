"""The engine's torch.compile cache, persisted in the model bucket per model revision and engine image.

vLLM keeps its compiled graphs (and Inductor's and Triton's kernels) under `$VLLM_CACHE_ROOT/<compile_cache_dir>`,
one sub-directory per hash of the config, the traced code and the compiler (catalog `k8s_addons.yaml`, images.vllm).
An init container copies the published cache from `compile-cache/<model>/<revision>/<image version>/` into the pod's
cache volume before the engine starts; a native sidecar waits for the engine to answer its health endpoint
(compilation is done by then), publishes the directory once if nothing is published yet, and then sleeps. The first
replica of a revision compiles; every later one loads. The serving identity may add objects under its model's
compile-cache prefix only (aws/plan/policy_documents.py, gcp/plan/identity.py).
"""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.inputs import ServiceInputs, engine_image, parse_source
from inferstack.k8s.scripts import FETCH_COMPILE_CACHE, PUBLISH_COMPILE_CACHE
from inferstack.planning.names import compile_cache_prefix

# The fetcher and the publisher only move files between the bucket and the cache volume.
_RESOURCES = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}


def image_version(image: str) -> str:
    """The part of an image reference that changes with the engine build: its tag, or its digest."""
    name, at, digest = image.partition("@")
    if at:
        return digest.replace(":", "-")[:23]
    return name.rsplit("/", 1)[-1].partition(":")[2] or "untagged"


def compile_cache_enabled(inputs: ServiceInputs) -> bool:
    """Whether this model persists its compile cache: its pool asks, it reads a bucket, its engine keeps one."""
    pool = inputs.pool
    return (
        pool is not None
        and pool.compile_cache
        and inputs.store_uri is not None
        and inputs.engine.compile_cache_dir is not None
    )


def cache_uri(inputs: ServiceInputs) -> str:
    """Where this model revision's cache lives for this engine image."""
    assert inputs.store_uri is not None
    _, revision = parse_source(inputs.model.source)
    version = image_version(engine_image(inputs))
    return f"{inputs.store_uri.rstrip('/')}/{compile_cache_prefix(inputs.key)}/{revision}/{version}"


def cache_dir(inputs: ServiceInputs) -> str:
    """The engine's compile-cache directory inside the pod's cache volume."""
    return f"{pods.VLLM_CACHE_ROOT}/{inputs.engine.compile_cache_dir}"


def _container(inputs: ServiceInputs, name: str, script: str, extra_env: dict[str, str]) -> dict[str, Any]:
    env = {"CACHE_URI": cache_uri(inputs), "CACHE_DIR": cache_dir(inputs), **extra_env}
    return {
        "name": name,
        "image": engine_image(inputs),
        "imagePullPolicy": "IfNotPresent",
        "command": ["python3", "-c", script],
        "env": [*pods.scratch_env(), *pods.env_list(env)],
        "resources": _RESOURCES,
        "securityContext": pods.container_security_context(),
        "volumeMounts": pods.scratch_mounts(),
    }


def fetch_container(inputs: ServiceInputs) -> dict[str, Any]:
    """Init container: load the published compile cache into the cache volume (nothing published: a no-op)."""
    return _container(inputs, "fetch-compile-cache", FETCH_COMPILE_CACHE, {})


def publish_container(inputs: ServiceInputs) -> dict[str, Any]:
    """Native sidecar: once the engine is ready, publish its compile cache if none is published yet; then idle.

    `restartPolicy: Always` on an init container makes it a sidecar (Kubernetes docs, "Sidecar Containers": beta and
    on by default since 1.29, stable in 1.33; every cluster minor in the catalog is newer): it starts before the engine,
    runs beside it, does not hold the pod's readiness or its termination, and is not a serving container to probe.
    """
    health = f"http://127.0.0.1:{inputs.engine.port}{inputs.engine.health_path}"
    container = _container(inputs, "publish-compile-cache", PUBLISH_COMPILE_CACHE, {"ENGINE_HEALTH_URL": health})
    return {**container, "restartPolicy": "Always"}
