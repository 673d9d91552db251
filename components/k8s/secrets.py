"""Pulumi config secrets the workload reads: which keys a spec names, and reading them as secret Outputs.

A spec names a stack-config key (`api_key_secret: apiKey`), never a value. A bare key lives in the project's
namespace (`inferstack:apiKey`); a key with a colon names its namespace itself (`team:apiKey`).
"""

from __future__ import annotations

import pulumi

from inferstack.spec import EnvironmentSpec
from inferstack.spec.models import ModelSpec

PROJECT_NAMESPACE = "inferstack"


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
    return sorted({full_config_key(name) for model in spec.models.values() for name in model_secret_keys(model)})


def require_secret(name: str) -> pulumi.Output[str]:
    """The secret value of a config key; a clear Pulumi error when the stack has not set it."""
    namespace, key = split_config_key(name)
    return pulumi.Config(namespace).require_secret(key)
