"""The autoscaler's waits before scaling in follow the planned start of a replica (and the probe its first start)."""

from __future__ import annotations

import math

from inferstack import catalog
from inferstack.k8s.manifests.inputs import ServiceInputs
from inferstack.k8s.manifests.pod import probes, startup
from inferstack.k8s.manifests.scaling import MAX_WINDOW_S, MIN_HOLD_S, hold_s, scale_in_holds, scaled_object
from inferstack.target import TargetPool
from tests.crd_schemas import crd_errors
from tests.k8s.support import chat_model, l4_pool

QWEN_72B = "hf://Qwen/Qwen2.5-72B-Instruct@495f39366efef23836d0cfae4fbe635880d2be31"


def inputs(pool: TargetPool, **model: object) -> ServiceInputs:
    return ServiceInputs("chat", chat_model(**model), pool, "s3://b", "http://p")


def aws(**flags: bool) -> TargetPool:
    return TargetPool(**{**vars(l4_pool()), "cloud": "aws", **flags})


def test_the_waits_are_the_planned_return_times_times_the_hold_factor() -> None:
    inp = inputs(aws())
    est, factor = startup(inp), catalog.efficiency().startup.scale_in_hold.value
    cooldown, window = scale_in_holds(inp)
    assert cooldown == max(MIN_HOLD_S, math.ceil(est.later_cold_s * factor / 60) * 60)
    assert window == min(MAX_WINDOW_S, max(MIN_HOLD_S, math.ceil(est.later_pod_s * factor / 60) * 60))
    spec = scaled_object(inp)["spec"]
    assert spec["cooldownPeriod"] == cooldown
    assert spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": window
    }
    assert crd_errors(scaled_object(inp)) == []


def test_a_slower_start_waits_longer_and_the_compile_cache_waits_less() -> None:
    small, large = inputs(aws()), inputs(aws(), source=QWEN_72B, tensor_parallel=1)
    assert startup(large).later_cold_s > startup(small).later_cold_s
    assert scale_in_holds(large)[0] > scale_in_holds(small)[0]
    plain, cached = inputs(aws(local_nvme=True)), inputs(aws(local_nvme=True, compile_cache=True))
    assert startup(cached).later_pod_s < startup(plain).later_pod_s
    assert scale_in_holds(cached)[0] <= scale_in_holds(plain)[0]
    # The probe budgets the first replica, which compiles: the cache does not shorten it.
    threshold = probes(cached)["startupProbe"]["failureThreshold"]
    assert threshold == probes(plain)["startupProbe"]["failureThreshold"] == startup(cached).failure_threshold


def test_the_window_never_exceeds_what_the_hpa_accepts_nor_drops_below_its_default() -> None:
    assert hold_s(4000, MAX_WINDOW_S) == MAX_WINDOW_S  # a 405B start on a slow bucket: capped at the HPA's hour
    assert hold_s(4000) > MAX_WINDOW_S  # cooldownPeriod has no such cap
    assert hold_s(10) == MIN_HOLD_S
