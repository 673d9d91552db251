"""Model shapes resolve from the catalog or the stack, and a model that does not fit its pool is a spec error."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack import catalog
from inferstack.planning.capacity import spec_model_fit, spec_model_shape
from inferstack.spec import SpecError
from inferstack.spec.models import ModelSpec
from inferstack.validation import parse_environment

QWEN72 = "hf://Qwen/Qwen2.5-72B-Instruct@495f39366efef23836d0cfae4fbe635880d2be31"
UNLISTED = "hf://acme/house-model@" + "a" * 40


def env(model: dict[str, Any], pool: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az2"],
        "node_pools": {"gpu": pool or {"gpu": "nvidia-l4", "gpus_per_node": 4, "max": 1}},
        "models": {"m": {"pool": "gpu", **model}},
    }


REQUIRED = {
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.3-70b",
    "mistral-7b",
    "mixtral-8x7b",
    "qwen2.5-0.5b",
    "qwen2.5-7b",
    "qwen2.5-32b",
    "qwen2.5-72b",
    "gpt-oss-20b",
    "gpt-oss-120b",
}


def test_catalog_has_the_required_shapes_with_sources() -> None:
    shapes = catalog.model_shapes()
    assert set(shapes) >= REQUIRED
    for key, shape in shapes.items():
        assert key == key.lower() and shape.source and shape.as_of
        assert shape.attention_heads % shape.kv_heads == 0, key
        assert (shape.active_params_b or shape.params_b) <= shape.params_b


@pytest.mark.parametrize(
    ("hub", "key"),
    [
        ("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b"),
        ("Qwen/Qwen2.5-7B-Instruct", "qwen2.5-7b"),
        ("qwen/qwen2.5-72b-instruct", "qwen2.5-72b"),
        ("Qwen/Qwen2.5-0.5B-Instruct", "qwen2.5-0.5b"),
    ],
)
def test_hub_ids_resolve_to_their_shape(hub: str, key: str) -> None:
    found = catalog.model_shape(hub)
    assert found is not None and found[0] == key


def test_shape_comes_from_the_key_then_inline_then_the_hub_id() -> None:
    by_hub = ModelSpec(source=QWEN72)
    by_key = ModelSpec(source=UNLISTED, shape="qwen2.5-7b")
    inline = ModelSpec.model_validate(
        {
            "source": UNLISTED,
            "shape": {
                "params_b": 3,
                "layers": 28,
                "hidden_size": 3072,
                "attention_heads": 24,
                "kv_heads": 8,
                "vocab_size": 128256,
                "context": 8192,
            },
        }
    )
    assert spec_model_shape(by_hub)[0] == "qwen2.5-72b"  # type: ignore[index]
    assert spec_model_shape(by_key)[0] == "qwen2.5-7b"  # type: ignore[index]
    assert spec_model_shape(inline)[1].head_dim == 128  # type: ignore[index]
    assert spec_model_shape(ModelSpec(source=UNLISTED)) is None


def test_a_model_that_does_not_fit_names_need_offer_and_what_would_fit() -> None:
    with pytest.raises(SpecError) as caught:
        parse_environment(env({"source": QWEN72, "tensor_parallel": 2, "max_model_len": 32768}), "t")
    (issue,) = caught.value.issues
    assert issue.path == "environment.models.m"
    assert "needs 149.4 GiB" in issue.message and "offer 40.5 GiB" in issue.message
    assert "tensor_parallel: 8" in issue.fix and "larger GPU" in issue.fix and "quantization: awq" in issue.fix


def test_the_same_model_fits_with_enough_tensor_parallel_or_quantization() -> None:
    model = {"source": QWEN72, "tensor_parallel": 4, "quantization": "fp8", "max_model_len": 8192}
    fp8 = parse_environment(env(model), "t")
    result = spec_model_fit(fp8, "m")
    assert result is not None and result.fit.fits


def test_unknown_shape_key_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(SpecError) as caught:
        parse_environment(env({"source": UNLISTED, "shape": "qwen2.5-7"}), "t")
    (issue,) = caught.value.issues
    assert issue.path == "environment.models.m.shape" and "qwen2.5-7b" in issue.fix


def test_an_unlisted_model_without_shape_is_not_sized() -> None:
    spec = parse_environment(env({"source": UNLISTED}), "t")
    assert spec_model_fit(spec, "m") is None
