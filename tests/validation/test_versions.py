"""Kubernetes versions against the support calendar: quiet in standard support, a warning past it, an error past
extended support; upgrade_policy is AWS's and reaches the cluster."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from inferstack.catalog.versions import version_support
from inferstack.infra.offline.stacks import plan_spec
from inferstack.spec import EnvironmentSpec
from inferstack.validation.cloud import check_cloud_fields
from inferstack.validation.versions import version_issues, version_warnings

DAY = dt.timedelta(days=1)
AWS: dict[str, Any] = {"name": "t", "cloud": "aws", "region": "us-east-1", "zones": ["use1-az1", "use1-az2"]}
GCP: dict[str, Any] = {"name": "t", "cloud": "gcp", "region": "us-central1", "zones": ["us-central1-a"]}


def spec(base: dict[str, Any], **cluster: Any) -> EnvironmentSpec:
    return EnvironmentSpec.model_validate({**base, "cluster": {"kubernetes_version": "1.33", **cluster}})


def dates(cloud: str) -> tuple[dt.date, dt.date | None]:
    support = version_support("aws" if cloud == "aws" else "gcp", "1.33")
    assert support is not None
    return support.end_of_standard, support.end_of_extended


def test_a_version_in_standard_support_is_quiet() -> None:
    end, _ = dates("aws")
    assert version_issues(spec(AWS), end) == [] and version_warnings(spec(AWS), end) == []


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("standard", "EKS upgrades the cluster outside Pulumi"), ("extended", "billed at the extended-support rate")],
)
def test_past_standard_support_warns_what_eks_will_do(policy: str, expected: str) -> None:
    end, _ = dates("aws")
    (warning,) = version_warnings(spec(AWS, upgrade_policy=policy), end + DAY)
    assert warning.path == "environment.cluster.kubernetes_version" and expected in warning.message
    assert f"ended on {end}" in warning.message and "1.35" in warning.fix
    assert version_issues(spec(AWS, upgrade_policy=policy), end + DAY) == []


def test_past_extended_support_is_refused() -> None:
    _, extended = dates("aws")
    assert extended is not None
    (issue,) = version_issues(spec(AWS, upgrade_policy="extended"), extended + DAY)
    assert f"ended on {extended}" in issue.message and issue.path == "environment.cluster.kubernetes_version"
    assert version_warnings(spec(AWS), extended + DAY) == []


def test_gke_past_standard_warns_and_an_unknown_extended_end_refuses_nothing() -> None:
    end, extended = dates("gcp")
    assert extended is None
    (warning,) = version_warnings(spec(GCP), end + DAY)
    assert "GKE upgrades the cluster" in warning.message
    assert version_issues(spec(GCP), end + dt.timedelta(days=3650)) == []


def test_a_version_the_catalog_lacks_is_refused_with_the_current_ones() -> None:
    (issue,) = version_issues(spec(AWS, kubernetes_version="1.29"), dt.date(2026, 12, 2))
    assert "not in inferstack's EKS version catalog" in issue.message and issue.fix.endswith("1.34, 1.35")


def test_upgrade_policy_is_aws_only() -> None:
    issues = list(check_cloud_fields(spec(GCP, upgrade_policy="extended")))
    assert [issue.path for issue in issues] == ["environment.cluster.upgrade_policy"]


@pytest.mark.parametrize(("policy", "support_type"), [("standard", "STANDARD"), ("extended", "EXTENDED")])
def test_upgrade_policy_reaches_the_eks_cluster(policy: str, support_type: str) -> None:
    planned = plan_spec("t", spec(AWS, kubernetes_version="1.35", upgrade_policy=policy))
    (cluster,) = planned.of_type("aws:eks/cluster:Cluster")
    assert cluster.inputs["upgradePolicy"] == {"supportType": support_type} and cluster.inputs["version"] == "1.35"
