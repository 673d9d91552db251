"""The Kubernetes version tables: defaults in standard support on the catalog's date, pins for every EKS version.

The staleness test is the point: once `as_of` in kubernetes_versions.yaml is moved past a default's end of
standard support, CI fails here instead of a user's cluster being upgraded by the cloud.
"""

from __future__ import annotations

import datetime as dt

import pytest

from inferstack.catalog.eks import eks_catalog
from inferstack.catalog.versions import ManagedCloud, versions_catalog
from inferstack.spec.models import ClusterSpec
from inferstack.validation.load import load_stack_file
from tests.conftest import shipped_stacks

CLOUDS: tuple[ManagedCloud, ...] = ("aws", "gcp")


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_default_version_is_in_standard_support_on_the_catalog_date(cloud: ManagedCloud) -> None:
    catalog = versions_catalog()
    default = ClusterSpec().kubernetes_version
    support = catalog.clouds[cloud].versions[default]
    assert catalog.as_of <= support.end_of_standard, (
        f"{cloud} {default} left standard support on {support.end_of_standard}: move the spec default "
        "(DEFAULT_KUBERNETES_VERSION) and the pinned add-ons to a current version"
    )
    assert catalog.clouds[cloud].as_of <= catalog.as_of


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_shipped_stacks_use_versions_in_standard_support(stack: str) -> None:
    spec = load_stack_file(shipped_stacks()[stack])
    if spec.cloud in CLOUDS:
        support = versions_catalog().clouds[spec.cloud].versions[spec.cluster.kubernetes_version]
        assert support.status(versions_catalog().as_of) == "standard", stack


def test_eks_dates_follow_the_14_plus_12_month_rule() -> None:
    # AWS: 14 months of standard support from the EKS release, then 12 of extended; a typo in a date shows here.
    for version, support in versions_catalog().clouds["aws"].versions.items():
        assert support.end_of_standard == _months_later(support.release, 14), version
        assert support.end_of_extended == _months_later(support.end_of_standard, 12), version


def test_every_eks_version_has_pins_and_dates() -> None:
    assert set(eks_catalog().kubernetes_versions) == set(versions_catalog().clouds["aws"].versions)
