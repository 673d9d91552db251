"""The engine's pods: containers, probes, volumes, placement, and the Deployment that runs them."""

from __future__ import annotations

import math
from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.engines import API_KEY_ENV
from inferstack.k8s.manifests.adapters import adapter_init_containers, adapter_volumes, engine_adapter_mounts
from inferstack.k8s.manifests.compile_cache import compile_cache_enabled, fetch_container, publish_container
from inferstack.k8s.manifests.identity import (
    SECRET_KEYS,
    hub_token_env,
    hub_token_mount,
    hub_token_volume,
    secret_env,
    secret_name,
)
from inferstack.k8s.manifests.inputs import (
    MODEL_DIR,
    ServiceInputs,
    engine_args,
    engine_image,
    labels,
    model_path,
    parse_source,
    pool_cold_start,
)
from inferstack.k8s.placement import node_selector, tolerations, weights_upper_bound_gib
from inferstack.k8s.scripts import FILL_LOCAL_CACHE, file_patterns_env
from inferstack.planning.model_startup import model_startup, spec_model_startup
from inferstack.planning.names import serving_service_account
from inferstack.planning.startup import PROBE_PERIOD_SECONDS, StartupEstimate
from inferstack.spec.models import tensor_parallel_of
from inferstack.target import ARCH_LABEL

GIB_TO_GB = 2**30 / 1e9


def startup(inputs: ServiceInputs) -> StartupEstimate:
    """The replica's start-up (components/planning/startup.py), from the checkpoint it stores.

    The weights are the stored checkpoint's size when the model's shape is known; otherwise the most a replica can
    hold, so an unknown model is never killed while it is still loading.
    """
    store = "bucket" if inputs.store_uri is not None else "local"
    pool = inputs.pool
    cold = pool_cold_start(pool)
    cloud = pool.cloud if pool else None
    gpu = pool.gpu if pool else None
    known = spec_model_startup(inputs.model, store, cloud, cold=cold, gpu=gpu)
    if known is not None:
        return known
    bound_gb = weights_upper_bound_gib(inputs.pool, tensor_parallel_of(inputs.model), inputs.shape) * GIB_TO_GB
    # fp8 at load keeps half of what is read: a 16-bit checkpoint may be twice the memory it ends up in.
    gb = bound_gb * (2 if inputs.model.quantization == "fp8" else 1)
    return model_startup(gb, inputs.model, store, cloud, cold=cold, gpu=gpu)


def startup_budget(inputs: ServiceInputs) -> int:
    """The startupProbe budget in seconds (failureThreshold × periodSeconds)."""
    return startup(inputs).probe_budget_s


def probes(inputs: ServiceInputs) -> dict[str, Any]:
    """Startup (the loading budget), readiness, and a liveness probe that only runs once started."""
    eng = inputs.engine
    health = {"path": eng.health_path, "port": "http"}
    return {
        "startupProbe": {
            "httpGet": health,
            "periodSeconds": PROBE_PERIOD_SECONDS,
            "timeoutSeconds": 5,
            "failureThreshold": startup(inputs).failure_threshold,
        },
        "readinessProbe": {"httpGet": health, "periodSeconds": 5, "timeoutSeconds": 5, "failureThreshold": 3},
        # Kubernetes starts liveness checks only after the startupProbe succeeded: loading never trips it.
        "livenessProbe": {"httpGet": health, "periodSeconds": 15, "timeoutSeconds": 10, "failureThreshold": 4},
    }


def engine_container(inputs: ServiceInputs) -> dict[str, Any]:
    """The engine container."""
    eng, args = inputs.engine, engine_args(inputs)
    env = pods.scratch_env() + pods.engine_runtime_env() + pods.env_list(eng.build_env(args))
    if inputs.model.api_key_secret is not None:
        env.append(secret_env(inputs.key, API_KEY_ENV, SECRET_KEYS["api"]))
    mounts = [*pods.scratch_mounts(), {"name": "dshm", "mountPath": "/dev/shm"}, *engine_adapter_mounts(inputs)]
    if inputs.store_uri is None:
        mounts.append({"name": "models", "mountPath": MODEL_DIR, "readOnly": True})
    return {
        "name": "engine",
        "image": engine_image(inputs),
        "imagePullPolicy": "IfNotPresent",
        "command": eng.command,
        "args": eng.build_args(args),
        "env": env,
        "ports": [{"name": "http", "containerPort": eng.port, "protocol": "TCP"}],
        "resources": inputs.shape.resources(),
        "securityContext": pods.container_security_context(),
        "volumeMounts": mounts,
        **probes(inputs),
    }


def cache_filler_container(inputs: ServiceInputs) -> dict[str, Any]:
    """Init container (no bucket): download the pinned revision into the cache volume once."""
    repo, revision = parse_source(inputs.model.source)
    env = [
        *pods.scratch_env(),
        *pods.env_list(
            {
                "MODEL_REPO": repo,
                "MODEL_REVISION": revision,
                "MODEL_DIR": model_path(inputs),
                **file_patterns_env(inputs.model),
            }
        ),
    ]
    mounts = [*pods.scratch_mounts(), {"name": "models", "mountPath": MODEL_DIR}]
    if inputs.model.hub_token_secret is not None:
        env.append(hub_token_env())
        mounts.append(hub_token_mount())
    return {
        "name": "fill-model-cache",
        "image": engine_image(inputs),
        "imagePullPolicy": "IfNotPresent",
        "command": ["python3", "-c", FILL_LOCAL_CACHE],
        "env": env,
        "resources": {
            "requests": {"cpu": "500m", "memory": "1Gi"},
            "limits": {"cpu": "1", "memory": "2Gi"},
        },
        "securityContext": pods.container_security_context(),
        "volumeMounts": mounts,
    }


def cache_claim_name(key: str) -> str:
    """The PersistentVolumeClaim that caches a model's weights when there is no bucket."""
    return f"{key}-model-cache"


def cache_gib(inputs: ServiceInputs) -> int:
    """Size of the local weight cache: twice the most weights a replica can hold."""
    return math.ceil(2 * weights_upper_bound_gib(inputs.pool, tensor_parallel_of(inputs.model), inputs.shape))


def per_replica_cache(inputs: ServiceInputs) -> bool:
    """Whether each replica has a cache volume of its own: without a bucket, GPU replicas or several CPU ones.

    A ReadWriteOnce claim attaches to one node only, and replicas spread over nodes (topology_spread): one shared
    claim would leave every replica on another node stuck attaching it. Each fills its own from the hub instead; a
    single CPU replica keeps the shared claim, so a restart finds its weights.
    """
    return inputs.store_uri is None and (inputs.pool is not None or inputs.model.replicas.max > 1)


def _cache_claim_spec(inputs: ServiceInputs) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{cache_gib(inputs)}Gi"}},
    }
    if inputs.storage_class is not None:
        spec["storageClassName"] = inputs.storage_class
    return spec


def cache_claim_object(inputs: ServiceInputs) -> dict[str, Any]:
    """The weight cache volume claim (no bucket only), in the target's StorageClass when it names one."""
    spec = _cache_claim_spec(inputs)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": pods.metadata(cache_claim_name(inputs.key), inputs.namespace, labels(inputs.key)),
        "spec": spec,
    }


def pod_volumes(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """The pod's volumes: scratch, memory-backed /dev/shm, the weight cache without a bucket, and the adapters."""
    volumes = [
        *pods.scratch_volumes(cache_gib=8),
        {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": f"{inputs.shape.shm_mib}Mi"}},
    ]
    if inputs.store_uri is None:
        if per_replica_cache(inputs):
            # A generic ephemeral volume: a claim per pod, created and deleted with it.
            template = {"metadata": {"labels": labels(inputs.key)}, "spec": _cache_claim_spec(inputs)}
            volumes.append({"name": "models", "ephemeral": {"volumeClaimTemplate": template}})
        else:
            volumes.append({"name": "models", "persistentVolumeClaim": {"claimName": cache_claim_name(inputs.key)}})
        # The init container that fills the cache from the hub reads the token from this file (fill_container).
        if inputs.model.hub_token_secret is not None:
            volumes.append(hub_token_volume(secret_name(inputs.key), SECRET_KEYS["hub"]))
    return volumes + adapter_volumes(inputs)


def topology_spread(key: str) -> list[dict[str, Any]]:
    """Spread replicas over zones and nodes; best effort, so a single-zone pool still schedules."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": topology,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": labels(key)},
        }
        for topology in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
    ]


def deployment_name(key: str) -> str:
    """The engine Deployment's name."""
    return f"{key}-engine"


def deployment_object(inputs: ServiceInputs) -> dict[str, Any]:
    """The engine Deployment; replicas are left to the KEDA ScaledObject that owns the count."""
    key = inputs.key
    pod_spec: dict[str, Any] = {
        "serviceAccountName": serving_service_account(key),
        "automountServiceAccountToken": False,
        "securityContext": pods.pod_security_context(),
        "containers": [engine_container(inputs)],
        "volumes": pod_volumes(inputs),
        "topologySpreadConstraints": topology_spread(key),
        # Lets in-flight requests finish when a replica is scaled in or drained.
        "terminationGracePeriodSeconds": 60,
        "enableServiceLinks": False,
    }
    # Adapters are in place before the engine starts: it loads every --lora-modules directory at start-up.
    init = adapter_init_containers(inputs)
    if inputs.store_uri is None:
        init = [cache_filler_container(inputs), *init]
    elif compile_cache_enabled(inputs):
        # The fetcher runs to completion first; the publisher is a native sidecar beside the engine.
        init = [*init, fetch_container(inputs), publish_container(inputs)]
    if init:
        pod_spec["initContainers"] = init
    if inputs.pool is not None:
        pod_spec["nodeSelector"] = node_selector(inputs.pool)
        pod_spec["tolerations"] = tolerations(inputs.pool)
    else:
        # An image built for one architecture on a node of the other fails with "exec format error": stay Pending.
        pod_spec["nodeSelector"] = {ARCH_LABEL: inputs.architecture}
    template: dict[str, Any] = {"metadata": {"labels": labels(key)}, "spec": pod_spec}
    if inputs.pool is not None and inputs.pool.loading_guard_annotation:
        # No voluntary disruption (Karpenter's drift or consolidation) while the replica loads its weights: for its
        # startupProbe budget after it starts; once serving, drift may replace its node gracefully.
        template["metadata"]["annotations"] = {inputs.pool.loading_guard_annotation: f"{startup_budget(inputs)}s"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": pods.metadata(deployment_name(key), inputs.namespace, labels(key)),
        "spec": {
            "selector": {"matchLabels": labels(key)},
            "strategy": inputs.rollout.strategy(),
            "revisionHistoryLimit": 3,
            "template": template,
        },
    }
