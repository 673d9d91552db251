"""The stack-config keys a spec names for its secrets: the names only, never a value.

A bare key lives in the project's namespace (`apiKey` is `inferstack:apiKey`); a key with a colon names its
namespace itself (`team:apiKey`). Validation checks the stack file's entries under these keys; the workload
layer (k8s/secrets.py) reads them as secret Outputs.
"""

from __future__ import annotations

from inferstack.spec.errors import join_path
from inferstack.spec.models import EnvironmentSpec, ModelSpec

PROJECT_NAMESPACE = "inferstack"
# The ModelSpec fields that name a secret config key.
SECRET_NAME_FIELDS = ("api_key_secret", "hub_token_secret")


def split_config_key(name: str) -> tuple[str, str]:
    """(namespace, key) of a secret config key named in the spec."""
    namespace, sep, key = name.partition(":")
    return (namespace, key) if sep else (PROJECT_NAMESPACE, name)


def full_config_key(name: str) -> str:
    """The `namespace:key` form the Pulumi config uses."""
    return ":".join(split_config_key(name))


def model_secret_keys(model: ModelSpec) -> list[str]:
    """The secret config keys one model names (API key, hub token), in that order."""
    return [name for name in (model.api_key_secret, model.hub_token_secret) if name is not None]


def secret_config_keys(spec: EnvironmentSpec) -> list[str]:
    """Every secret config key the spec names, in full `namespace:key` form, sorted and unique."""
    return sorted(secret_key_fields(spec))


def secret_key_fields(spec: EnvironmentSpec) -> dict[str, list[str]]:
    """Full config key -> the YAML paths of the spec fields that name it."""
    named: dict[str, list[str]] = {}
    for key, model in sorted(spec.models.items()):
        for field in SECRET_NAME_FIELDS:
            value = getattr(model, field)
            if value is not None:
                named.setdefault(full_config_key(value), []).append(join_path("environment", "models", key, field))
    for key, client in sorted(spec.gateway.clients.items()):
        path = join_path("environment", "gateway", "clients", key, "api_key_secret")
        named.setdefault(full_config_key(client.api_key_secret), []).append(path)
    for key, receiver in sorted(spec.monitoring.receivers.items()):
        path = join_path("environment", "monitoring", "receivers", key, "secret")
        named.setdefault(full_config_key(receiver.secret), []).append(path)
    return named
