"""The network: private, non-overlapping ranges that fit the zones, and a narrow API allow-list."""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.planning.defaults import zone_slots
from inferstack.planning.subnets import SubnetPlanError, plan_cluster_ranges, plan_zone_subnets
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import BROADEST_CLIENT_PREFIX, field_path, is_private


def check_network(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """CIDRs are private, do not overlap, fit the zones; API access is narrow and allowed by the profile."""
    if spec.cloud == "kubernetes":
        return
    net = spec.network
    if not is_private(net.cidr):
        yield SpecIssue(
            field_path("network", "cidr"), f"{net.cidr} is not a private range", "use a range in 10.0.0.0/8"
        )
    if not is_private(net.services_cidr):
        yield SpecIssue(
            field_path("network", "services_cidr"),
            f"{net.services_cidr} is not a private range",
            "use a range in 172.16.0.0/12",
        )
    if net.cidr.overlaps(net.services_cidr):
        yield SpecIssue(
            field_path("network", "services_cidr"),
            f"{net.services_cidr} overlaps the VPC range {net.cidr}",
            "pick a range outside network.cidr, e.g. 172.20.0.0/16",
        )
    try:
        if spec.cloud == "aws":
            slots = zone_slots(spec)
            if slots:
                plan_zone_subnets(net.cidr, slots)
        else:
            plan_cluster_ranges(net.cidr)
    except SubnetPlanError as exc:
        yield SpecIssue(field_path("network", "cidr"), str(exc))
    for index, client in enumerate(net.api_access):
        if client.prefixlen < BROADEST_CLIENT_PREFIX:
            yield SpecIssue(
                field_path("network", "api_access", index),
                f"{client} opens the API to (almost) the whole internet",
                f"list the narrow CIDRs of your offices or CI runners (/{BROADEST_CLIENT_PREFIX} or narrower)",
            )
    if spec.security_profile == "private" and net.api_access:
        yield SpecIssue(
            field_path("network", "api_access"),
            "the private profile has no public API endpoint",
            "remove api_access, or use security_profile: standard",
        )
