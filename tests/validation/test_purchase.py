"""Capacity preferences, reservations and on_demand_base: what validation refuses and warns, with its message."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.spec.models import NodePoolSpec
from inferstack.validation import parse_environment_checked
from tests.validation.test_capacity import problems, seed, warnings

ODCR = "cr-0123456789abcdef0"


@pytest.mark.parametrize(
    ("written", "held"),
    [("spot", ("spot",)), (["spot", "on_demand"], ("spot", "on_demand")), (None, ("on_demand",))],
)
def test_one_value_or_a_list_is_held_as_a_tuple(written: object, held: tuple[str, ...]) -> None:
    fields: dict[str, Any] = {"gpu": "nvidia-l4"} | ({} if written is None else {"capacity": written})
    assert NodePoolSpec.model_validate(fields).capacity == held


def test_an_empty_preference_list_is_refused() -> None:
    document = seed("aws-dev")
    document["node_pools"]["l4"]["capacity"] = []
    (problem,) = problems(document)
    assert problem.startswith("environment.node_pools.l4.capacity: is empty — list at least one")


def test_an_option_named_twice_is_refused() -> None:
    document = seed("aws-dev")
    document["node_pools"]["l4"]["capacity"] = ["spot", "on_demand", "spot"]
    assert problems(document) == [
        "environment.node_pools.l4.capacity: lists spot more than once — name each purchase option once"
    ]


def _reserved_pool(document: dict[str, Any], reservation: dict[str, Any]) -> dict[str, Any]:
    pool = document["node_pools"]["l4"]
    pool["capacity"] = ["on_demand", "reserved"]
    pool["reservations"] = {"block": reservation}
    return pool


@pytest.mark.parametrize(
    ("stack", "reservation"),
    [
        ("aws-dev", {"id": ODCR, "zone": "use1-az1", "count": 2}),
        ("aws-dev", {"tags": {"team": "ml"}, "zone": "use1-az2", "count": 1, "capacity_block": True}),
        ("gcp-dev", {"name": "l4-reservation", "zone": "us-central1-a", "count": 2}),
    ],
)
def test_a_reservation_that_matches_its_pool_validates(stack: str, reservation: dict[str, Any]) -> None:
    document = seed(stack)
    _reserved_pool(document, reservation)
    spec = parse_environment_checked(document, "t").spec
    assert spec.node_pools["l4"].reservations["block"].count == reservation["count"]


def test_a_reservation_in_another_zone_or_above_max_is_refused() -> None:
    document = seed("aws-dev")
    _reserved_pool(document, {"id": ODCR, "zone": "use1-az4", "count": 3})
    assert problems(document) == [
        "environment.node_pools.l4.reservations.block.count: 3 nodes is above pool l4's max of 2: the rest would "
        "be paid for unused — raise node_pools.l4.max to 3, or lower count",
        "environment.node_pools.l4.reservations.block.zone: zone 'use1-az4' is not one of pool l4's zones, so no "
        "node of the pool can use it — use one of: use1-az1, use1-az2, or add the zone to the pool",
    ]


@pytest.mark.parametrize(
    ("stack", "reservation", "expected"),
    [
        (
            "aws-dev",
            {"name": "l4-reservation", "zone": "use1-az1", "count": 1},
            "environment.node_pools.l4.reservations.block.name: is not how aws names a reservation — use id or tags "
            "on aws",
        ),
        (
            "gcp-dev",
            {"id": ODCR, "zone": "us-central1-a", "count": 1},
            "environment.node_pools.l4.reservations.block.id: is not how gcp names a reservation — use name on gcp",
        ),
        (
            "aws-dev",
            {"id": ODCR, "tags": {"team": "ml"}, "zone": "use1-az1", "count": 1},
            "environment.node_pools.l4.reservations.block: names the reservation twice (id and tags) — give "
            "exactly one of: id, tags",
        ),
        (
            "aws-dev",
            {"zone": "use1-az1", "count": 1},
            "environment.node_pools.l4.reservations.block: names the reservation in no way — give exactly one of: "
            "id, tags",
        ),
    ],
)
def test_a_reservation_is_named_the_way_its_cloud_names_it(
    stack: str, reservation: dict[str, Any], expected: str
) -> None:
    document = seed(stack)
    _reserved_pool(document, reservation)
    assert problems(document) == [expected]


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "cr-0123456789abcdef"), ("id", "cr-0123456789ABCDEF0"), ("id", "odcr-1"), ("name", "L4_res")],
)
def test_malformed_reservation_ids_and_names_are_refused(field: str, value: str) -> None:
    document = seed("aws-dev" if field == "id" else "gcp-dev")
    zone = "use1-az1" if field == "id" else "us-central1-a"
    _reserved_pool(document, {field: value, "zone": zone, "count": 1})
    (problem,) = problems(document)
    assert problem.startswith(f"environment.node_pools.l4.reservations.block.{field}: {value!r} does not have the")


def test_reserved_without_a_reservation_and_a_reservation_without_reserved_are_refused() -> None:
    document = seed("aws-dev")
    document["node_pools"]["l4"]["capacity"] = ["spot", "reserved"]
    assert problems(document) == [
        "environment.node_pools.l4.capacity: lists reserved but the pool names no reservation — add "
        "node_pools.l4.reservations (id or tags on aws, name on gcp, with zone and count), or drop reserved"
    ]
    document["node_pools"]["l4"]["capacity"] = "spot"
    document["node_pools"]["l4"]["reservations"] = {"block": {"id": ODCR, "zone": "use1-az1", "count": 1}}
    assert problems(document) == [
        "environment.node_pools.l4.reservations: the pool has reservations but its capacity does not list "
        "reserved, so they would never be used — add reserved to node_pools.l4.capacity (first, to use them "
        "before anything else), or remove the reservations"
    ]


def test_on_demand_base_above_replicas_min_is_refused() -> None:
    document = seed("aws-prod")
    document["models"]["small"]["replicas"]["on_demand_base"] = 3
    assert problems(document) == [
        "environment.models.small.replicas.on_demand_base: 3 on-demand replicas is above replicas.min (2): the "
        "base is kept at all times — lower on_demand_base to at most 2, or raise replicas.min"
    ]


def test_on_demand_base_on_a_pool_of_spot_nodes_is_refused() -> None:
    document = seed("aws-dev")
    document["models"]["chat"]["replicas"]["on_demand_base"] = 1
    (problem,) = problems(document)
    assert problem.startswith("environment.models.chat.replicas.on_demand_base: pool l4's nodes are all spot")


@pytest.mark.parametrize("stack", ["aws-dev", "gcp-dev"])
def test_a_node_pool_uses_its_first_preference_and_says_so(stack: str) -> None:
    document = seed(stack)
    document.get("cluster", {}).pop("provisioner", None)
    document["node_pools"]["l4"].pop("reservations", None)
    document["node_pools"]["l4"]["capacity"] = ["spot", "on_demand"]
    assert (
        "environment.node_pools.l4.capacity: a managed node pool has one capacity type: only the first preference, "
        "spot, is used (on_demand ignored) — keep one value, or split the pool into one pool per capacity type"
    ) in warnings(document)


@pytest.mark.parametrize(
    ("stack", "provisioner", "expected"),
    [
        ("gcp-dev", "karpenter", "karpenter runs on aws only (cloud is gcp)"),
        ("aws-dev", "compute_class", "compute_class runs on gcp only (cloud is aws)"),
        ("local", "managed_pools", "an existing cluster's nodes are not created by inferstack"),
    ],
)
def test_a_provisioner_runs_on_its_own_cloud_only(stack: str, provisioner: str, expected: str) -> None:
    document = seed(stack)
    document.setdefault("cluster", {})["provisioner"] = provisioner
    assert any(p.startswith(f"environment.cluster.provisioner: {expected}") for p in problems(document))


@pytest.mark.parametrize(("stack", "provisioner"), [("aws-dev", "karpenter"), ("gcp-dev", "compute_class")])
def test_a_provisioner_that_follows_the_list_takes_reserved_first_without_a_warning(
    stack: str, provisioner: str
) -> None:
    document = seed(stack)
    reservation = (
        {"id": ODCR, "zone": "use1-az1", "count": 1}
        if stack == "aws-dev"
        else {"name": "l4-reservation", "zone": "us-central1-a", "count": 1}
    )
    _reserved_pool(document, reservation)["capacity"] = ["reserved", "spot", "on_demand"]
    document.setdefault("cluster", {})["provisioner"] = provisioner
    assert parse_environment_checked(document, "t").spec.cluster.provisioner == provisioner
    assert not any("node_pools.l4.capacity" in warning for warning in warnings(document))
    document.setdefault("cluster", {})["provisioner"] = "managed_pools"
    assert any("reserved first: managed node groups" in p for p in problems(document))


def test_on_demand_base_on_a_list_without_on_demand_is_refused() -> None:
    document = seed("aws-dev")
    document.setdefault("cluster", {})["provisioner"] = "karpenter"
    document["models"]["chat"]["replicas"]["on_demand_base"] = 1
    (problem,) = problems(document)
    assert problem.startswith("environment.models.chat.replicas.on_demand_base: pool l4's capacity (spot) has no")
    document["node_pools"]["l4"]["capacity"] = ["spot", "on_demand"]
    assert parse_environment_checked(document, "t").spec.models["chat"].replicas.on_demand_base == 1
