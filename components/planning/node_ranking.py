"""`size --compare --rank nodes`: rank options by what the fewest nodes that carry a given load cost a month.

The default ranking (`serving.compare`) prices a replica at full capacity, so a big 8-GPU node looks cheapest per
token even when the load needs one GPU. Here the load is fixed (a request rate or a number of concurrent
requests), each option gets the replicas that carry it, those are packed onto whole nodes, and the nodes are priced.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from inferstack.planning.cost_rows import HOURS_PER_MONTH
from inferstack.planning.serving import Request, Sizing, compare
from inferstack.planning.throughput import replicas_needed

# What `--capacity` accepts, in the spec's spelling.
CAPACITIES = ("on_demand", "spot", "reserved")
# A reservation (an AWS On-Demand Capacity Reservation, a GCP reservation) bills at the on-demand rate for every hour
# it exists, used or not, unless a Savings Plan or committed-use discount covers it; the catalog records no
# Capacity Block or committed rate, so a reserved option is priced at the on-demand rate (planning/cost.py says the
# same on a stack's reserved pool).
RESERVED_PRICE_NOTE = (
    "reserved: priced at the on-demand rate, billed for every hour whether used or not (ODCRs and GCP reservations "
    "bill as on-demand unless a Savings Plan or committed-use discount covers them; the catalog has no committed or "
    "Capacity Block rate)"
)


def compare_capacities(
    base: Request, capacities: Sequence[str], *, cloud: str | None = None, region: str | None = None
) -> list[Sizing]:
    """`serving.compare` once per capacity type, each option labelled with its type, cheapest token first."""
    results: list[Sizing] = []
    # The capacity type changes the price, not what a replica does: each option is sized once for all of them.
    sized: dict[tuple[str, int, str], Sizing] = {}
    for capacity in dict.fromkeys(capacities):
        if capacity not in CAPACITIES:
            raise ValueError(f"unknown capacity {capacity!r}: one of {', '.join(CAPACITIES)}")
        for result in compare(base, cloud=cloud, region=region, spot=capacity == "spot", sized=sized):
            price = result.price
            if capacity == "reserved" and price is not None:
                # The on-demand price, relabelled: the replica's share and the per-token price are unchanged.
                result = Sizing(**{**result.__dict__, "price": replace(price, capacity="reserved")})
            results.append(result)

    def key(item: Sizing) -> tuple[float, str, str, str]:
        price = item.price
        if price is None:
            return (item.usd_per_million_tokens or math.inf, "", "", "")
        return (item.usd_per_million_tokens or math.inf, price.instance_type, price.region, price.capacity)

    return sorted(results, key=key)


@dataclass(frozen=True)
class LoadCost:
    """The fewest replicas and whole nodes of one option that carry the load, and their monthly price."""

    replicas: int
    replicas_per_node: int
    nodes: int
    monthly_usd: float

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        return asdict(self)


def load_cost(result: Sizing, *, requests_per_s: float | None, concurrency: int | None) -> LoadCost | None:
    """What carrying the load costs on this option; None when it is unpriced or meets no objective."""
    price, capacity = result.price, result.capacity
    if price is None or capacity is None:
        return None
    if requests_per_s is not None and result.load is not None and result.load.requests_per_s == requests_per_s:
        # The open-loop sizing `size` did for this rate: per-replica share within the objectives, queue stable.
        replicas = result.load.replicas
    elif requests_per_s is not None:
        replicas = replicas_needed(requests_per_s, capacity)
    elif concurrency is not None:
        # The capacity point is the most concurrent requests one replica holds within the objectives.
        replicas = max(1, math.ceil(concurrency / capacity.concurrency))
    else:
        raise ValueError("a load (requests_per_s or concurrency) is needed to rank by nodes")
    per_node = max(1, price.gpus_per_node // result.request.tp)
    nodes = math.ceil(replicas / per_node)
    return LoadCost(
        replicas=replicas,
        replicas_per_node=per_node,
        nodes=nodes,
        monthly_usd=nodes * price.node_usd_per_hour * HOURS_PER_MONTH,
    )


def compare_by_nodes(
    base: Request,
    *,
    requests_per_s: float | None = None,
    concurrency: int | None = None,
    cloud: str | None = None,
    region: str | None = None,
    capacities: Sequence[str] = ("on_demand",),
) -> list[tuple[Sizing, LoadCost]]:
    """Every option that fits and meets the objectives, cheapest monthly cost of the nodes carrying the load first.

    `concurrency` here is the total of concurrent requests to carry, spread over replicas; each replica is sized
    on its own (one sequence must fit), so `base.concurrency` is ignored.
    """
    if requests_per_s is None and concurrency is None:
        raise ValueError("a load (requests_per_s or concurrency) is needed to rank by nodes")
    per_replica = Request(**{**base.__dict__, "concurrency": None, "requests_per_s": requests_per_s})
    ranked: list[tuple[Sizing, LoadCost]] = []
    for result in compare_capacities(per_replica, capacities, cloud=cloud, region=region):
        cost = load_cost(result, requests_per_s=requests_per_s, concurrency=concurrency)
        if cost is not None:
            ranked.append((result, cost))

    # Ties (same monthly bill) go to the cheaper token, then to the name, so the order is deterministic.
    def key(item: tuple[Sizing, LoadCost]) -> tuple[float, float, str, str, str]:
        sizing, cost = item
        price = sizing.price
        tokens = sizing.usd_per_million_tokens or math.inf
        if price is None:
            return (cost.monthly_usd, tokens, "", "", "")
        return (cost.monthly_usd, tokens, price.instance_type, price.region, price.capacity)

    return sorted(ranked, key=key)
