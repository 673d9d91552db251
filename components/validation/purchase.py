"""Purchase options: each pool's capacity preferences, the reservations it names, and models' on-demand base.

A reservation must sit where its pool can place a node and hold no more nodes than the pool may have; a
preference list names each option once; `reserved` and reservations come together. What a provisioner does
with a list it cannot follow in full is a warning, not a silent choice.
"""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.planning.defaults import pool_zones
from inferstack.planning.provisioning import follows_preferences
from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec, NodePoolSpec
from inferstack.validation.common import field_path

# The reservation fields each cloud reads; the others are refused where they would be ignored.
RESERVATION_FIELDS = {"aws": ("id", "tags"), "gcp": ("name",)}


def check_purchase(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Preference lists name options once, reserved comes with reservations, and each reservation fits its pool."""
    for key, pool in spec.node_pools.items():
        yield from _check_preferences(key, pool, follows_preferences(spec))
        for name in pool.reservations:
            yield from _check_reservation(spec, key, name)
    yield from _check_on_demand_base(spec)


def _check_preferences(key: str, pool: NodePoolSpec, follows_list: bool) -> Iterable[SpecIssue]:
    path = field_path("node_pools", key, "capacity")
    repeated = sorted({option for option in pool.capacity if pool.capacity.count(option) > 1})
    if repeated:
        yield SpecIssue(path, f"lists {', '.join(repeated)} more than once", "name each purchase option once")
    if "reserved" in pool.capacity and not pool.reservations:
        yield SpecIssue(
            path,
            "lists reserved but the pool names no reservation",
            f"add node_pools.{key}.reservations (id or tags on aws, name on gcp, with zone and count), "
            "or drop reserved",
        )
    if pool.reservations and "reserved" not in pool.capacity:
        yield SpecIssue(
            field_path("node_pools", key, "reservations"),
            "the pool has reservations but its capacity does not list reserved, so they would never be used",
            f"add reserved to node_pools.{key}.capacity (first, to use them before anything else), "
            "or remove the reservations",
        )
    if pool.capacity[0] == "reserved" and not follows_list:
        yield SpecIssue(
            path,
            "reserved first: managed node groups and GKE node pools take one capacity type and cannot consume a "
            "reservation",
            "put on_demand or spot first, or set cluster.provisioner to karpenter (aws) or compute_class (gcp)",
        )


def _check_reservation(spec: EnvironmentSpec, key: str, name: str) -> Iterable[SpecIssue]:
    pool = spec.node_pools[key]
    reservation = pool.reservations[name]
    base = ("node_pools", key, "reservations", name)
    given = [field for field in ("id", "tags", "name") if getattr(reservation, field) is not None]
    wanted = RESERVATION_FIELDS.get(spec.cloud)
    if wanted is None:
        yield SpecIssue(
            field_path(*base),
            "reservations are bought from a cloud; a kubernetes stack uses the nodes it is given",
            f"remove node_pools.{key}.reservations",
        )
        return
    foreign = [field for field in given if field not in wanted]
    for field in foreign:
        yield SpecIssue(
            field_path(*base, field),
            f"is not how {spec.cloud} names a reservation",
            f"use {' or '.join(wanted)} on {spec.cloud}",
        )
    if not foreign and len(given) != 1:
        yield SpecIssue(
            field_path(*base),
            f"names the reservation {'in no way' if not given else 'twice (' + ' and '.join(given) + ')'}",
            f"give exactly one of: {', '.join(wanted)}",
        )
    if reservation.capacity_block and spec.cloud != "aws":
        yield SpecIssue(
            field_path(*base, "capacity_block"), "Capacity Blocks are an AWS purchase", "remove capacity_block"
        )
    zones = pool_zones(spec, pool)
    if zones and reservation.zone not in zones:
        yield SpecIssue(
            field_path(*base, "zone"),
            f"zone {reservation.zone!r} is not one of pool {key}'s zones, so no node of the pool can use it",
            f"use one of: {', '.join(zones)}, or add the zone to the pool",
        )
    if reservation.count > pool.max:
        yield SpecIssue(
            field_path(*base, "count"),
            f"{reservation.count} nodes is above pool {key}'s max of {pool.max}: the rest would be paid for unused",
            f"raise node_pools.{key}.max to {reservation.count}, or lower count",
        )


def _check_on_demand_base(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    for key, model in sorted(spec.models.items()):
        base = model.replicas.on_demand_base
        if base == 0:
            continue
        path = field_path("models", key, "replicas", "on_demand_base")
        if base > model.replicas.min:
            yield SpecIssue(
                path,
                f"{base} on-demand replicas is above replicas.min ({model.replicas.min}): the base is kept at all "
                "times",
                f"lower on_demand_base to at most {model.replicas.min}, or raise replicas.min",
            )
        pool = spec.node_pools.get(model.pool or "")
        if pool is not None and follows_preferences(spec) and "on_demand" not in pool.capacity:
            yield SpecIssue(
                path,
                f"pool {model.pool}'s capacity ({', '.join(pool.capacity)}) has no on_demand, so no replica can be "
                "kept on on-demand capacity",
                f"add on_demand to node_pools.{model.pool}.capacity, or set on_demand_base: 0",
            )
        elif pool is not None and not follows_preferences(spec) and pool.capacity[0] != "on_demand":
            # A node group or GKE node pool is all of its first capacity type: none of its nodes is on-demand.
            yield SpecIssue(
                path,
                f"pool {model.pool}'s nodes are all {pool.capacity[0]} (a node pool has one capacity type, the "
                "first preference), so no replica can be kept on on-demand capacity",
                f"put on_demand first in node_pools.{model.pool}.capacity, move the model to an on-demand pool, "
                "or set on_demand_base: 0",
            )


def warn_purchase(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """A preference list a provisioner follows only in part: node groups and GKE node pools take the first."""
    if spec.cloud == "kubernetes" or follows_preferences(spec):
        return
    for key, pool in sorted(spec.node_pools.items()):
        if len(pool.capacity) > 1 and pool.capacity[0] != "reserved":
            yield SpecWarning(
                field_path("node_pools", key, "capacity"),
                f"a managed node pool has one capacity type: only the first preference, {pool.capacity[0]}, is used "
                f"({', '.join(pool.capacity[1:])} ignored)",
                "keep one value, or split the pool into one pool per capacity type",
            )
    for key, model in sorted(spec.models.items()):
        pool = spec.node_pools.get(model.pool or "")
        if model.replicas.on_demand_base and pool is not None and pool.capacity[0] == "on_demand":
            yield SpecWarning(
                field_path("models", key, "replicas", "on_demand_base"),
                f"pool {model.pool}'s nodes are all on-demand, so every replica is on-demand already",
                "drop on_demand_base, or put spot first in the pool's capacity",
            )
