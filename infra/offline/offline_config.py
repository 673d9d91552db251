"""Stack config the offline engine supplies: a marked placeholder for every secret key the spec names.

Under `pulumi up` the program reads real secrets with `require_secret`; offline there is no stack config, so
the same reads get this placeholder instead. It is only ever passed to `run_offline` (never to a real deploy),
and the engine records it as a secret, so a plan, a manifest or the CLI output show "[secret]".
"""

from __future__ import annotations

from inferstack.k8s.secrets import secret_config_keys
from inferstack.spec import EnvironmentSpec

OFFLINE_SECRET_PLACEHOLDER = "offline-plan-placeholder-not-a-secret"


def offline_secret_config(spec: EnvironmentSpec) -> dict[str, str]:
    """`namespace:key` -> placeholder for every secret config key the spec names."""
    return {key: OFFLINE_SECRET_PLACEHOLDER for key in secret_config_keys(spec)}
