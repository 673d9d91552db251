"""The labels every labelable GCP resource of an environment carries."""

from __future__ import annotations

from inferstack.spec.models import EnvironmentSpec

ENV_LABEL = "inferstack-environment"


def resource_labels(spec: EnvironmentSpec) -> dict[str, str]:
    """The stack's tags plus the environment name (GCP's tags are called labels)."""
    return {**spec.tags, ENV_LABEL: spec.name}
