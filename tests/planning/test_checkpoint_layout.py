"""A quantized checkpoint's 16-bit layers, and the profile pass's forward peak over a large token budget.

Meta's FP8 Llama 3.1 405B checkpoints keep layers 0 and 125, every attention block and the lm_head at BF16
(components/catalog/data/models.yaml); an engine that prefills its whole max_model_len in one profile pass (vLLM V0
without chunked prefill) holds that pass's MLP activations out of the KV cache.
"""

from __future__ import annotations

import dataclasses

import pytest

from inferstack import catalog
from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.model_fit import spec_model_fit
from inferstack.planning.precision import (
    checkpoint_of,
    loaded_kept_16bit_params_b,
    loaded_quantization,
    quantization_problem,
    stored_weights_gb,
)
from inferstack.planning.sizing import (
    GIB,
    Efficiency,
    forward_peak_gib,
    memory_fit,
    mlp_width,
    precision,
    runtime_gib,
    weight_bytes,
)
from inferstack.planning.step_time import decode_step_s, prefill_s
from inferstack.validation import parse_environment

META_FP8 = "meta-llama/Llama-3.1-405B-Instruct-FP8"
NVIDIA_FP8 = "nvidia/Llama-3.1-405B-Instruct-FP8"  # not in the catalog: an all-FP8 layout is the default


def shape_405b():
    found = model_shape("llama-3.1-405b")
    assert found is not None
    return found[1]


def meta_fp8_stack(**model: object) -> dict[str, object]:
    """A stack serving Meta's FP8 405B from one 8-GPU H100 pool; `model` adds or overrides the model's fields."""
    return {
        "cloud": "aws",
        "region": "us-east-1",
        "zones": ["use1-az1", "use1-az2"],
        "node_pools": {"gpu": {"gpu": "nvidia-h100-sxm", "gpus_per_node": 8, "max": 1}},
        "models": {
            "m": {
                "pool": "gpu",
                "source": f"hf://{META_FP8}@" + "0" * 40,
                "tensor_parallel": 8,
                "max_model_len": 8192,
                **model,
            }
        },
    }


def test_mlp_width_recovers_intermediate_size_from_the_parameter_count() -> None:
    # config.json intermediate_size: 14336 (Llama 3.1 8B), 53248 (405B); within 0.1% from params_b alone.
    for key, width in (("llama-3.1-8b", 14336), ("llama-3.1-405b", 53248)):
        found = model_shape(key)
        assert found is not None
        assert mlp_width(found[1]) == pytest.approx(width, rel=1e-3), key


def test_the_catalog_fact_is_the_unconverted_modules_of_the_shape() -> None:
    # Every attention block (Q, K, V, O) plus the two whole-BF16 layers' MLPs, re-derived from the shape numbers.
    shape = shape_405b()
    attention = shape.hidden_size * shape.head_dim * 2 * (shape.attention_heads + shape.kv_heads)
    kept = (shape.layers * attention + 2 * 3 * shape.hidden_size * 53248) / 1e9
    for hub in ("meta-llama/Llama-3.1-405B-FP8", META_FP8, "meta-llama/Meta-Llama-3.1-405B-Instruct-FP8"):
        assert catalog.checkpoint_quantization(hub) == "fbgemm_fp8"
        assert catalog.checkpoint_kept_16bit_params_b(hub) == pytest.approx(kept, abs=0.05), hub
    assert catalog.checkpoint_kept_16bit_params_b(NVIDIA_FP8) == 0.0
    assert catalog.checkpoint_kept_16bit_params_b("meta-llama/Llama-3.1-405B-Instruct") == 0.0


def test_kept_layers_are_held_and_stored_at_two_bytes() -> None:
    shape = shape_405b()
    kept = catalog.checkpoint_kept_16bit_params_b(META_FP8)
    all_fp8 = weight_bytes(shape, precision(shape, "fp8"))
    mixed = weight_bytes(shape, precision(shape, "fp8", kept_16bit_params_b=kept))
    assert mixed - all_fp8 == pytest.approx(kept * 1e9)  # one more byte for each kept parameter
    assert weight_bytes(shape, precision(shape, None, kept_16bit_params_b=kept)) == weight_bytes(
        shape, precision(shape, None)
    )  # nothing is quantized, so nothing is "kept"
    checkpoint = checkpoint_of(META_FP8, shape)
    assert loaded_quantization(checkpoint, None) == "fp8"  # vLLM's fbgemm_fp8 runs, and is sized, as fp8
    # The rest at one byte, the kept layers and the embedding/lm_head (2 x 128256 x 16384) at two.
    embedded = 2 * 128256 * 16384 / 1e9
    assert stored_weights_gb(shape, checkpoint) == pytest.approx(
        (shape.params_b - kept - embedded) + 2 * (kept + embedded)
    )
    assert loaded_kept_16bit_params_b(checkpoint, "fp8") == kept
    assert loaded_kept_16bit_params_b(checkpoint, None) == 0.0


def test_kept_layers_multiply_at_the_16_bit_rate_and_stay_above_the_roofline() -> None:
    shape = shape_405b()
    acc = accelerator("nvidia-h100-sxm", 8, "fp8")
    eff = default_efficiency("nvidia-h100-sxm")
    kept = precision(shape, "fp8", kept_16bit_params_b=catalog.checkpoint_kept_16bit_params_b(META_FP8))
    fp8, bf16 = precision(shape, "fp8"), precision(shape, None)
    # A compute-bound prefill: between all-FP8 and all-BF16, and never faster than the physical roofline.
    times = [prefill_s(shape, acc, prec, eff, prompt=8192) for prec in (fp8, kept)]
    times.append(prefill_s(shape, accelerator("nvidia-h100-sxm", 8, None), bf16, eff, prompt=8192))
    assert times[0] < times[1] < times[2]
    assert prefill_s(shape, acc, kept, Efficiency.physical(), prompt=8192) <= times[1]
    step = decode_step_s(shape, acc, kept, eff, batch=256, context=2048)
    assert decode_step_s(shape, acc, kept, Efficiency.physical(), batch=256, context=2048) <= step
    assert step > decode_step_s(shape, acc, fp8, eff, batch=256, context=2048)


def test_a_stack_serving_meta_fp8_holds_its_16_bit_layers() -> None:
    spec = parse_environment(meta_fp8_stack(), "test")
    result = spec_model_fit(spec, "m")
    assert result is not None
    shape = shape_405b()
    expected = weight_bytes(shape, precision(shape, "fp8", kept_16bit_params_b=77.1)) / GIB
    assert result.fit.weights_gib == pytest.approx(expected, rel=1e-3)
    assert result.fit.weights_gib > weight_bytes(shape, precision(shape, "fp8")) / GIB + 70


def test_forward_peak_scales_with_the_token_budget_and_stays_under_the_floor_at_the_defaults() -> None:
    shape = shape_405b()
    eff = default_efficiency("nvidia-h100-sxm")
    assert forward_peak_gib(shape, Efficiency.physical(), 8) == 0.0
    assert forward_peak_gib(shape, dataclasses.replace(eff, batched_tokens=None), 8) == 0.0
    # 91680 tokens (dstack's max_model_len) at TP8: (2 x 16384 + 3 x 53248 / 8) elements of 2 bytes a token.
    big = dataclasses.replace(eff, batched_tokens=91680)
    assert forward_peak_gib(shape, big, 8) == pytest.approx(91680 * 2 * (2 * 16384 + 3 * 53256 / 8) / GIB, rel=1e-3)
    # The larger peak of the profile pass replaces the sampler's: the fixed part plus the forward pass.
    fixed = runtime_gib(shape, dataclasses.replace(eff, activation_gib=0.0, sampler_bytes=0.0), 8)
    assert runtime_gib(shape, big, 8) == pytest.approx(fixed + forward_peak_gib(shape, big, 8))
    assert forward_peak_gib(shape, big, 8) > 8
    # At the catalog's V1 budget (8192) the measured floor (activation_gib) still sets the runtime for the models
    # the start-up logs cover (tests/bench/memory_profiles.yaml).
    for key in ("llama-3.1-8b", "qwen2.5-7b", "qwen2.5-72b"):
        found = model_shape(key)
        assert found is not None
        assert forward_peak_gib(found[1], eff, 2) < eff.activation_gib, key


def test_a_larger_token_budget_never_leaves_more_kv_cache() -> None:
    shape = shape_405b()
    acc = accelerator("nvidia-h100-sxm", 8, "fp8")
    prec = precision(shape, "fp8")
    eff = default_efficiency("nvidia-h100-sxm")
    offers = [
        memory_fit(shape, acc, prec, dataclasses.replace(eff, batched_tokens=tokens), context=4096).max_sequences
        for tokens in (2048, 8192, 32768, 91680)
    ]
    assert offers == sorted(offers, reverse=True) and offers[-1] < offers[0]


def test_the_dstack_sweep_runs_metas_checkpoint_layout() -> None:
    # tests/sweeps/dstack-*.yaml names the hub id it ran; its 16-bit layers leave fewer sequences, so less throughput.
    from tests.bench.published_report import evaluate
    from tests.bench.sweeps import load_sweeps, sweep_points

    name = "dstack-llama-405b-fp8-8xh100-vllm"
    points = sweep_points(name, load_sweeps()[name])
    assert {point.get("checkpoint") for point in points} == {"meta-llama/Llama-3.1-405B-FP8"}
    wide = next(point for point in points if point["input"] == 2048 and point["prompts"] == 64)
    unnamed = {key: value for key, value in wide.items() if key != "checkpoint"}
    assert evaluate(wide).predicted < evaluate(unnamed).predicted


def test_what_would_fit_prices_the_checkpoints_layout_and_kv_dtype() -> None:
    # Meta's FP8 405B on one 8-GPU H100 node at TP4: refused, and each suggestion is sized as the refusal was.
    from inferstack.spec import SpecError

    document = meta_fp8_stack(tensor_parallel=4, kv_cache_dtype="fp8")
    with pytest.raises(SpecError) as caught:
        parse_environment(document, "test")
    (issue,) = caught.value.issues
    assert "at 8 bits, 77.1B parameters at 16" in issue.message
    shape = shape_405b()
    prec = precision(shape, "fp8", "fp8", kept_16bit_params_b=77.1)
    eff = default_efficiency("nvidia-h100-sxm")
    at_tp8 = memory_fit(shape, accelerator("nvidia-h100-sxm", 8, "fp8"), prec, eff, context=8192)
    assert f"tensor_parallel: 8 ({at_tp8.need_gib:.0f} of {at_tp8.offer_gib:.0f} GiB)" in issue.fix


def test_asking_for_fp8_on_metas_fbgemm_checkpoint_is_refused() -> None:
    # vllm/config/model.py _verify_quantization: --quantization fp8 on an fbgemm_fp8 config raises at start-up, and
    # fbgemm_fp8 is not a method a stack may name: leaving quantization out is the fix.
    checkpoint = checkpoint_of(META_FP8, shape_405b())
    problem = quantization_problem("fp8", "nvidia-h100-sxm", checkpoint)
    assert problem is not None
    assert "fbgemm_fp8" in problem[0] and problem[1].startswith("leave quantization out")
    assert quantization_problem(None, "nvidia-h100-sxm", checkpoint) is None
    flags = quantization_problem("fp8", "nvidia-h100-sxm", checkpoint, flags=True)
    assert flags is not None and flags[1].startswith("use --dtype auto")


def test_a_stack_asking_fp8_of_metas_checkpoint_is_refused_before_anything_is_created() -> None:
    from inferstack.spec import SpecError

    document = meta_fp8_stack(quantization="fp8")
    with pytest.raises(SpecError) as caught:
        parse_environment(document, "test")
    issue = next(i for i in caught.value.issues if i.path.endswith("quantization"))
    assert "fbgemm_fp8" in issue.message and "leave quantization out" in issue.fix
