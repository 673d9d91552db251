"""Open-loop sizing: the fewest replicas whose share of a request rate meets the objectives, with a stable queue."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.open_loop import erlang_c, rate_performance, size_load
from inferstack.planning.serving import Request, size
from inferstack.planning.sizing import precision
from inferstack.planning.throughput import Objectives, performance
from tests.bench.engines import engine_efficiency, running_limit
from tests.bench.published_report import load_table, predict

LLAMA8 = model_shape("llama-3.1-8b")[1]  # type: ignore[index]
RATE_POINTS = [p for p in load_table()["points"] if p.get("request_rate") is not None]


def _sized(**overrides: Any) -> Any:
    request = Request(**{"shape": LLAMA8, "gpu": "nvidia-l4", "prompt": 1000, "output": 250, **overrides})
    return size(request, None)


def test_erlang_c_matches_its_closed_forms() -> None:
    # One server: an arrival waits with the probability the server is busy; two servers at load 1: one third.
    assert erlang_c(1, 0.3) == pytest.approx(0.3)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(64, 0.0) == 0.0
    assert erlang_c(64, 32.0) < 0.01 < erlang_c(64, 60.0) < 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"requests_per_s": 30.0},
        {"requests_per_s": 30.0, "objectives": Objectives(ttft_s=1.0)},
        {"requests_per_s": 12.0, "objectives": Objectives(tpot_s=0.1)},
        {"requests_per_s": 5.0, "max_num_seqs": 8},
    ],
)
def test_replicas_are_the_fewest_whose_share_is_stable_and_meets_the_objectives(overrides: dict[str, Any]) -> None:
    sized = _sized(**overrides)
    load, goals, rate = sized.load, sized.request.objectives, sized.request.requests_per_s
    assert load is not None and sized.replicas == load.replicas > 1
    shape, acc, prec = LLAMA8, accelerator("nvidia-l4"), precision(LLAMA8, None)
    eff = default_efficiency("nvidia-l4")

    def steady(replicas: int) -> Any:
        return rate_performance(
            shape, acc, prec, eff, prompt=1000, output=250, rate=rate / replicas, max_running=load.running_cap
        )

    each = steady(load.replicas)
    assert each == load.per_replica and goals.met_by(each) and load.utilization < 1
    # One replica fewer: the share saturates a replica (no steady state), misses an objective, or (no TTFT
    # objective) makes arrivals wait longer than the replica's own TTFT.
    fewer = steady(load.replicas - 1)
    assert (
        fewer is None
        or not goals.met_by(fewer)
        or rate / (load.replicas - 1) >= load.saturation_requests_per_s
        or (goals.ttft_s is None and fewer.queue_s > fewer.ttft_s - fewer.queue_s)
    )


def test_without_a_ttft_objective_the_queue_wait_is_bounded_by_the_replicas_own_ttft() -> None:
    # Near saturation the Erlang C wait grows without bound; with no TTFT objective nothing else would stop the
    # sizing at 99% utilisation with waits of minutes.
    for rate in (5.0, 50.0):
        load = _sized(requests_per_s=rate).load
        assert load is not None
        each = load.per_replica
        assert each.queue_s <= each.ttft_s - each.queue_s
        assert each.ttft_s < 2 * _sized(concurrency=1).at_concurrency.ttft_s + 1.0


def test_a_ttft_objective_prices_in_the_poisson_queue() -> None:
    free = _sized(requests_per_s=30.0).load
    tight = _sized(requests_per_s=30.0, objectives=Objectives(ttft_s=0.4)).load
    loose = _sized(requests_per_s=30.0, objectives=Objectives(ttft_s=5.0)).load
    assert free is not None and tight is not None and loose is not None
    # A TTFT objective replaces the default queue bound: a tight one buys replicas to keep arrivals from waiting
    # for a KV slot, a loose one lets each replica run closer to saturation, its arrivals waiting seconds.
    assert tight.replicas > free.replicas > loose.replicas and tight.per_replica.ttft_s <= 0.4
    assert loose.per_replica.queue_s > 1.0 and loose.utilization > free.utilization
    assert "arrivals wait" in loose.describe() and "KV cache" in loose.describe()


def test_the_binding_cap_is_reported() -> None:
    engine = _sized(requests_per_s=5.0, max_num_seqs=8).load
    kv = _sized(requests_per_s=5.0).load
    assert engine is not None and engine.capped_by == "max_num_seqs" and engine.running_cap == 8
    assert kv is not None and kv.capped_by == "KV cache" and kv.running_cap == _sized().fit.max_sequences


def test_no_replica_count_when_one_request_alone_misses_the_objective() -> None:
    alone = performance(
        LLAMA8,
        accelerator("nvidia-l4"),
        precision(LLAMA8, None),
        default_efficiency("nvidia-l4"),
        prompt=1000,
        output=250,
        concurrency=1,
    )
    sized = _sized(requests_per_s=1.0, objectives=Objectives(tpot_s=alone.tpot_s * 0.9))
    assert sized.load is None and sized.replicas is None


@pytest.mark.parametrize("point", RATE_POINTS, ids=[p["id"] for p in RATE_POINTS])
def test_sizing_carries_each_published_rate_on_one_replica_as_the_report_predicts(point: dict[str, Any]) -> None:
    # The report and `size --rps` are the same open-loop model: the published rate fits one replica, and its TPOT
    # is the report's prediction (end to end through `size` where the point runs the catalog's own factors).
    shape = model_shape(point["model"])[1]  # type: ignore[index]
    request = Request(
        shape=shape,
        gpu=point["gpu"],
        tp=point["tp"],
        quantization=point["quantization"],
        kv_cache_dtype=point["kv_cache_dtype"],
        prompt=point["input"],
        output=point["output"],
        max_num_seqs=running_limit(point),
        requests_per_s=point["request_rate"],
    )
    sized = size(request, None)
    assert sized.load is not None and sized.replicas == 1
    metric = "tpot_s" if point["metric"] == "tpot_ms" else "ttft_s"
    if engine_efficiency(point) == default_efficiency(point["gpu"]):
        assert getattr(sized.load.per_replica, metric) * 1000 == pytest.approx(predict(point))
    else:
        fit = sized.load.running_cap
        acc = accelerator(point["gpu"], point["tp"], point["quantization"])
        prec = precision(shape, point["quantization"], point["kv_cache_dtype"])
        own = size_load(
            shape,
            acc,
            prec,
            engine_efficiency(point),
            prompt=point["input"],
            output=point["output"],
            requests_per_s=point["request_rate"],
            objectives=Objectives(),
            engine_cap=running_limit(point),
            kv_sequences=fit,
        )
        assert own is not None and getattr(own.per_replica, metric) * 1000 == pytest.approx(predict(point))
