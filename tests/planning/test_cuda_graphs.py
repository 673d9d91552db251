"""The CUDA-graph warm-up term follows vLLM's capture rule: sizes from max_num_seqs, PIECEWISE and FULL graphs.

The expected size lists are written out from vllm/config/vllm.py `_set_cudagraph_sizes` (largest = min(2 × seqs,
512, max_num_batched_tokens); 1, 2, 4, multiples of 8 below 256, multiples of 16 from 256) and the FULL decode graph
rule of gpu_model_runner.py `capture_model` (sizes up to max_num_seqs), not from the code under test.
"""

from __future__ import annotations

from typing import Any

import pytest

from inferstack import catalog
from inferstack.k8s.manifests.inputs import ServiceInputs
from inferstack.k8s.manifests.pod import deployment_object
from inferstack.planning.cuda_graphs import capture_sizes, cuda_graph_plan
from inferstack.planning.startup import startup_estimate
from inferstack.planning.startup_terms import startup_terms
from tests.k8s.support import chat_model, l4_pool

UP_TO_248 = [1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160, 168]
UP_TO_248 += [176, 184, 192, 200, 208, 216, 224, 232, 240, 248]
WIDE_TO_512 = [256, 272, 288, 304, 320, 336, 352, 368, 384, 400, 416, 432, 448, 464, 480, 496, 512]


def rule() -> Any:
    return catalog.efficiency().startup.warmup.cuda_graph_sizes


@pytest.mark.parametrize(
    ("seqs", "tokens", "expected"),
    [
        (1, 2048, [1, 2]),
        (2, 2048, [1, 2, 4]),
        (4, 2048, [1, 2, 4, 8]),
        (32, 2048, [1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64]),
        (128, 2048, [*UP_TO_248, 256]),
        (256, 2048, [*UP_TO_248, *WIDE_TO_512]),
        (1024, 8192, [*UP_TO_248, *WIDE_TO_512]),  # the 512 cap
        (256, 100, [1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96]),  # max_num_batched_tokens caps it
    ],
)
def test_capture_sizes_are_the_ones_vllm_captures(seqs: int, tokens: int, expected: list[int]) -> None:
    assert capture_sizes(rule(), seqs, tokens) == expected


def test_the_default_l4_engine_captures_51_piecewise_and_35_full_graphs() -> None:
    # vLLM PR #39559 logs "PIECEWISE=51 (largest=512), FULL=35 (largest=256)" at the default max_num_seqs 256.
    plan = cuda_graph_plan("nvidia-l4")
    assert (plan.max_num_seqs, plan.piecewise, plan.full) == (256, 51, 35)
    warm = catalog.efficiency().startup.warmup
    assert plan.seconds == pytest.approx(51 * warm.piecewise_graph_s.value + 35 * warm.full_graph_s.value)


def test_a_smaller_max_num_seqs_captures_fewer_graphs() -> None:
    assert (cuda_graph_plan("nvidia-l4", 32).piecewise, cuda_graph_plan("nvidia-l4", 32).full) == (11, 7)
    seconds = [cuda_graph_plan("nvidia-l4", seqs).seconds for seqs in (1, 8, 32, 64, 128, 256)]
    assert seconds == sorted(seconds) and len(set(seconds)) == len(seconds)
    # Past 256 sequences the 512 cap holds the PIECEWISE count; FULL decode graphs still follow max_num_seqs.
    assert cuda_graph_plan("nvidia-h100-sxm").graphs == 51 + 51


def test_the_warmup_and_the_probe_follow_max_num_seqs() -> None:
    default = startup_estimate(16.1, "bucket", "aws", gpu="nvidia-l4")
    small = startup_estimate(16.1, "bucket", "aws", gpu="nvidia-l4", max_num_seqs=32)
    saved = default.graphs.seconds - small.graphs.seconds
    assert saved > 0 and default.warmup_s - small.warmup_s == pytest.approx(saved)
    assert small.probe_budget_s <= default.probe_budget_s
    names = [term.name for term in startup_terms(small, "aws")]
    assert "CUDA graphs (18: max_num_seqs 32)" in names


def _probe(**model: object) -> int:
    pool = l4_pool()
    doc = deployment_object(ServiceInputs("chat", chat_model(**model), pool, "s3://dev-models", "http://p"))
    (engine,) = (c for c in doc["spec"]["template"]["spec"]["containers"] if c["name"] == "engine")
    return engine["startupProbe"]["failureThreshold"] * engine["startupProbe"]["periodSeconds"]


def test_the_rendered_deployment_budgets_the_graphs_its_max_num_seqs_captures() -> None:
    default, small = _probe(), _probe(max_num_seqs=1)
    expected = startup_estimate(0, "bucket", gpu="nvidia-l4", max_num_seqs=1).graphs
    assert expected.graphs == 2 + 1
    assert small < default
