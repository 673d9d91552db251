"""Property and example tests of the pure subnet planner."""

from __future__ import annotations

import itertools
import re
from ipaddress import IPv4Network, IPv6Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inferstack.planning.subnets import (
    MAX_VPC_PREFIX,
    MAX_ZONE_SLOTS,
    MIN_VPC_PREFIX,
    ClusterRanges,
    SubnetPlan,
    SubnetPlanError,
    ZoneSubnets,
    plan_cluster_ranges,
    plan_zone_subnets,
    zone_subnets,
)

FAST = settings(max_examples=200, deadline=None)


@st.composite
def vpcs(draw: st.DrawFn) -> IPv4Network:
    prefix = draw(st.integers(MIN_VPC_PREFIX, MAX_VPC_PREFIX))
    address = draw(st.integers(0, 2**32 - 1))
    # Clear the host bits so the network is valid under strict=True.
    return IPv4Network((address >> (32 - prefix) << (32 - prefix), prefix))


zone_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@st.composite
def zone_slot_maps(draw: st.DrawFn, min_size: int = 1) -> dict[str, int]:
    slots = draw(st.lists(st.integers(0, MAX_ZONE_SLOTS - 1), min_size=min_size, unique=True))
    names = draw(st.lists(zone_names, min_size=len(slots), max_size=len(slots), unique=True))
    return dict(zip(names, slots, strict=True))


def all_subnets(plan: SubnetPlan) -> list[IPv4Network]:
    return [net for z in plan.zones.values() for net in (z.private, z.public)]


# --- properties -----------------------------------------------------------------------------------


@FAST
@given(vpcs(), zone_slot_maps())
def test_subnets_lie_inside_vpc_and_never_overlap(vpc: IPv4Network, zone_slots: dict[str, int]) -> None:
    plan = plan_zone_subnets(vpc, zone_slots)
    nets = all_subnets(plan)
    assert plan.vpc == vpc
    assert set(plan.zones) == set(zone_slots)
    for net in nets:
        assert net.subnet_of(vpc)
    for a, b in itertools.combinations(nets, 2):
        assert not a.overlaps(b), (a, b)


@FAST
@given(vpcs(), zone_slot_maps())
def test_plan_is_deterministic_and_independent_of_mapping_order(vpc: IPv4Network, zone_slots: dict[str, int]) -> None:
    reordered = dict(reversed(list(zone_slots.items())))
    plan = plan_zone_subnets(vpc, zone_slots)
    assert plan == plan_zone_subnets(vpc, zone_slots)
    assert plan == plan_zone_subnets(vpc, reordered)
    # Keyed in slot order.
    assert list(plan.zones) == sorted(zone_slots, key=zone_slots.__getitem__)


@FAST
@given(vpcs(), zone_slot_maps())
def test_zone_subnets_depend_only_on_vpc_and_slot(vpc: IPv4Network, zone_slots: dict[str, int]) -> None:
    plan = plan_zone_subnets(vpc, zone_slots)
    for zone, slot in zone_slots.items():
        assert plan.zones[zone] == zone_subnets(vpc, zone, slot)
        alone = plan_zone_subnets(vpc, {zone: slot}).zones[zone]
        assert alone == plan.zones[zone]


@FAST
@given(vpcs(), zone_slot_maps(min_size=1), st.data())
def test_adding_a_zone_leaves_existing_zones_unchanged(
    vpc: IPv4Network, zone_slots: dict[str, int], data: st.DataObject
) -> None:
    free = sorted(set(range(MAX_ZONE_SLOTS)) - set(zone_slots.values()))
    if not free:
        return
    new_slot = data.draw(st.sampled_from(free))
    new_zone = data.draw(zone_names.filter(lambda z: z not in zone_slots))
    before = plan_zone_subnets(vpc, zone_slots)
    after = plan_zone_subnets(vpc, {**zone_slots, new_zone: new_slot})
    for zone in zone_slots:
        assert after.zones[zone] == before.zones[zone]


@FAST
@given(vpcs(), zone_slot_maps(min_size=2), st.data())
def test_removing_a_zone_leaves_remaining_zones_unchanged(
    vpc: IPv4Network, zone_slots: dict[str, int], data: st.DataObject
) -> None:
    gone = data.draw(st.sampled_from(sorted(zone_slots)))
    remaining = {z: s for z, s in zone_slots.items() if z != gone}
    before = plan_zone_subnets(vpc, zone_slots)
    after = plan_zone_subnets(vpc, remaining)
    assert gone not in after.zones
    for zone in remaining:
        assert after.zones[zone] == before.zones[zone]


@FAST
@given(vpcs())
def test_private_subnets_are_larger_than_public_and_usable_on_aws(vpc: IPv4Network) -> None:
    plan = plan_zone_subnets(vpc, {f"z{i}": i for i in range(MAX_ZONE_SLOTS)})
    for z in plan.zones.values():
        assert z.private.num_addresses == vpc.num_addresses // 8
        assert z.public.num_addresses == vpc.num_addresses // 64
        # AWS subnets must be between /16 and /28.
        assert 16 <= z.private.prefixlen <= 28
        assert 16 <= z.public.prefixlen <= 28


@FAST
@given(vpcs())
def test_cluster_ranges_inside_vpc_disjoint_and_pods_largest(vpc: IPv4Network) -> None:
    ranges = plan_cluster_ranges(vpc)
    nets = [ranges.nodes, ranges.pods, ranges.services]
    for net in nets:
        assert net.subnet_of(vpc)
    for a, b in itertools.combinations(nets, 2):
        assert not a.overlaps(b), (a, b)
    assert ranges.pods.num_addresses > ranges.nodes.num_addresses
    assert ranges.pods.num_addresses > ranges.services.num_addresses
    assert ranges == plan_cluster_ranges(vpc)


@FAST
@given(vpcs(), st.integers().filter(lambda s: not 0 <= s < MAX_ZONE_SLOTS))
def test_out_of_range_slots_are_rejected(vpc: IPv4Network, slot: int) -> None:
    with pytest.raises(SubnetPlanError, match=rf"slot {slot} of zone 'us-east-1a' is out of range"):
        plan_zone_subnets(vpc, {"us-east-1a": slot})


# --- examples -------------------------------------------------------------------------------------


def test_golden_plan_for_10_40_0_0_16() -> None:
    vpc = IPv4Network("10.40.0.0/16")
    plan = plan_zone_subnets(vpc, {"us-east-1b": 1, "us-east-1a": 0})
    assert plan == SubnetPlan(
        vpc=vpc,
        zones={
            "us-east-1a": ZoneSubnets(
                zone="us-east-1a",
                private=IPv4Network("10.40.0.0/19"),
                public=IPv4Network("10.40.224.0/22"),
            ),
            "us-east-1b": ZoneSubnets(
                zone="us-east-1b",
                private=IPv4Network("10.40.32.0/19"),
                public=IPv4Network("10.40.228.0/22"),
            ),
        },
    )
    assert list(plan.zones) == ["us-east-1a", "us-east-1b"]


def test_golden_last_slot_for_10_40_0_0_16() -> None:
    z = zone_subnets(IPv4Network("10.40.0.0/16"), "z6", MAX_ZONE_SLOTS - 1)
    assert (z.private, z.public) == (IPv4Network("10.40.192.0/19"), IPv4Network("10.40.248.0/22"))


def test_golden_cluster_ranges_for_10_40_0_0_16() -> None:
    assert plan_cluster_ranges(IPv4Network("10.40.0.0/16")) == ClusterRanges(
        nodes=IPv4Network("10.40.128.0/19"),
        pods=IPv4Network("10.40.0.0/17"),
        services=IPv4Network("10.40.160.0/19"),
    )


def test_supports_at_least_seven_slots() -> None:
    assert MAX_ZONE_SLOTS >= 7


@pytest.mark.parametrize("cidr", ["10.0.0.0/21", "10.0.0.0/24", "10.0.0.0/28"])
def test_too_small_vpc_is_rejected(cidr: str) -> None:
    with pytest.raises(SubnetPlanError, match=rf"{re.escape(cidr)} is too small: use a /{MAX_VPC_PREFIX} or larger"):
        plan_zone_subnets(IPv4Network(cidr), {"us-east-1a": 0})
    with pytest.raises(SubnetPlanError, match=rf"accepted prefixes are /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}"):
        plan_cluster_ranges(IPv4Network(cidr))


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/15"])
def test_too_large_vpc_is_rejected(cidr: str) -> None:
    with pytest.raises(SubnetPlanError, match=rf"{re.escape(cidr)} is too large: use a /{MIN_VPC_PREFIX} or smaller"):
        plan_zone_subnets(IPv4Network(cidr), {"us-east-1a": 0})
    with pytest.raises(SubnetPlanError, match=rf"accepted prefixes are /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}"):
        plan_cluster_ranges(IPv4Network(cidr))


def test_empty_mapping_is_rejected() -> None:
    with pytest.raises(SubnetPlanError, match="no zones given: map at least one zone"):
        plan_zone_subnets(IPv4Network("10.40.0.0/16"), {})


def test_duplicate_slots_are_rejected() -> None:
    with pytest.raises(SubnetPlanError, match="zones 'us-east-1a' and 'us-east-1b' share slot 0"):
        plan_zone_subnets(IPv4Network("10.40.0.0/16"), {"us-east-1a": 0, "us-east-1b": 0})


@pytest.mark.parametrize("slot", [-1, MAX_ZONE_SLOTS, 99])
def test_bad_slot_examples_are_rejected(slot: int) -> None:
    with pytest.raises(SubnetPlanError, match=f"use a slot from 0 to {MAX_ZONE_SLOTS - 1}"):
        plan_zone_subnets(IPv4Network("10.40.0.0/16"), {"us-east-1a": slot})


def test_non_int_slots_are_rejected() -> None:
    vpc = IPv4Network("10.40.0.0/16")
    with pytest.raises(SubnetPlanError, match="must be an int"):
        plan_zone_subnets(vpc, {"us-east-1a": True})
    with pytest.raises(SubnetPlanError, match="must be an int"):
        plan_zone_subnets(vpc, {"us-east-1a": "0"})  # pyright: ignore[reportArgumentType]


def test_empty_zone_name_is_rejected() -> None:
    with pytest.raises(SubnetPlanError, match="zone name must be a non-empty string"):
        plan_zone_subnets(IPv4Network("10.40.0.0/16"), {"": 0})


@pytest.mark.parametrize("vpc", ["10.40.0.0/16", IPv6Network("fd00::/48")])
def test_only_ipv4_networks_are_accepted(vpc: object) -> None:
    with pytest.raises(SubnetPlanError, match=r"must be an ipaddress\.IPv4Network"):
        plan_zone_subnets(vpc, {"us-east-1a": 0})  # pyright: ignore[reportArgumentType]
    with pytest.raises(SubnetPlanError, match=r"must be an ipaddress\.IPv4Network"):
        plan_cluster_ranges(vpc)  # pyright: ignore[reportArgumentType]
