"""The ShareGPT sample the report spreads a burst's lengths with, and which points run that model."""

from __future__ import annotations

import pytest

from inferstack.catalog.length_samples import sharegpt_sample
from inferstack.planning.length_mix import sharegpt_lengths
from tests.bench.sharegpt import sharegpt_burst


def test_the_sample_is_the_published_runs_requests() -> None:
    pairs = sharegpt_sample().pairs()
    # The source file's totals (73671 in, 71810 out) over its 320 requests; 34 that ended at once count one token.
    assert len(pairs) == 320
    assert sum(p for p, _ in pairs) == 73671
    assert sum(o for _, o in pairs) == 71810 + 34
    assert max(o for _, o in pairs) == 966 and min(o for _, o in pairs) == 1


def test_a_burst_keeps_the_spread_at_the_points_means_and_repeats_the_sample_in_order() -> None:
    lengths = sharegpt_lengths(217.0, 202.0, 1000)
    assert len(lengths) == 1000
    assert sum(p for p, _ in lengths) / 1000 == pytest.approx(217, rel=0.02)
    assert sum(o for _, o in lengths) / 1000 == pytest.approx(202, rel=0.02)
    assert lengths[:320] == lengths[320:640]
    # The longest output keeps its ratio to the mean (966 / 224.5 in the sample).
    assert max(o for _, o in lengths) == round(966 * 202 / (71844 / 320))


def _point(**changes: object) -> dict[str, object]:
    base = {
        "engine": "vllm",
        "engine_version": "0.11.0",
        "concurrency": None,
        "prompts": 1000,
        "output_lengths": "sharegpt",
    }
    return {**base, **changes}


def test_only_an_offline_vllm_v1_or_sglang_sharegpt_burst_runs_the_mixed_length_model() -> None:
    assert sharegpt_burst(_point())
    assert sharegpt_burst(_point(engine="sglang", engine_version="0.5.3")), "prefill first, as V0's step"
    assert not sharegpt_burst(_point(output_lengths=None))
    assert not sharegpt_burst(_point(engine_version="0.5.4")), "V0's host cost was fitted on the steady state"
    assert not sharegpt_burst(_point(engine="tensorrt-llm", engine_version="1.0"))
    assert not sharegpt_burst(_point(concurrency=4)), "a closed loop is no burst"
    assert not sharegpt_burst(_point(prompts=None)), "the request count sets the run's length"


def test_the_report_runs_a_marked_v1_burst_through_the_scheduler_with_the_spread() -> None:
    from tests.bench.published_report import load_table, predict

    point = next(
        p for p in load_table()["points"] if p["id"] == "gpustack-vllm-0.11.0-glm-4.6-h200-tp8-offline-sharegpt"
    )
    assert sharegpt_burst(point)
    # The batch drains as short outputs finish: less than the steady state of every request at the mean lengths.
    assert predict(point) < 0.8 * predict({**point, "output_lengths": None})
