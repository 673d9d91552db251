"""Building blocks every pod of the workload shares: security contexts, writable scratch volumes, labels.

Containers run as a high non-root UID with a read-only root filesystem, no privilege escalation, no
capabilities and the RuntimeDefault seccomp profile; what the engine must write (caches, /tmp) goes to
emptyDirs. Pods get no Kubernetes API token: IRSA's webhook and EKS Pod Identity inject their own projected
token volume, and GKE Workload Identity answers through the node's metadata server, so neither needs the
default service-account token mounted.
"""

from __future__ import annotations

from typing import Any

RUN_AS = 10001
CACHE_DIR = "/cache"
# The images have no passwd entry for RUN_AS, so pwd.getpwuid fails for it; getpass.getuser() (torch inductor's
# default cache dir is /tmp/torchinductor_<user>) reads LOGNAME and USER first. Named caches go to the volume.
RUN_AS_USER = "inferstack"
# vLLM's cache root (its torch.compile cache lives below it; manifests/compile_cache.py persists that part).
VLLM_CACHE_ROOT = f"{CACHE_DIR}/vllm"
MANAGED_BY = {"app.kubernetes.io/managed-by": "inferstack"}


def pod_security_context() -> dict[str, Any]:
    """The pod-level security context."""
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "fsGroup": RUN_AS,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> dict[str, Any]:
    """The container-level security context (repeated per container so each one is safe on its own)."""
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def scratch_env() -> list[dict[str, str]]:
    """Point every cache the containers and their libraries write to at the writable cache volume."""
    return [
        {"name": "HOME", "value": CACHE_DIR},
        {"name": "XDG_CACHE_HOME", "value": CACHE_DIR},
        {"name": "HF_HOME", "value": f"{CACHE_DIR}/huggingface"},
        {"name": "VLLM_CACHE_ROOT", "value": VLLM_CACHE_ROOT},
        {"name": "HF_HUB_DISABLE_TELEMETRY", "value": "1"},
    ]


def engine_runtime_env() -> list[dict[str, str]]:
    """What the engine itself needs on top of the scratch caches: a user name and torch's compile caches.

    Only the engine container gets these (torch compiles there); the download-only containers do not call getuser,
    and a changed Job template would replace the staging Job for nothing.
    """
    return [
        {"name": "USER", "value": RUN_AS_USER},
        {"name": "LOGNAME", "value": RUN_AS_USER},
        {"name": "TORCHINDUCTOR_CACHE_DIR", "value": f"{CACHE_DIR}/torchinductor"},
        {"name": "TRITON_CACHE_DIR", "value": f"{CACHE_DIR}/triton"},
    ]


def scratch_volumes(cache_gib: int) -> list[dict[str, Any]]:
    """The writable emptyDirs: the cache directory and /tmp."""
    return [
        {"name": "cache", "emptyDir": {"sizeLimit": f"{cache_gib}Gi"}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
    ]


def scratch_mounts() -> list[dict[str, Any]]:
    """Mounts of the scratch volumes."""
    return [{"name": "cache", "mountPath": CACHE_DIR}, {"name": "tmp", "mountPath": "/tmp"}]


def env_list(values: dict[str, str]) -> list[dict[str, str]]:
    """A plain mapping as a container `env` list, sorted by name for stable output."""
    return [{"name": name, "value": value} for name, value in sorted(values.items())]


def metadata(name: str, namespace: str | None, labels: dict[str, str], **extra: Any) -> dict[str, Any]:
    """Object metadata with the managed-by label."""
    meta: dict[str, Any] = {"name": name, "labels": {**labels, **MANAGED_BY}}
    if namespace is not None:
        meta["namespace"] = namespace
    meta.update({key: value for key, value in extra.items() if value})
    return meta


def dns_egress() -> dict[str, Any]:
    """NetworkPolicy egress rule: cluster DNS in kube-system."""
    return {
        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }


def https_egress() -> dict[str, Any]:
    """NetworkPolicy egress rule: HTTPS anywhere (bucket, STS/IAM, hub); NetworkPolicy cannot name hosts."""
    return {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": 443}]}
