"""The model bucket's name and location, as pure functions of the project and the spec."""

from __future__ import annotations

from inferstack.gcp.plan.location import region
from inferstack.spec.models import EnvironmentSpec


def bucket_name(project: str, env: str) -> str:
    """The model bucket's globally unique name: project and environment, no random suffix."""
    return f"{project}-{env}-models"[:63].rstrip("-")


def access_logs_bucket_name(project: str, env: str) -> str:
    """The production model bucket's access-log bucket: the same scheme with its own purpose."""
    return f"{project}-{env}-access-logs"[:63].rstrip("-")


def bucket_location(spec: EnvironmentSpec) -> str:
    """The bucket's location: the environment's region (a regional bucket beside the nodes that read it)."""
    return region(spec).upper()
