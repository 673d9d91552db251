"""Sizing follows the vLLM release a model runs: the pinned image by default, an `image:` tag or --vllm-version."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from inferstack import catalog
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.infra.cli.app import app
from inferstack.planning.capacity import accelerator, default_efficiency, engine_max_num_seqs, model_shape
from inferstack.planning.engine_version import (
    model_release,
    parse_release,
    pinned_release,
    vllm_efficiency,
    vllm_max_num_seqs,
)
from inferstack.planning.model_fit import spec_model_fit
from inferstack.planning.sizing import Shape, precision, runtime_gib
from inferstack.planning.step_time import decode_step_s
from inferstack.spec import CONFIG_KEY, SpecError
from inferstack.validation import parse_environment_checked
from tests.conftest import shipped_stacks

runner = CliRunner()


def shape_of_model(name: str) -> Shape:
    """A catalog model's shape."""
    found = model_shape(name)
    assert found is not None, name
    return found[1]


@pytest.mark.parametrize(
    ("text", "release"),
    [
        ("0.10.2", (0, 10)),
        ("v0.16.0", (0, 16)),
        ("vllm/vllm-openai:v0.9.1", (0, 9)),
        ("registry.example:5000/team/vllm-openai:v0.8.5-cu128", (0, 8)),
        ("0.9.1rc1", (0, 9)),
        ("vllm/vllm-openai:v0.6.3.post1", (0, 6)),
        ("team/base:cuda12.1-ubuntu22.04", None),
        ("vllm/vllm-openai@sha256:" + "a" * 64, None),
        ("team/vllm:nightly", None),
        ("banana", None),
    ],
)
def test_a_release_is_read_from_a_version_or_an_image_tag(text: str, release: tuple[int, int] | None) -> None:
    assert parse_release(text) == release


def test_the_pinned_release_is_the_deployed_image_and_sizes_as_the_default() -> None:
    assert pinned_release() == parse_release(k8s_addons().images["vllm"].tag)
    for gpu in ("nvidia-h100-sxm", "nvidia-l4"):
        assert vllm_efficiency(gpu, pinned_release()) == vllm_efficiency(gpu) == default_efficiency(gpu)
        assert vllm_max_num_seqs(gpu, pinned_release()) == engine_max_num_seqs(gpu)


def test_older_releases_carry_the_defaults_and_host_costs_they_had() -> None:
    gpu, factors = "nvidia-h100-sxm", catalog.efficiency()
    # V0 (before v0.8) ran at most 256 sequences on every GPU; V1 raised GPUs with >= 70 GiB to 1024.
    assert vllm_max_num_seqs(gpu, (0, 7)) == int(factors.factors.v0_max_num_seqs.value) < vllm_max_num_seqs(gpu, (0, 8))
    assert vllm_max_num_seqs(gpu, (0, 8)) == vllm_max_num_seqs(gpu, (0, 9)) == engine_max_num_seqs(gpu) == 1024
    # Before async scheduling (v0.14) host work adds to every step; before V1 (v0.8) prompts prefill apart.
    v13, v7 = vllm_efficiency(gpu, (0, 13)), vllm_efficiency(gpu, (0, 7))
    assert not v13.overlap_sequence_overhead and v13.piggyback_prefill
    assert not v7.overlap_sequence_overhead and not v7.piggyback_prefill
    # V0 with its API server apart (0.6-0.7) pays the non-API share of the older host cost, V1 its own.
    assert v7.sequence_overhead_s == factors.factors.multi_step_sequence_overhead_s.value
    assert v13.sequence_overhead_s == factors.factors.v1_sequence_overhead_s.value
    # Before v0.6 the API server shared the engine's process: the host's measured legacy cost per sequence.
    legacy = factors.gpus[gpu].legacy_sequence_overhead_s
    assert legacy is not None and vllm_efficiency(gpu, (0, 5)).sequence_overhead_s == legacy


def test_vllm_0_8_gave_the_a100_80gb_the_large_gpu_defaults_that_0_9_took_back() -> None:
    a100 = "nvidia-a100-80gb"
    # 0.8.5's _set_default_args_v1 keyed on memory alone; 0.9.0 added the "a100" name check (efficiency.yaml).
    assert vllm_max_num_seqs(a100, (0, 8)) == 1024 and vllm_efficiency(a100, (0, 8)).batched_tokens == 8192
    assert vllm_max_num_seqs(a100, (0, 9)) == engine_max_num_seqs(a100) == 256
    assert vllm_efficiency(a100, (0, 9)).batched_tokens == default_efficiency(a100).batched_tokens == 2048
    # V0 and GPUs under 70 GiB are unchanged.
    assert vllm_max_num_seqs(a100, (0, 7)) == 256
    assert vllm_efficiency("nvidia-a100-40gb", (0, 8)).batched_tokens == 2048


def _stack(image: str | None) -> dict[str, Any]:
    document = copy.deepcopy(yaml.safe_load(shipped_stacks()["aws-dev"].read_text())["config"][CONFIG_KEY])
    if image is not None:
        document["models"]["chat"]["image"] = image
    document["models"]["chat"]["load"] = {"requests_per_second": 50}
    return document


def _replicas_needed(document: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as caught:
        parse_environment_checked(document, "t")
    (issue,) = [str(i) for i in caught.value.issues if "replicas.max" in str(i)]
    return issue.split(" replicas (")[0].rsplit(" ", 1)[-1]


def test_a_stack_pinned_to_an_older_image_is_sized_as_that_release() -> None:
    # vLLM before V1 prefilled apart, and before v0.6 ran its API server in the engine's process: the same load on
    # the same L4 pool needs more replicas than on the pinned release, as the validation error says.
    needed = [
        int(_replicas_needed(_stack(image))) for image in (None, "vllm/vllm-openai:v0.7.3", "vllm/vllm-openai:v0.5.4")
    ]
    assert needed[0] < needed[1] < needed[2]


def test_size_takes_the_release_and_refuses_one_it_cannot_read() -> None:
    base = ["size", "--model", "llama-3.1-8b", "--gpu", "nvidia-h100-sxm", "--concurrency", "64", "--json"]
    pinned = runner.invoke(app, base)
    older = runner.invoke(app, [*base, "--vllm-version", "0.10.2"])
    assert pinned.exit_code == 0 and older.exit_code == 0, older.output
    rate = {
        name: json.loads(r.stdout)["at_concurrency"]["output_tokens_per_s"] for name, r in (("p", pinned), ("o", older))
    }
    assert rate["o"] < rate["p"]
    text = runner.invoke(app, base[:-1])
    major, minor = pinned_release()
    assert f"as vLLM {major}.{minor} (the pinned image" in text.output
    assert "as vLLM 0.10" in runner.invoke(app, [*base[:-1], "--vllm-version", "0.10.2"]).output
    bad = runner.invoke(app, [*base, "--vllm-version", "banana"])
    assert bad.exit_code == 2 and "--vllm-version" in bad.output and "Traceback" not in bad.output


def test_a_model_release_comes_from_its_image_tag_only() -> None:
    from inferstack.spec.models import ModelSpec

    source = "hf://meta-llama/Llama-3.1-8B-Instruct@" + "0" * 40
    assert model_release(ModelSpec(source=source)) is None
    assert model_release(ModelSpec(source=source, image="vllm/vllm-openai:v0.9.1")) == (0, 9)
    assert model_release(ModelSpec(source=source, image="vllm/vllm-openai@sha256:" + "b" * 64)) is None


def test_the_profile_pass_holds_back_the_samplers_rows_by_release() -> None:
    # vLLM sizes its KV cache after sampling max_num_seqs rows of logits: sorting them (to v0.16, the pinned release)
    # holds ~39 bytes a logit, the Triton top-k/top-p (v0.17 on) ~15.5 (efficiency.yaml). Qwen's 152k vocabulary at
    # the H100's 1024 sequences is GiBs; at the A100's 256, or a small vocabulary, the forward pass's peak is larger.
    qwen, h100 = shape_of_model("qwen2.5-7b"), "nvidia-h100-sxm"
    pinned, v17 = vllm_efficiency(h100), vllm_efficiency(h100, (0, 17))
    assert pinned.max_num_seqs == 1024 and pinned.sampler_bytes > 2 * v17.sampler_bytes
    assert runtime_gib(qwen, pinned, 1) == pytest.approx(0.25 + 1024 * 152064 * 39 / 2**30)
    assert runtime_gib(qwen, v17, 1) == pytest.approx(0.25 + 1024 * 152064 * 15.5 / 2**30)
    a100 = vllm_efficiency("nvidia-a100-40gb")
    assert runtime_gib(shape_of_model("llama-2-7b"), a100, 1) == pytest.approx(0.25 + 1.25), "forward peak, 32k vocab"
    # Tensor parallel adds NCCL and custom all-reduce buffers: ~2.1 GiB a GPU on Hopper NVLink parts, the link's
    # smaller value elsewhere (efficiency.yaml).
    assert runtime_gib(qwen, pinned, 2) - runtime_gib(qwen, pinned, 1) == pytest.approx(2.1 - 0.25)
    a100_80 = vllm_efficiency("nvidia-a100-80gb")
    assert runtime_gib(qwen, a100_80, 2) - runtime_gib(qwen, a100_80, 1) == pytest.approx(0.55 - 0.25)


def test_a_lower_max_num_seqs_leaves_more_kv_cache() -> None:
    document = _stack(None)
    pool = document["models"]["chat"]["pool"]
    document["node_pools"][pool] = {"gpu": "nvidia-h100-sxm", "min": 0, "max": 2}
    del document["models"]["chat"]["load"]
    fits = {}
    for seqs in (None, 64):
        document["models"]["chat"]["max_num_seqs"] = seqs
        result = spec_model_fit(parse_environment_checked(document, "t").spec, "chat")
        assert result is not None
        fits[seqs] = result.fit
    assert fits[64].overhead_gib < fits[None].overhead_gib
    assert fits[64].max_sequences > fits[None].max_sequences


def test_from_v0_17_hopper_and_blackwell_nvlink_gpus_fuse_each_all_reduce() -> None:
    # vllm/config/vllm.py OPTIMIZATION_LEVEL_02: fuse_allreduce_rms on compute capability 9.0 / 10.x from 0.17.
    factors = catalog.efficiency().factors
    fused, unfused = factors.fused_allreduce_latency_s.value, default_efficiency("nvidia-h100-sxm").allreduce_latency_s
    assert fused < unfused
    for gpu in ("nvidia-h100-sxm", "nvidia-h200", "nvidia-b200"):
        assert vllm_efficiency(gpu, (0, 17)).allreduce_latency_s == fused, gpu
        assert vllm_efficiency(gpu, (0, 22)).allreduce_latency_s == fused, gpu
        assert vllm_efficiency(gpu, (0, 16)).allreduce_latency_s == unfused, gpu
        assert vllm_efficiency(gpu).allreduce_latency_s == unfused, gpu  # the pinned v0.16.0
    # Ampere, and Hopper cards over PCIe, keep the unfused all-reduce.
    for gpu in ("nvidia-a100-80gb", "nvidia-h100-pcie", "nvidia-l40s"):
        assert vllm_efficiency(gpu, (0, 17)).allreduce_latency_s == default_efficiency(gpu).allreduce_latency_s, gpu


def test_the_fused_all_reduce_shortens_a_tensor_parallel_decode_step_only() -> None:
    found = model_shape("qwen2.5-72b")
    assert found is not None
    shape, prec = found[1], precision(found[1], None)
    steps = {}
    for tp in (1, 4):
        acc = accelerator("nvidia-h100-sxm", tp, None)
        steps[tp] = [
            decode_step_s(shape, acc, prec, vllm_efficiency("nvidia-h100-sxm", release), batch=1, context=200)
            for release in ((0, 16), (0, 17))
        ]
    assert steps[1][0] == steps[1][1]
    # 160 all-reduces a step (80 layers, two each) at 30 -> 10 us: 3.2 ms less.
    assert steps[4][0] - steps[4][1] == pytest.approx(160 * (30e-6 - 10e-6), rel=0.01)
