"""`size --compare --rank nodes`: the fewest whole nodes that carry a load, priced by the month."""

from __future__ import annotations

import math

import pytest

from inferstack import catalog
from inferstack.planning.capacity import model_shape
from inferstack.planning.cost_rows import HOURS_PER_MONTH
from inferstack.planning.node_ranking import compare_by_nodes, compare_capacities, load_cost
from inferstack.planning.serving import Request, compare, size
from inferstack.planning.throughput import Objectives

QWEN7 = model_shape("qwen2.5-7b")[1]  # type: ignore[index]
BASE = Request(shape=QWEN7, gpu="nvidia-l4", objectives=Objectives(tpot_s=0.06))


@pytest.fixture(scope="module")
def small_load():
    return compare_by_nodes(BASE, requests_per_s=1.0, cloud="aws", region="us-east-1")


def test_a_small_load_is_carried_by_one_small_node_not_an_eight_gpu_one(small_load) -> None:
    # The cheapest 8-GPU node per token (ranked by tokens per dollar, the whole node serves many replicas).
    eight = [r for r in compare(BASE, cloud="aws", region="us-east-1") if r.price and r.price.gpus_per_node == 8]
    assert eight
    best_per_token = eight[0]
    assert best_per_token.price is not None
    best, cost = small_load[0]
    assert best.price is not None and best.price.gpus_per_node < 8 and cost.nodes == 1
    # A whole 8-GPU node for 1 req/s costs more a month than the small node carrying it.
    assert cost.monthly_usd < best_per_token.price.node_usd_per_hour * HOURS_PER_MONTH


def test_ranking_is_by_monthly_cost_and_every_option_carries_the_load(small_load) -> None:
    costs = [cost.monthly_usd for _, cost in small_load]
    assert costs == sorted(costs)
    for result, cost in small_load:
        assert result.price is not None and result.capacity is not None
        assert cost.replicas * result.capacity.requests_per_s >= 1.0 - 1e-9
        # Fewest nodes: one node fewer could not hold the replicas.
        assert (cost.nodes - 1) * cost.replicas_per_node < cost.replicas <= cost.nodes * cost.replicas_per_node
        assert cost.monthly_usd == pytest.approx(cost.nodes * result.price.node_usd_per_hour * HOURS_PER_MONTH)


def test_more_load_never_costs_less_on_the_same_option() -> None:
    light = {
        (r.price.instance_type, r.request.tp): c
        for r, c in compare_by_nodes(BASE, requests_per_s=1.0, region="us-east-1")
        if r.price
    }
    heavy = {
        (r.price.instance_type, r.request.tp): c
        for r, c in compare_by_nodes(BASE, requests_per_s=40.0, region="us-east-1")
        if r.price
    }
    assert light and set(heavy) <= set(light)
    for option, cost in heavy.items():
        assert cost.monthly_usd >= light[option].monthly_usd, option
    assert any(cost.nodes > 1 for cost in heavy.values())


def test_a_concurrency_load_is_spread_over_replicas_at_their_capacity_point() -> None:
    ranked = compare_by_nodes(BASE, concurrency=500, cloud="gcp", region="us-central1")
    assert ranked
    for result, cost in ranked:
        assert result.capacity is not None
        assert cost.replicas == max(1, math.ceil(500 / result.capacity.concurrency))


def test_no_load_is_refused() -> None:
    with pytest.raises(ValueError, match="load"):
        compare_by_nodes(BASE)
    result = compare(BASE, region="us-east-1")[0]
    with pytest.raises(ValueError, match="load"):
        load_cost(result, requests_per_s=None, concurrency=None)


def test_each_capacity_type_is_ranked_with_its_own_price() -> None:
    both = compare_capacities(BASE, ("on_demand", "spot"), cloud="aws", region="us-east-1")
    kinds = {r.price.capacity for r in both if r.price is not None}
    assert kinds == {"on_demand", "spot"}
    by_key = {(r.price.instance_type, r.price.capacity): r.price for r in both if r.price is not None}
    offer = catalog.instance_types("aws")["g5.xlarge"].regions["us-east-1"]
    assert by_key[("g5.xlarge", "spot")].node_usd_per_hour == offer.spot_usd_per_hour
    assert by_key[("g5.xlarge", "on_demand")].node_usd_per_hour == offer.on_demand_usd_per_hour
    # Ranked together, cheapest token first: a spot option beats the same instance on demand.
    tokens = [r.usd_per_million_tokens or math.inf for r in both]
    assert tokens == sorted(tokens)
    spot_rank = next(i for i, r in enumerate(both) if r.price and r.price.capacity == "spot")
    demand_rank = next(i for i, r in enumerate(both) if r.price and r.price.capacity == "on_demand")
    assert spot_rank < demand_rank


def test_a_reserved_option_is_priced_at_the_on_demand_rate_and_labelled() -> None:
    reserved = compare_capacities(BASE, ("reserved",), cloud="gcp", region="us-central1")
    demand = compare_capacities(BASE, ("on_demand",), cloud="gcp", region="us-central1")
    assert [r.price.capacity for r in reserved if r.price] == ["reserved"] * len(reserved)
    assert [r.usd_per_million_tokens for r in reserved] == [r.usd_per_million_tokens for r in demand]
    ranked = compare_by_nodes(BASE, requests_per_s=1.0, cloud="gcp", region="us-central1", capacities=("reserved",))
    assert ranked and all(r.price is not None and r.price.capacity == "reserved" for r, _ in ranked)


def test_an_unknown_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown capacity 'cheap'"):
        compare_capacities(BASE, ("cheap",))


def test_every_compared_option_is_sized_for_its_own_cloud() -> None:
    # A GPU both clouds offer boots a node in a different time on each (and reads its weights by another path):
    # a GCP row must not carry the sizing of the AWS instance listed first.
    rows = [row for row in compare(BASE) if row.request.tp == 1]
    clouds = {(row.request.gpu, row.price.cloud) for row in rows if row.price}
    both = {gpu for gpu, cloud in clouds if cloud == "gcp"} & {gpu for gpu, cloud in clouds if cloud == "aws"}
    assert both, "the catalog has GPUs on both clouds"
    own = {(gpu, cloud): size(Request(**{**BASE.__dict__, "gpu": gpu, "tp": 1}), None, cloud) for gpu, cloud in clouds}
    for row in rows:
        assert row.price is not None
        assert row.startup == own[(row.request.gpu, row.price.cloud)].startup, row.price


def test_ranking_every_capacity_sizes_each_option_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import inferstack.planning.serving as serving

    calls: list[tuple[str, int, str]] = []
    real_size = serving.size

    def counted(request: Request, price: object, cloud: str = "aws") -> object:
        calls.append((request.gpu, request.tp, cloud))
        return real_size(request, price, cloud)  # type: ignore[arg-type]

    monkeypatch.setattr(serving, "size", counted)
    compare_capacities(BASE, ["on_demand", "spot", "reserved"], cloud="aws")
    assert calls and len(calls) == len(set(calls)), "one sizing per GPU, TP degree and cloud for all three capacities"
