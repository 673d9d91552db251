"""A model's LoRA adapters in its pods: where the engine reads each one, and the init containers that put it there.

vLLM's `--lora-modules name=path` reads a local directory (the Run:ai streamer serves the base weights only). With a
bucket, `fetch-adapters` copies every staged adapter (`k8s/staging.py`, one Job per adapter revision under the
model's prefix, which the model's reader identity already covers) into a pod-local volume; without one, each adapter
is downloaded once into the model's cache volume at its pinned revision, like the weights.
"""

from __future__ import annotations

import json
import math
from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.identity import hub_token_env, hub_token_mount
from inferstack.k8s.manifests.inputs import (
    ADAPTER_DIR,
    MODEL_DIR,
    ServiceInputs,
    adapter_path,
    engine_image,
    parse_source,
)
from inferstack.k8s.scripts import ALLOW_ENV, DENY_ENV, FETCH_ADAPTERS, FILL_LOCAL_CACHE
from inferstack.planning.capacity import spec_model_shape
from inferstack.planning.lora import DEFAULT_MAX_RANK, LORA_DTYPE_BYTES, slot_elements
from inferstack.planning.names import adapter_prefix

ADAPTER_VOLUME = "adapters"
# Room per adapter when the model's shape is unknown (a rank-64 adapter of a 70B model is under 2 GB).
UNKNOWN_ADAPTER_GIB = 10
_RESOURCES = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}


def uses_adapter_volume(inputs: ServiceInputs) -> bool:
    """Whether the pod has a volume of its own for adapters (a bucket holds them; else the cache volume does)."""
    return bool(inputs.model.adapters) and inputs.store_uri is not None


def adapter_volume_gib(inputs: ServiceInputs) -> int:
    """Room for every adapter file: one at the largest rank the engine accepts covers all of a model's modules."""
    found = spec_model_shape(inputs.model)
    lora = inputs.model.lora
    rank = lora.max_rank if lora is not None else DEFAULT_MAX_RANK
    each = slot_elements(found[1], 1, rank) * LORA_DTYPE_BYTES / 2**30 if found else UNKNOWN_ADAPTER_GIB
    return max(1, math.ceil(len(inputs.model.adapters) * each * 1.2))


def adapter_volumes(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """The adapter volume (bucket only): node-local scratch, refilled from the bucket when a pod starts."""
    if not uses_adapter_volume(inputs):
        return []
    return [{"name": ADAPTER_VOLUME, "emptyDir": {"sizeLimit": f"{adapter_volume_gib(inputs)}Gi"}}]


def engine_adapter_mounts(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """The engine reads adapters, never writes them."""
    if not uses_adapter_volume(inputs):
        return []
    return [{"name": ADAPTER_VOLUME, "mountPath": ADAPTER_DIR, "readOnly": True}]


def adapter_uri(inputs: ServiceInputs, adapter: str) -> str:
    """Where the staging Job put an adapter revision (`staging.adapter_destination`)."""
    assert inputs.store_uri is not None
    _, revision = parse_source(inputs.model.adapters[adapter])
    return f"{inputs.store_uri.rstrip('/')}/{adapter_prefix(inputs.key, adapter)}/{revision}"


def adapter_init_containers(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """Init containers that put the adapters where the engine reads them; none without adapters."""
    model = inputs.model
    if not model.adapters:
        return []
    if inputs.store_uri is not None:
        uris = {name: adapter_uri(inputs, name) for name in sorted(model.adapters)}
        env = {"ADAPTER_DIR": ADAPTER_DIR, "ADAPTERS": json.dumps(uris, separators=(",", ":"))}
        return [
            {
                "name": "fetch-adapters",
                "image": engine_image(inputs),
                "imagePullPolicy": "IfNotPresent",
                "command": ["python3", "-c", FETCH_ADAPTERS],
                "env": [*pods.scratch_env(), *pods.env_list(env)],
                "resources": _RESOURCES,
                "securityContext": pods.container_security_context(),
                "volumeMounts": [*pods.scratch_mounts(), {"name": ADAPTER_VOLUME, "mountPath": ADAPTER_DIR}],
            }
        ]
    return [_fill_container(inputs, name) for name in sorted(model.adapters)]


def _fill_container(inputs: ServiceInputs, adapter: str) -> dict[str, Any]:
    """No bucket: download one adapter revision into the cache volume once (its marker skips later starts)."""
    repo, revision = parse_source(inputs.model.adapters[adapter])
    values = {
        "MODEL_REPO": repo,
        "MODEL_REVISION": revision,
        "MODEL_DIR": adapter_path(inputs, adapter),
        ALLOW_ENV: "[]",
        DENY_ENV: "[]",
    }
    env = [*pods.scratch_env(), *pods.env_list(values)]
    mounts = [*pods.scratch_mounts(), {"name": "models", "mountPath": MODEL_DIR}]
    if inputs.model.hub_token_secret is not None:
        env.append(hub_token_env())
        mounts.append(hub_token_mount())
    return {
        "name": f"fill-adapter-{adapter}",
        "image": engine_image(inputs),
        "imagePullPolicy": "IfNotPresent",
        "command": ["python3", "-c", FILL_LOCAL_CACHE],
        "env": env,
        "resources": _RESOURCES,
        "securityContext": pods.container_security_context(),
        "volumeMounts": mounts,
    }
