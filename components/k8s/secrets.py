"""Pulumi config secrets the workload reads, as secret Outputs (which keys a spec names: spec/secret_keys.py)."""

from __future__ import annotations

import pulumi

from inferstack.spec.secret_keys import (
    PROJECT_NAMESPACE,
    full_config_key,
    model_secret_keys,
    secret_config_keys,
    split_config_key,
)

# The workload layer reads these from here; they live in spec/ so that validation checks the same keys.
__all__ = [
    "PROJECT_NAMESPACE",
    "full_config_key",
    "model_secret_keys",
    "require_secret",
    "secret_config_keys",
    "split_config_key",
]


def require_secret(name: str) -> pulumi.Output[str]:
    """The secret value of a config key; a clear Pulumi error when the stack has not set it."""
    namespace, key = split_config_key(name)
    return pulumi.Config(namespace).require_secret(key)
