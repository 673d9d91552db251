"""Kubernetes versions against the cloud's support calendar: warn past standard support, refuse past extended.

The date is today's: a stack valid today may be refused next year, which is the point (the cloud would upgrade
the cluster under Pulumi's feet). Tests pass the date explicitly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from inferstack.catalog.versions import ManagedCloud, version_support, versions_catalog
from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path

CLOUD_NAME: dict[ManagedCloud, str] = {"aws": "EKS", "gcp": "GKE"}


def _supported(cloud: ManagedCloud, on: dt.date) -> list[str]:
    table = versions_catalog().clouds[cloud].versions
    return sorted(version for version, support in table.items() if support.status(on) == "standard")


def version_issues(spec: EnvironmentSpec, on: dt.date) -> list[SpecIssue]:
    """A version the catalog does not list, or one past the end of extended support on `on`."""
    if spec.cloud not in ("aws", "gcp"):
        return []
    cloud: ManagedCloud = spec.cloud
    version, path = spec.cluster.kubernetes_version, field_path("cluster", "kubernetes_version")
    support = version_support(cloud, version)
    current = ", ".join(_supported(cloud, on)) or "none in the catalog: update kubernetes_versions.yaml"
    if support is None:
        return [
            SpecIssue(
                path,
                f"Kubernetes {version} is not in inferstack's {CLOUD_NAME[cloud]} version catalog",
                f"use a version in standard support: {current}",
            )
        ]
    if support.status(on) == "ended":
        return [
            SpecIssue(
                path,
                f"{CLOUD_NAME[cloud]} support for Kubernetes {version} ended on {support.end_of_extended}: the cloud "
                "upgrades such clusters itself",
                f"use a version in standard support: {current}",
            )
        ]
    return []


def version_warnings(spec: EnvironmentSpec, on: dt.date) -> list[SpecWarning]:
    """A version past the end of standard support on `on`: what the cloud will do with it."""
    if spec.cloud not in ("aws", "gcp"):
        return []
    cloud: ManagedCloud = spec.cloud
    version = spec.cluster.kubernetes_version
    support = version_support(cloud, version)
    if support is None or support.status(on) in ("standard", "ended"):
        return []
    ended = f"standard support for Kubernetes {version} ended on {support.end_of_standard}"
    current = ", ".join(_supported(cloud, on))
    if cloud == "gcp":
        consequence = f"{ended}: GKE upgrades the cluster on its release channel"
    elif spec.cluster.upgrade_policy == "standard":
        consequence = f"{ended}: with upgrade_policy standard EKS upgrades the cluster outside Pulumi"
    else:
        consequence = (
            f"{ended}: upgrade_policy extended keeps it until {support.end_of_extended}, billed at the "
            "extended-support rate"
        )
    return [SpecWarning(field_path("cluster", "kubernetes_version"), consequence, f"use one of: {current}")]


def check_versions(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """The cluster's Kubernetes version is listed and still supported today."""
    return version_issues(spec, dt.date.today())


def warn_versions(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """The cluster's Kubernetes version is past standard support today."""
    return version_warnings(spec, dt.date.today())
