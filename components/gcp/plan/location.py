"""Where a GCP environment lives: its region and zones, or a caller bug if the spec was never checked."""

from __future__ import annotations

from inferstack.planning.defaults import effective_zones
from inferstack.spec.models import EnvironmentSpec


class GcpPlanError(ValueError):
    """The spec reached the GCP layer without passing its checks (a bug in the caller, not user input)."""


def region(spec: EnvironmentSpec) -> str:
    """The environment's region (checked specs on gcp always have one)."""
    if spec.cloud != "gcp" or spec.region is None:
        raise GcpPlanError("the GCP layer needs cloud: gcp and a region")
    return spec.region


def zones(spec: EnvironmentSpec) -> list[str]:
    """The environment's zones, in the spec's order."""
    found = effective_zones(spec)
    if not found:
        raise GcpPlanError(f"no zones known for region {spec.region}")
    return found
