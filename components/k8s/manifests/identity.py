"""Who a model's pods are and what they hold: the ServiceAccount bound to the cloud identity, and the Secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inferstack.catalog.limits import limits
from inferstack.k8s import pods
from inferstack.k8s.manifests.inputs import ServiceInputs, labels
from inferstack.planning.names import serving_namespace, serving_service_account
from inferstack.spec.models import ModelSpec

SECRET_KEYS = {"api": "api-key", "hub": "hub-token"}
# The hub token reaches a container as a read-only file, never as an environment variable (which `kubectl
# describe`, crash dumps and child processes would show); huggingface_hub reads the file HF_TOKEN_PATH names.
HUB_TOKEN_DIR = "/var/run/secrets/inferstack/hub"
HUB_TOKEN_FILE = "token"
HUB_TOKEN_VOLUME = "hub-token"
# Owner and group may read it: pods run with fsGroup, so the non-root user reads it through its group.
HUB_TOKEN_MODE = 0o440


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


def secret_env(key: str, env_name: str, secret_key: str) -> dict[str, Any]:
    """A container env entry read from the model's Secret, so the value never sits in the pod spec."""
    return {
        "name": env_name,
        "valueFrom": {"secretKeyRef": {"name": secret_name(key), "key": secret_key}},
    }


def hub_token_volume(secret: str, secret_key: str) -> dict[str, Any]:
    """The pod volume that holds only the hub token of a Secret, as one file."""
    return {
        "name": HUB_TOKEN_VOLUME,
        "secret": {
            "secretName": secret,
            "items": [{"key": secret_key, "path": HUB_TOKEN_FILE}],
            "defaultMode": HUB_TOKEN_MODE,
        },
    }


def hub_token_mount() -> dict[str, Any]:
    """The container mount of the hub token volume (read-only)."""
    return {"name": HUB_TOKEN_VOLUME, "mountPath": HUB_TOKEN_DIR, "readOnly": True}


def hub_token_env() -> dict[str, str]:
    """The variable that points huggingface_hub at the mounted token file."""
    return {"name": limits().hub_token_file.env, "value": f"{HUB_TOKEN_DIR}/{HUB_TOKEN_FILE}"}
