"""Pure, deterministic subnet planning for the VPCs that host GPU clusters.

Zone layout (AWS: one private and one public subnet per availability zone)
---------------------------------------------------------------------------
The VPC (prefix ``p``, /16 to /20) is split into 8 equal blocks of prefix ``p+3``:

* blocks 0..6 are the private subnets: slot ``i`` takes block ``i``;
* block 7 is split again into 8 blocks of prefix ``p+6``: slot ``i`` takes public block ``i``;
  public block 7 is never handed out (kept for future use, e.g. a transit or endpoint subnet).

For 10.40.0.0/16 that gives slot 0 private 10.40.0.0/19 and public 10.40.224.0/22, slot 1 private
10.40.32.0/19 and public 10.40.228.0/22, and so on up to slot 6. Private subnets are large because the
EKS VPC CNI gives every pod an IP from them; public subnets only hold load balancers and NAT gateways.

Each zone's subnets are a function of (vpc, slot) alone, so adding or removing a zone never moves
another zone's subnets (moving a subnet would mean replacing it, and every node in it).

Cluster layout (GKE: one regional subnetwork with secondary ranges)
-------------------------------------------------------------------
* pods: the lower half of the VPC (prefix ``p+1``), the largest range because every node reserves a
  whole pod block (a /24 at the default 110 pods per node);
* nodes: the first eighth of the VPC's upper half (prefix ``p+3``);
* services: the second eighth of the upper half (prefix ``p+3``), kept free: the GCP layer takes the
  Service range from ``network.services_cidr`` so that field means the same on every cloud;
* the remaining quarter (prefix ``p+2``) is left free for later ranges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network

MIN_VPC_PREFIX = 16
"""Largest accepted VPC (smallest prefix length): /16 is also the largest CIDR block AWS allows a VPC."""

MAX_VPC_PREFIX = 20
"""Smallest accepted VPC: at /20 a private subnet is a /23 (510 hosts) and a public one a /26."""

MAX_ZONE_SLOTS = 7
"""Number of zone slots: 7 private blocks out of 8; AWS regions have at most 6 zones."""

# Splitting into 8 blocks (3 more prefix bits) leaves 7 private blocks and one block to share out
# as 8 public subnets; one level more (3 bits again) sizes each public subnet.
_BLOCK_BITS = 3
_PUBLIC_BLOCK_INDEX = 7


class SubnetPlanError(ValueError):
    """A subnet plan cannot be made from the given inputs; the message says what to change."""


@dataclass(frozen=True)
class ZoneSubnets:
    """The private (pod-sized) and public (load balancers, NAT) subnets of one zone."""

    zone: str
    private: IPv4Network
    public: IPv4Network


@dataclass(frozen=True)
class SubnetPlan:
    """Per-zone subnets of one VPC, keyed by zone name in slot order."""

    vpc: IPv4Network
    zones: dict[str, ZoneSubnets]


@dataclass(frozen=True)
class ClusterRanges:
    """Primary (nodes) and secondary (pods, services) ranges of one GKE regional subnetwork."""

    nodes: IPv4Network
    pods: IPv4Network
    services: IPv4Network


def _check_vpc(vpc: object) -> IPv4Network:
    """Return the VPC network if it is an IPv4Network of an accepted size, else raise SubnetPlanError."""
    if not isinstance(vpc, IPv4Network):
        raise SubnetPlanError(
            f"VPC CIDR must be an ipaddress.IPv4Network, got {type(vpc).__name__} {vpc!r}: "
            "pass ipaddress.IPv4Network('10.0.0.0/16')"
        )
    accepted = f"accepted prefixes are /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}"
    if vpc.prefixlen > MAX_VPC_PREFIX:
        raise SubnetPlanError(f"{vpc} is too small: use a /{MAX_VPC_PREFIX} or larger ({accepted})")
    if vpc.prefixlen < MIN_VPC_PREFIX:
        raise SubnetPlanError(f"{vpc} is too large: use a /{MIN_VPC_PREFIX} or smaller ({accepted})")
    return vpc


def _block(net: IPv4Network, bits: int, index: int) -> IPv4Network:
    """Return the index-th subnet of net with `bits` more prefix bits, computed without enumerating."""
    size = net.num_addresses >> bits
    return IPv4Network((int(net.network_address) + index * size, net.prefixlen + bits))


def _check_slot(zone: object, slot: object) -> int:
    """Return the slot if it is an int in range, else raise SubnetPlanError naming the zone."""
    if not isinstance(zone, str) or not zone:
        raise SubnetPlanError(f"zone name must be a non-empty string, got {zone!r}: use e.g. 'us-east-1a'")
    # bool is an int subclass; True as a slot is almost surely a bug, not slot 1.
    if isinstance(slot, bool) or not isinstance(slot, int):
        raise SubnetPlanError(f"slot of zone {zone!r} must be an int, got {slot!r}: use its index 0..6")
    if not 0 <= slot < MAX_ZONE_SLOTS:
        raise SubnetPlanError(
            f"slot {slot} of zone {zone!r} is out of range: use a slot from 0 to {MAX_ZONE_SLOTS - 1}"
        )
    return slot


def zone_subnets(vpc: IPv4Network, zone: str, slot: int) -> ZoneSubnets:
    """Return the subnets of one zone; they depend only on (vpc, slot), never on other zones."""
    vpc = _check_vpc(vpc)
    slot = _check_slot(zone, slot)
    public_parent = _block(vpc, _BLOCK_BITS, _PUBLIC_BLOCK_INDEX)
    return ZoneSubnets(
        zone=zone,
        private=_block(vpc, _BLOCK_BITS, slot),
        public=_block(public_parent, _BLOCK_BITS, slot),
    )


def plan_zone_subnets(vpc: IPv4Network, zone_slots: Mapping[str, int]) -> SubnetPlan:
    """Plan per-zone subnets; zone_slots maps each zone to its stable slot (its index in the zone table)."""
    vpc = _check_vpc(vpc)
    if not zone_slots:
        raise SubnetPlanError("no zones given: map at least one zone name to its slot, e.g. {'us-east-1a': 0}")
    owners: dict[int, str] = {}
    for zone, slot in zone_slots.items():
        slot = _check_slot(zone, slot)
        if slot in owners:
            raise SubnetPlanError(f"zones {owners[slot]!r} and {zone!r} share slot {slot}: give each zone its own slot")
        owners[slot] = zone
    # Slot order, not mapping order, so equal inputs give equal plans however the mapping was built.
    zones = {owners[slot]: zone_subnets(vpc, owners[slot], slot) for slot in sorted(owners)}
    return SubnetPlan(vpc=vpc, zones=zones)


def plan_cluster_ranges(vpc: IPv4Network) -> ClusterRanges:
    """Plan the node, pod and service ranges of a GKE regional subnetwork inside the VPC block."""
    vpc = _check_vpc(vpc)
    return ClusterRanges(
        nodes=_block(vpc, _BLOCK_BITS, 4),
        pods=_block(vpc, 1, 0),
        services=_block(vpc, _BLOCK_BITS, 5),
    )
