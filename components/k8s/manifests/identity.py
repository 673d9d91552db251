"""Who a model's pods are and what they hold: the ServiceAccount bound to the cloud identity, and the Secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.manifests.inputs import ServiceInputs, labels
from inferstack.planning.names import serving_namespace, serving_service_account
from inferstack.spec.models import ModelSpec

SECRET_KEYS = {"api": "api-key", "hub": "hub-token"}


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
