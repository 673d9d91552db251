"""`size --compare --rank nodes`: rank options by what the fewest nodes that carry a given load cost a month.

The default ranking (`serving.compare`) prices a replica at full capacity, so a big 8-GPU node looks cheapest per
token even when the load needs one GPU. Here the load is fixed (a request rate or a number of concurrent
requests), each option gets the replicas that carry it, those are packed onto whole nodes, and the nodes are priced.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from inferstack.planning.cost_rows import HOURS_PER_MONTH
from inferstack.planning.serving import Request, Sizing, compare
from inferstack.planning.throughput import replicas_needed


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
    spot: bool = False,
) -> list[tuple[Sizing, LoadCost]]:
    """Every option that fits and meets the objectives, cheapest monthly cost of the nodes carrying the load first.

    `concurrency` here is the total of concurrent requests to carry, spread over replicas; each replica is sized
    on its own (one sequence must fit), so `base.concurrency` is ignored.
    """
    if requests_per_s is None and concurrency is None:
        raise ValueError("a load (requests_per_s or concurrency) is needed to rank by nodes")
    per_replica = Request(**{**base.__dict__, "concurrency": None, "requests_per_s": requests_per_s})
    ranked: list[tuple[Sizing, LoadCost]] = []
    for result in compare(per_replica, cloud=cloud, region=region, spot=spot):
        cost = load_cost(result, requests_per_s=requests_per_s, concurrency=concurrency)
        if cost is not None:
            ranked.append((result, cost))

    # Ties (same monthly bill) go to the cheaper token, then to the name, so the order is deterministic.
    def key(item: tuple[Sizing, LoadCost]) -> tuple[float, float, str, str]:
        sizing, cost = item
        name, where = (sizing.price.instance_type, sizing.price.region) if sizing.price else ("", "")
        return (cost.monthly_usd, sizing.usd_per_million_tokens or math.inf, name, where)

    return sorted(ranked, key=key)
