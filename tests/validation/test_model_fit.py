"""Model shapes resolve from the catalog or the stack, and a model that does not fit its pool is a spec error."""

from __future__ import annotations

from typing import Any

import pytest

from inferstack import catalog
from inferstack.planning.capacity import spec_model_shape
from inferstack.planning.model_fit import spec_model_fit
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
        parse_environment(env({"source": QWEN72, "tensor_parallel": 2, "max_model_len": 16384}), "t")
    (issue,) = caught.value.issues
    assert issue.path == "environment.models.m"
    assert "needs 143.8 GiB" in issue.message and "offer 39.6 GiB" in issue.message
    assert "tensor_parallel: 8" in issue.fix and "larger GPU" in issue.fix
    assert "source: hf://Qwen/Qwen2.5-72B-Instruct-AWQ@<revision> (its awq checkpoint)" in issue.fix


def test_the_same_model_fits_with_enough_tensor_parallel_or_quantization() -> None:
    model = {"source": QWEN72, "tensor_parallel": 4, "quantization": "fp8", "max_model_len": 4096}
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


def _fit_fix(model: dict[str, Any], pool: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as raised:
        parse_environment(env(model, pool), "t")
    return next(issue.fix for issue in raised.value.issues if issue.path == "environment.models.m")


H100 = {"gpu": "nvidia-h100-sxm", "gpus_per_node": 1, "max": 1}
LLAMA70 = "hf://meta-llama/Llama-3.1-70B-Instruct@" + "b" * 40


def test_a_suggested_awq_fix_names_the_published_checkpoint_to_switch_to() -> None:
    fix = _fit_fix({"source": QWEN72, "max_model_len": 8192}, H100)
    # vLLM reads AWQ from the checkpoint: the fix is the AWQ source, never `quantization: awq` on the 16-bit one.
    assert "source: hf://Qwen/Qwen2.5-72B-Instruct-AWQ@<revision>" in fix and "quantization: awq" not in fix


def test_no_awq_is_suggested_for_a_model_without_a_published_awq_checkpoint() -> None:
    h200 = {"gpu": "nvidia-h200", "gpus_per_node": 8, "max": 1}
    fix = _fit_fix({"source": LLAMA70, "max_model_len": 8192}, h200)
    assert "awq" not in fix
    assert "quantization: fp8" in fix
    # The suggestion itself validates: fp8 at load fits the same pool.
    parse_environment(env({"source": LLAMA70, "max_model_len": 8192, "quantization": "fp8"}, h200), "t")


def test_no_fp8_is_suggested_on_a_gpu_that_cannot_run_it() -> None:
    t4 = {"gpu": "nvidia-t4", "gpus_per_node": 1, "max": 1}
    fix = _fit_fix({"source": "hf://Qwen/Qwen2.5-7B-Instruct@" + "c" * 40, "max_model_len": 32768}, t4)
    assert "fp8" not in fix


def test_an_already_quantized_checkpoint_is_not_told_to_quantize_again() -> None:
    awq = "hf://Qwen/Qwen2.5-72B-Instruct-AWQ@" + "d" * 40
    fix = _fit_fix({"source": awq, "max_model_len": 32768}, {"gpu": "nvidia-l4", "gpus_per_node": 1, "max": 1})
    assert "fp8" not in fix and "awq" not in fix


QWEN32 = "hf://Qwen/Qwen2.5-32B-Instruct@" + "e" * 40


def test_a_lower_max_num_seqs_is_suggested_where_the_samplers_warm_up_decides_the_fit() -> None:
    # On an H100 vLLM runs 1024 sequences by default; its sampler warm-up over 1024 rows of Qwen's 152k vocabulary
    # holds ~5.6 GiB (efficiency.yaml sampler_warmup_bytes), which a 32k-token sequence beside 16-bit weights lacks.
    model = {"source": QWEN32, "max_model_len": 32768}
    fix = _fit_fix(model, H100)
    assert fix.startswith("would fit: max_num_seqs: 256 ")
    # The suggestion validates, and the model's own max_num_seqs is what the fit counts.
    parse_environment(env({**model, "max_num_seqs": 256}, H100), "t")


def test_a_larger_gpu_is_sized_at_its_own_default_max_num_seqs() -> None:
    # From an L4 (256 sequences) the H100 is not "larger" for this model: at its 1024-sequence default the sampler's
    # warm-up leaves too little; the A100-80GB (256 by default) fits.
    fix = _fit_fix({"source": QWEN32, "max_model_len": 32768}, {"gpu": "nvidia-l4", "gpus_per_node": 1, "max": 1})
    assert "a larger GPU (1× nvidia-a100-80gb)" in fix and "nvidia-h100-sxm" not in fix
