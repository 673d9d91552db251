"""A model's image override against what its manifests need from vLLM, release by release (vllm_releases.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.catalog.metrics import metric_catalog
from inferstack.catalog.vllm_releases import vllm_releases
from inferstack.planning.engine_version import parse_version
from inferstack.spec import SpecError
from inferstack.validation import parse_environment, warn_environment
from tests.conftest import shipped_stacks

IMAGE = "models.{}.image"


def document(stack: str, model: str, image: str | None, **changes: Any) -> dict[str, Any]:
    data = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))["config"]["inferstack:environment"]
    if image is not None:
        data["models"][model]["image"] = image
    data["models"][model].update(changes)
    return data


def issues(data: dict[str, Any], stack: str) -> dict[str, str]:
    try:
        parse_environment(data, stack)
    except SpecError as raised:
        return {issue.path: str(issue) for issue in raised.issues}
    return {}


def warnings(data: dict[str, Any], stack: str) -> list[str]:
    return [str(warning) for warning in warn_environment(parse_environment(data, stack))]


def test_an_s3_bucket_needs_a_release_with_the_streaming_loader() -> None:
    found = issues(document("aws-dev", "chat", "vllm/vllm-openai:v0.6.5"), "dev")
    message = found["environment." + IMAGE.format("chat")]
    assert "vLLM 0.6.5 cannot read weights from the model bucket" in message and "arrived in vLLM 0.6.6" in message
    assert "model_store.bucket: false" in message and "remove image" in message
    # The first release with it passes.
    assert issues(document("aws-dev", "chat", "vllm/vllm-openai:v0.6.6"), "dev") == {}


def test_a_gs_bucket_needs_the_release_that_reads_gs_paths() -> None:
    found = issues(document("gcp-prod", "large", "vllm/vllm-openai:v0.10.1"), "prod")
    assert "arrived in vLLM 0.10.2" in found["environment." + IMAGE.format("large")]
    # The same release streams from S3, so an AWS stack accepts it.
    assert issues(document("aws-dev", "chat", "vllm/vllm-openai:v0.10.1"), "dev") == {}


def test_local_weights_need_no_streaming_loader() -> None:
    data = document("aws-dev", "chat", "vllm/vllm-openai:v0.5.4")
    data["model_store"] = {"bucket": False}
    assert issues(data, "dev") == {}


def test_a_release_with_a_reported_regression_is_warned() -> None:
    said = warnings(document("aws-dev", "chat", "vllm/vllm-openai:v0.11.0"), "dev")
    assert any("reported broken in vLLM 0.11" in line and "s3://" in line for line in said), said


def test_tensor_parallel_before_distributed_streaming_reads_every_file_on_every_rank() -> None:
    said = warnings(document("gcp-prod", "large", "vllm/vllm-openai:v0.10.2"), "prod")
    assert any("each of the 4 tensor-parallel ranks reads every weight file" in line for line in said), said
    single = warnings(document("aws-dev", "chat", "vllm/vllm-openai:v0.10.2"), "dev")
    assert not any("distributed streaming" in line for line in single)


def test_an_older_release_is_warned_of_the_metrics_it_does_not_export() -> None:
    said = warnings(document("aws-dev", "chat", "vllm/vllm-openai:v0.9.1"), "dev")
    metrics = next(line for line in said if "does not export" in line)
    assert "vllm:kv_cache_usage_perc" in metrics and "vllm:request_time_per_output_token_seconds" in metrics
    newer = warnings(document("aws-dev", "chat", "vllm/vllm-openai:v0.10.2"), "dev")
    metrics = next(line for line in newer if "does not export" in line)
    assert "vllm:kv_cache_usage_perc" not in metrics and "vllm:request_time_per_output_token_seconds" in metrics


@pytest.mark.parametrize("image", [None, "registry.example/vllm@sha256:" + "a" * 64, "registry.example/vllm:custom"])
def test_the_pinned_image_and_references_without_a_release_are_not_checked(image: str | None) -> None:
    data = document("aws-dev", "chat", image)
    assert issues(data, "dev") == {}
    assert not any("vLLM" in line and "image" in line for line in warnings(data, "dev"))


def test_the_pinned_release_has_every_feature_and_metric_the_manifests_use() -> None:
    # A newer pin that regressed (or a `since` past the pin) would make the shipped default fail its own checks.
    pinned = parse_version(k8s_addons().images["vllm"].tag)
    assert pinned is not None
    for key, feature in vllm_releases().features.items():
        assert pinned >= feature.first(), key
        assert pinned[:2] not in feature.broken_in(), key
    for name, since in metric_catalog().exporters["vllm"].since.items():
        assert pinned >= parse_version(since), name  # type: ignore[operator]


def test_a_patch_number_is_read_from_the_tag() -> None:
    assert parse_version("vllm/vllm-openai:v0.10.2") == (0, 10, 2)
    assert parse_version("v0.10") == (0, 10, 0)
    assert parse_version("vllm/vllm-openai@sha256:" + "b" * 64) is None


def nvfp4_on_b200(image: str) -> dict[str, Any]:
    """A one-model AWS stack serving NVIDIA's NVFP4 Llama 3.3 70B on a B200 node from `image`."""
    return {
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az6"],
        "node_pools": {"gpu": {"gpu": "nvidia-b200", "gpus_per_node": 8, "max": 1, "zones": ["use1-az6"]}},
        "models": {
            "m": {
                "pool": "gpu",
                "source": "hf://nvidia/Llama-3.3-70B-Instruct-FP4@" + "d" * 40,
                "max_model_len": 8192,
                "image": image,
            }
        },
    }


def test_an_nvfp4_checkpoint_needs_the_release_that_loads_modelopt_fp4() -> None:
    # The checkpoint's own method counts even when the stack names no quantization.
    found = issues(nvfp4_on_b200("vllm/vllm-openai:v0.8.5"), "t")
    message = found["environment." + IMAGE.format("m")]
    assert "vLLM 0.8.5 cannot load NVFP4 checkpoints" in message and "arrived in vLLM 0.9.0" in message
    assert issues(nvfp4_on_b200("vllm/vllm-openai:v0.9.0"), "t") == {}
