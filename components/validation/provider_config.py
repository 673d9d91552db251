"""The stack file's provider settings agree with the spec: one region, and a GCP project to create things in.

The cloud providers read `aws:region`, `gcp:project` and `gcp:region` from the stack config, not from the
spec: a stack whose `aws:region` differs from `region:` would plan one region and deploy to the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec

# The stack config keys each cloud's provider reads; `pulumi up` reads exactly these (infra/__main__.py).
PROVIDER_KEYS = {"aws": ("aws:region",), "gcp": ("gcp:project", "gcp:region"), "kubernetes": ()}


def config_path(key: str) -> str:
    """The YAML path of a stack config key (beside `inferstack:environment`)."""
    return f"config.{key}"


def check_provider_config(spec: EnvironmentSpec, config: Mapping[str, object]) -> Iterable[SpecIssue]:
    """The provider region equals the spec's region; `cloud: gcp` names its project."""
    region_key = {"aws": "aws:region", "gcp": "gcp:region"}.get(spec.cloud)
    if region_key is not None and spec.region is not None:
        configured = config.get(region_key)
        if configured is not None and configured != spec.region:
            yield SpecIssue(
                config_path(region_key),
                f"is {configured!r}, the environment's region is {spec.region!r}: the provider would create "
                "everything in the other region",
                f"set {region_key}: {spec.region} (or remove it)",
            )
    if spec.cloud == "gcp":
        project = config.get("gcp:project")
        if not isinstance(project, str) or not project:
            yield SpecIssue(
                config_path("gcp:project"),
                "is required for cloud: gcp (the project every resource is created in)",
                "add gcp:project: <your-project-id> under config: in the stack file, "
                "or run `pulumi config set gcp:project <your-project-id>`",
            )
