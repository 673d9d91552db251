"""The one start-up model: its parts, the probe budget with its margin, stored bytes rather than loaded ones."""

from __future__ import annotations

import pytest

from inferstack import catalog
from inferstack.planning.capacity import model_shape
from inferstack.planning.precision import checkpoint_of, stored_weights_gb
from inferstack.planning.startup import PROBE_PERIOD_SECONDS, startup_estimate


def test_parts_add_up_and_the_probe_covers_load_and_warmup_with_the_margin() -> None:
    facts = catalog.efficiency().startup
    est = startup_estimate(15.0, "bucket", "aws")
    assert est.weight_load_s == pytest.approx(15.0 / facts.weight_load_gbps["bucket"].value)
    assert est.image_pull_s == pytest.approx(facts.image_gb.value / facts.image_pull_gbps.value)
    warm = facts.warmup
    parts = (warm.engine_init_s, warm.compile_s, warm.profile_s, warm.server_ready_s)
    # No GPU given: vLLM's default 256 sequences, 51 PIECEWISE and 35 FULL decode graphs.
    graphs = 51 * warm.piecewise_graph_s.value + 35 * warm.full_graph_s.value
    assert est.warmup_s == pytest.approx(sum(part.value for part in parts) + graphs)
    # The default path persists nothing: a later replica compiles again, so it starts like the first.
    assert est.compile_saved_s == 0 and est.later_pod_s == est.pod_s
    assert est.node_boot_s == facts.node_ready_s["aws"].value
    assert est.pod_s == pytest.approx(est.image_pull_s + est.weight_load_s + est.warmup_s)
    assert est.cold_s == pytest.approx(est.node_boot_s + est.pod_s)
    assert est.probe_budget_s == est.failure_threshold * PROBE_PERIOD_SECONDS
    assert est.probe_budget_s >= est.probe_window_s * facts.safety_factor.value
    assert est.probe_budget_s - PROBE_PERIOD_SECONDS < est.probe_window_s * facts.safety_factor.value


@pytest.mark.parametrize("gb", [0.0, 1.0, 15.2, 812.0])
def test_probe_is_never_shorter_than_the_load_estimate(gb: float) -> None:
    for store in ("bucket", "local"):
        est = startup_estimate(gb, store)
        assert est.probe_budget_s >= est.weight_load_s + est.warmup_s


def test_a_local_cache_reads_slower_than_the_bucket() -> None:
    assert startup_estimate(15, "local").weight_load_s > startup_estimate(15, "bucket").weight_load_s


def test_fp8_at_load_of_405b_stores_and_reads_the_bf16_bytes() -> None:
    found = model_shape("meta-llama/Llama-3.1-405B-Instruct")
    assert found is not None
    shape = found[1]
    stored = stored_weights_gb(shape, checkpoint_of("meta-llama/Llama-3.1-405B-Instruct", shape))
    assert stored == pytest.approx(405.9 * 2)
    est = startup_estimate(stored, "bucket")
    assert est.weight_load_s == pytest.approx(stored / catalog.efficiency().startup.weight_load_gbps["bucket"].value)
    assert est.probe_budget_s > est.weight_load_s


def test_an_awq_checkpoint_stores_four_bit_weights() -> None:
    found = model_shape("Qwen/Qwen2.5-7B-Instruct-AWQ")
    assert found is not None and found[0] == "qwen2.5-7b"
    checkpoint = checkpoint_of("Qwen/Qwen2.5-7B-Instruct-AWQ", found[1])
    assert checkpoint.quantization == "awq"
    # AWQ packs the linear layers at 4.25 bits; the embedding and lm_head (152064 x 3584 each) stay 16-bit.
    embedded = 2 * 152064 * 3584 / 1e9
    assert stored_weights_gb(found[1], checkpoint) == pytest.approx((7.61 - embedded) * 4.25 / 8 + embedded * 2)


def test_negative_weights_are_refused() -> None:
    with pytest.raises(ValueError):
        startup_estimate(-1, "bucket")
