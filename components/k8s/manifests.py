"""The Kubernetes objects of one served model, as plain dicts built by pure functions.

`inference_objects` returns every object of an InferenceService except its Secret (whose values are Pulumi
secrets, see `secret_object`); the component turns each dict into a typed pulumi_kubernetes resource, so what
the engine registers and what `inferstack plan --out` renders are the same data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.engines import API_KEY_ENV, HUB_TOKEN_ENV, Engine, EngineArgs, engine
from inferstack.k8s.placement import (
    PodShape,
    node_selector,
    pod_shape,
    stream_buffer_bytes,
    tolerations,
    weights_upper_bound_gib,
)
from inferstack.k8s.scripts import FILL_LOCAL_CACHE
from inferstack.planning.capacity import spec_model_shape, weights_gb
from inferstack.planning.names import model_prefix, serving_namespace, serving_service_account
from inferstack.planning.sizing import precision
from inferstack.planning.startup import startup_budget_seconds, startup_failure_threshold
from inferstack.spec.models import ModelSpec, tensor_parallel_of
from inferstack.target import EgressRule, TargetPool

SOURCE = re.compile(r"^hf://(?P<repo>[^@]+)@(?P<revision>[0-9a-f]{40})$")
MONITORING_NAMESPACE = "monitoring"
CLIENT_LABEL = "inferstack.dev/llm-client"
SECRET_KEYS = {"api": "api-key", "hub": "hub-token"}
MODEL_DIR = "/models"
SERVICE_PORT = 80


@dataclass(frozen=True)
class ServiceInputs:
    """Everything one model's objects are built from, resolved to plain values."""

    key: str
    model: ModelSpec
    pool: TargetPool | None
    # The bucket URI (s3://… or gs://…) weights were staged to; None: a per-model cache volume filled from the hub.
    store_uri: str | None
    prometheus_url: str
    read_gib_per_second: float
    reader_annotations: Mapping[str, str] = field(default_factory=dict)
    internal_lb_annotations: Mapping[str, str] = field(default_factory=dict)
    egress: tuple[EgressRule, ...] = ()

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


def labels(key: str) -> dict[str, str]:
    """The labels that select one model's engine pods."""
    return {"app.kubernetes.io/name": "llm-engine", "app.kubernetes.io/instance": key}


def engine_args(inputs: ServiceInputs) -> EngineArgs:
    """The engine's arguments for this model."""
    model = inputs.model
    return EngineArgs(
        model_path=model_path(inputs),
        served_name=model.served_name or inputs.key,
        tensor_parallel=tensor_parallel_of(model),
        max_model_len=model.max_model_len,
        gpu_memory_utilization=model.gpu_memory_utilization,
        dtype=model.dtype,
        quantization=model.quantization,
        stream_buffer_bytes=stream_buffer_bytes(inputs.shape) if inputs.store_uri else None,
    )


def has_secret(model: ModelSpec, store_uri: str | None) -> bool:
    """Whether the model's namespace holds a Secret: an API key, or a hub token the cache filler needs."""
    return model.api_key_secret is not None or (store_uri is None and model.hub_token_secret is not None)


def secret_name(key: str) -> str:
    """The name of the model's Secret."""
    return f"{key}-credentials"


def secret_object(key: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The model's Secret; `values` (key in SECRET_KEYS → value) are passed through untouched (Pulumi secrets)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": pods.metadata(secret_name(key), serving_namespace(key), labels(key)),
        "type": "Opaque",
        "stringData": dict(values),
    }


GB_TO_GIB = 1e9 / 2**30


def startup_budget(inputs: ServiceInputs) -> int:
    """The startupProbe budget in seconds (see components/planning/startup.py).

    The weights are the model's real size when its shape is known (the sizing model); otherwise the most a
    replica can hold, so an unknown model is never killed while it is still loading.
    """
    known = spec_model_shape(inputs.model)
    if known is not None:
        shape = known[1]
        weights_gib = weights_gb(shape, precision(shape, inputs.model.quantization)) * GB_TO_GIB
    else:
        weights_gib = weights_upper_bound_gib(inputs.pool, tensor_parallel_of(inputs.model), inputs.shape)
    return startup_budget_seconds(weights_gib, inputs.read_gib_per_second)


def probes(inputs: ServiceInputs) -> dict[str, Any]:
    """Startup (the loading budget), readiness, and a liveness probe that only runs once started."""
    eng = inputs.engine
    health = {"path": eng.health_path, "port": "http"}
    return {
        "startupProbe": {
            "httpGet": health,
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": startup_failure_threshold(startup_budget(inputs)),
        },
        "readinessProbe": {"httpGet": health, "periodSeconds": 5, "timeoutSeconds": 5, "failureThreshold": 3},
        # Kubernetes starts liveness checks only after the startupProbe succeeded: loading never trips it.
        "livenessProbe": {"httpGet": health, "periodSeconds": 15, "timeoutSeconds": 10, "failureThreshold": 4},
    }


def _secret_env(inputs: ServiceInputs, env_name: str, secret_key: str) -> dict[str, Any]:
    return {
        "name": env_name,
        "valueFrom": {"secretKeyRef": {"name": secret_name(inputs.key), "key": secret_key}},
    }


def engine_container(inputs: ServiceInputs) -> dict[str, Any]:
    """The engine container."""
    eng, args = inputs.engine, engine_args(inputs)
    env = pods.scratch_env() + pods.env_list(eng.build_env(args))
    if inputs.model.api_key_secret is not None:
        env.append(_secret_env(inputs, API_KEY_ENV, SECRET_KEYS["api"]))
    mounts = [*pods.scratch_mounts(), {"name": "dshm", "mountPath": "/dev/shm"}]
    if inputs.store_uri is None:
        mounts.append({"name": "models", "mountPath": MODEL_DIR, "readOnly": True})
    return {
        "name": "engine",
        "image": inputs.model.image or eng.image,
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
        *pods.env_list({"MODEL_REPO": repo, "MODEL_REVISION": revision, "MODEL_DIR": model_path(inputs)}),
    ]
    if inputs.model.hub_token_secret is not None:
        env.append(_secret_env(inputs, HUB_TOKEN_ENV, SECRET_KEYS["hub"]))
    return {
        "name": "fill-model-cache",
        "image": inputs.model.image or inputs.engine.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python3", "-c", FILL_LOCAL_CACHE],
        "env": env,
        "resources": {
            "requests": {"cpu": "500m", "memory": "1Gi"},
            "limits": {"cpu": "1", "memory": "2Gi"},
        },
        "securityContext": pods.container_security_context(),
        "volumeMounts": [*pods.scratch_mounts(), {"name": "models", "mountPath": MODEL_DIR}],
    }


def cache_claim_name(key: str) -> str:
    """The PersistentVolumeClaim that caches a model's weights when there is no bucket."""
    return f"{key}-model-cache"


def cache_gib(inputs: ServiceInputs) -> int:
    """Size of the local weight cache: twice the most weights a replica can hold."""
    return math.ceil(2 * weights_upper_bound_gib(inputs.pool, tensor_parallel_of(inputs.model), inputs.shape))


def pod_volumes(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """The pod's volumes: scratch, memory-backed /dev/shm, and the weight cache without a bucket."""
    volumes = [
        *pods.scratch_volumes(cache_gib=8),
        {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": f"{inputs.shape.shm_mib}Mi"}},
    ]
    if inputs.store_uri is None:
        volumes.append({"name": "models", "persistentVolumeClaim": {"claimName": cache_claim_name(inputs.key)}})
    return volumes


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
    if inputs.store_uri is None:
        pod_spec["initContainers"] = [cache_filler_container(inputs)]
    if inputs.pool is not None:
        pod_spec["nodeSelector"] = node_selector(inputs.pool)
        pod_spec["tolerations"] = tolerations(inputs.pool)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": pods.metadata(deployment_name(key), inputs.namespace, labels(key)),
        "spec": {
            "selector": {"matchLabels": labels(key)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "revisionHistoryLimit": 3,
            "template": {"metadata": {"labels": labels(key)}, "spec": pod_spec},
        },
    }


def namespace_object(key: str) -> dict[str, Any]:
    """The model's namespace, enforcing the restricted Pod Security Standard."""
    enforce = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": pods.metadata(serving_namespace(key), None, enforce),
    }


def service_account_object(inputs: ServiceInputs) -> dict[str, Any]:
    """The engine's service account, bound to the model's read-only cloud identity by annotation."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": pods.metadata(
            serving_service_account(inputs.key),
            inputs.namespace,
            labels(inputs.key),
            annotations=dict(sorted(inputs.reader_annotations.items())),
        ),
        "automountServiceAccountToken": False,
    }


def cache_claim_object(inputs: ServiceInputs) -> dict[str, Any]:
    """The weight cache volume claim (no bucket only)."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": pods.metadata(cache_claim_name(inputs.key), inputs.namespace, labels(inputs.key)),
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": f"{cache_gib(inputs)}Gi"}}},
    }


def _service_ports(inputs: ServiceInputs) -> list[dict[str, Any]]:
    return [{"name": "http", "port": SERVICE_PORT, "targetPort": "http", "protocol": "TCP"}]


def service_object(inputs: ServiceInputs) -> dict[str, Any]:
    """The in-cluster (ClusterIP) Service."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(inputs.key, inputs.namespace, labels(inputs.key)),
        "spec": {"type": "ClusterIP", "selector": labels(inputs.key), "ports": _service_ports(inputs)},
    }


def load_balancer_object(inputs: ServiceInputs) -> dict[str, Any] | None:
    """The LoadBalancer Service when the spec asks for one: internal by default, limited to its source ranges."""
    spec_lb = inputs.model.load_balancer
    if spec_lb is None:
        return None
    annotations = dict(sorted(inputs.internal_lb_annotations.items())) if spec_lb.internal else {}
    spec: dict[str, Any] = {
        "type": "LoadBalancer",
        "selector": labels(inputs.key),
        "ports": _service_ports(inputs),
        # Keeps the client address, so the source ranges and the NetworkPolicy see real clients.
        "externalTrafficPolicy": "Local",
    }
    if spec_lb.source_ranges:
        spec["loadBalancerSourceRanges"] = [str(cidr) for cidr in spec_lb.source_ranges]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": pods.metadata(f"{inputs.key}-lb", inputs.namespace, labels(inputs.key), annotations=annotations),
        "spec": spec,
    }


def disruption_budget_object(inputs: ServiceInputs) -> dict[str, Any]:
    """At most one replica voluntarily disrupted at a time; a pod that never became ready may always go."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": pods.metadata(inputs.key, inputs.namespace, labels(inputs.key)),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": labels(inputs.key)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def network_policy_objects(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """Deny everything in the namespace, then allow clients, the metrics scraper, DNS and the weight sources."""
    key, port = inputs.key, inputs.engine.port
    deny = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": pods.metadata("default-deny", inputs.namespace, {}),
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }
    clients: list[dict[str, Any]] = [
        {"podSelector": {}},
        {"namespaceSelector": {"matchLabels": {CLIENT_LABEL: "true"}}},
    ]
    lb = inputs.model.load_balancer
    if lb is not None:
        clients += [{"ipBlock": {"cidr": str(cidr)}} for cidr in lb.source_ranges]
    scraper = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}
    egress = [pods.dns_egress(), pods.https_egress()]
    egress += [
        {"to": [{"ipBlock": {"cidr": rule.cidr}}], "ports": [{"protocol": "TCP", "port": rule.port}]}
        for rule in inputs.egress
    ]
    allow = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": pods.metadata(f"{key}-engine", inputs.namespace, labels(key)),
        "spec": {
            "podSelector": {"matchLabels": labels(key)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {"from": clients, "ports": [{"protocol": "TCP", "port": port}]},
                {"from": [scraper], "ports": [{"protocol": "TCP", "port": port}]},
            ],
            "egress": egress,
        },
    }
    return [deny, allow]


def scaled_object(inputs: ServiceInputs) -> dict[str, Any]:
    """KEDA ScaledObject: scale on the engine's queue depth per replica (and KV-cache use when asked)."""
    key, eng, model = inputs.key, inputs.engine, inputs.model
    selector = f'namespace="{inputs.namespace}"'
    triggers: list[dict[str, Any]] = [
        {
            "type": "prometheus",
            "name": "queue-depth",
            # AverageValue: desired replicas = total waiting requests / threshold.
            "metricType": "AverageValue",
            "metadata": {
                "serverAddress": inputs.prometheus_url,
                "query": f"sum({eng.queue_metric}{{{selector}}})",
                "threshold": str(model.autoscale.queue_depth),
                "activationThreshold": "0",
            },
        }
    ]
    if model.autoscale.kv_cache_utilization is not None:
        triggers.append(
            {
                "type": "prometheus",
                "name": "kv-cache",
                # Value: the average use is compared as is, not divided by the replica count.
                "metricType": "Value",
                "metadata": {
                    "serverAddress": inputs.prometheus_url,
                    "query": f"avg({eng.kv_cache_metric}{{{selector}}})",
                    "threshold": f"{model.autoscale.kv_cache_utilization:g}",
                },
            }
        )
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": pods.metadata(key, inputs.namespace, labels(key)),
        "spec": {
            "scaleTargetRef": {"name": deployment_name(key)},
            "minReplicaCount": model.replicas.min,
            "maxReplicaCount": model.replicas.max,
            "pollingInterval": 15,
            # Replicas are expensive to start: wait before scaling in, and to zero.
            "cooldownPeriod": 600,
            "triggers": triggers,
        },
    }


def pod_monitor(inputs: ServiceInputs) -> dict[str, Any]:
    """The Prometheus PodMonitor that scrapes the engine's metrics endpoint."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": pods.metadata(inputs.key, inputs.namespace, labels(inputs.key)),
        "spec": {
            "selector": {"matchLabels": labels(inputs.key)},
            "podMetricsEndpoints": [{"port": "http", "path": inputs.engine.metrics_path, "interval": "15s"}],
        },
    }


def inference_objects(inputs: ServiceInputs) -> list[dict[str, Any]]:
    """Every object of one InferenceService but its Secret, namespace first."""
    objects = [namespace_object(inputs.key), service_account_object(inputs)]
    if inputs.store_uri is None:
        objects.append(cache_claim_object(inputs))
    objects += [deployment_object(inputs), service_object(inputs)]
    balancer = load_balancer_object(inputs)
    if balancer is not None:
        objects.append(balancer)
    objects += [disruption_budget_object(inputs), *network_policy_objects(inputs)]
    objects += [scaled_object(inputs), pod_monitor(inputs)]
    return objects
