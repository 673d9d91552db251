"""NVFP4 (vLLM's modelopt_fp4): 4.5 bits a weight, FP4 GEMMs on Blackwell, weight-only FP4 Marlin elsewhere.

Facts in components/planning/precision.py (vLLM 0.16.0 ModelOptNvFp4Config and select_nvfp4_linear_backend) and
components/catalog/data/gpus.yaml (B200's 9,000 dense FP4 TFLOPS).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from inferstack.planning import modelopt
from inferstack.planning.capacity import accelerator, default_efficiency, model_shape
from inferstack.planning.hf_config import ConfigProblem, read_config
from inferstack.planning.model_fit import quantization_options
from inferstack.planning.precision import Checkpoint, engine_kv_cache_dtype
from inferstack.planning.sizing import NVFP4_BITS, precision, weight_bytes
from inferstack.planning.step_time import decode_step_s, gemm_efficiency, prefill_s

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hf_configs"
NVFP4_FLAT = {"quant_method": "modelopt", "quant_algo": "NVFP4", "group_size": 16, "exclude_modules": ["lm_head"]}
# hf_quant_config.json (ModelOpt before 0.31) names its producer, not a quant_method.
NVFP4_NESTED = {
    "producer": {"name": "modelopt"},
    "quantization": {"quant_algo": "NVFP4", "exclude_modules": ["lm_head"]},
}


def llama8(quant: dict[str, Any] | None) -> dict[str, Any]:
    """The Llama 3.1 8B fixture config.json with a quantization_config."""
    raw = json.loads((FIXTURES / "llama-3.1-8b" / "config.json").read_text(encoding="utf-8"))
    if quant is not None:
        raw["quantization_config"] = copy.deepcopy(quant)
    return raw


def shape70() -> Any:
    found = model_shape("llama-3.3-70b")
    assert found is not None
    return found[1]


@pytest.mark.parametrize("quant", [NVFP4_FLAT, NVFP4_NESTED])
def test_a_modelopt_nvfp4_config_is_sized_at_nvfp4_bits_with_16bit_embeddings(quant: dict[str, Any]) -> None:
    model = read_config(llama8(quant))
    assert model.quantization == "modelopt_fp4"
    # 8.03B parameters: 1.05B of embeddings and lm_head (2 x 128256 x 4096) at 16 bits, the rest at 4.5.
    embeddings = 2 * 128256 * 4096 / 1e9
    total = model.fields["params_b"]
    expected = ((total - embeddings) * NVFP4_BITS + embeddings * 16) / total
    assert model.fields["weight_bits"] == pytest.approx(expected, abs=0.01)
    assert 5.9 < model.fields["weight_bits"] < 6.1


def test_modelopt_fp8_is_sized_as_fp8_and_an_unknown_algorithm_names_the_key() -> None:
    fp8 = read_config(llama8({"quant_method": "modelopt", "quant_algo": "FP8"}))
    assert fp8.quantization == "modelopt"
    assert fp8.fields["weight_bits"] == pytest.approx(9.05, abs=0.02)
    with pytest.raises(ConfigProblem) as problem:
        read_config(llama8({"quant_method": "modelopt", "quant_algo": "W4A8_AWQ"}))
    assert problem.value.key == "quantization_config.quant_algo"


def test_modelopt_exclude_modules_keep_a_whole_layer_at_16_bits() -> None:
    kept = dict(NVFP4_FLAT, exclude_modules=["lm_head", "model.layers.0"])
    one_layer = read_config(llama8(kept))
    assert one_layer.kept_16bit_params_b == pytest.approx(0.218, abs=0.002)  # (8.03 - 1.05) / 32 layers
    assert one_layer.fields["weight_bits"] > read_config(llama8(NVFP4_FLAT)).fields["weight_bits"]


def test_nvfp4_precision_and_rates_follow_the_gpu() -> None:
    shape = shape70()
    prec = precision(shape, "modelopt_fp4")
    assert prec.weight_bits == NVFP4_BITS and prec.fp4_weights and prec.embedding_bits == 16
    # 70.6B with 2.1B of 16-bit embeddings: the rest at 4.5 bits is ~42.7 GB, 0.59 of fp8's ~72.7 GB.
    assert weight_bytes(shape, prec) / weight_bytes(shape, precision(shape, "fp8")) < 0.6
    b200, h100 = accelerator("nvidia-b200", 1, "modelopt_fp4"), accelerator("nvidia-h100-sxm", 1, "modelopt_fp4")
    assert (b200.tflops, b200.fp4_tensor_cores) == (9000, True)
    assert (h100.tflops, h100.fp4_tensor_cores) == (989.4, False)
    eff = default_efficiency("nvidia-h100-sxm")
    # Weight-only FP4 Marlin dequantizes in the matmul (the int4 kernels' efficiency); Blackwell multiplies natively.
    assert gemm_efficiency(shape, prec, eff, h100) == pytest.approx(eff.int4_gemm)
    assert gemm_efficiency(shape, prec, default_efficiency("nvidia-b200"), b200) == 1.0


def test_nvfp4_is_faster_than_fp8_where_it_multiplies_natively_and_only_reads_less_elsewhere() -> None:
    shape = shape70()
    fp4, fp8 = precision(shape, "modelopt_fp4"), precision(shape, "fp8")
    for gpu in ("nvidia-b200", "nvidia-h100-sxm"):
        eff = default_efficiency(gpu)
        # Batch 1 reads the weights: fewer bytes, a faster step on every GPU.
        one = [
            decode_step_s(shape, accelerator(gpu, 1, q), p, eff, batch=1, context=1024)
            for q, p in (("modelopt_fp4", fp4), ("fp8", fp8))
        ]
        assert one[0] < one[1]
        long = [
            prefill_s(shape, accelerator(gpu, 1, q), p, eff, prompt=8192)
            for q, p in (("modelopt_fp4", fp4), ("fp8", fp8))
        ]
        # A long prefill is compute-bound: FP4 tensor cores halve it on B200; Marlin's 16-bit math on H100 is slower.
        assert (long[0] < 0.75 * long[1]) if gpu == "nvidia-b200" else (long[0] > long[1])


def test_an_nvfp4_checkpoint_is_offered_only_where_fp4_multiplies_natively() -> None:
    published = {"nvidia/Llama-3.3-70B-Instruct-FP4": "modelopt_fp4"}
    on_b200 = [method for method, _ in quantization_options("nvidia-b200", None, published)]
    on_h100 = [method for method, _ in quantization_options("nvidia-h100-sxm", None, published)]
    assert on_b200 == ["fp8", "modelopt_fp4"]
    assert on_h100 == ["fp8"]


@pytest.mark.parametrize(
    ("quant", "cache"),
    [
        (dict(NVFP4_FLAT, kv_cache_quant_algo="FP8"), "fp8_e4m3"),
        (
            {"producer": {"name": "modelopt"}, "quantization": {"quant_algo": "FP8", "kv_cache_quant_algo": "FP8"}},
            "fp8_e4m3",
        ),
        ({"quant_method": "modelopt_fp4", "quant_algo": "NVFP4", "kv_cache_quant_algo": "FP8"}, "fp8_e4m3"),
        (dict(NVFP4_FLAT, kv_cache_scheme={"dynamic": False, "num_bits": 8, "type": "float"}), "fp8_e4m3"),
        (dict(NVFP4_FLAT, kv_cache_quant_algo="NVFP4"), None),  # not mapped by vLLM 0.16: auto stays auto
        (NVFP4_FLAT, None),
        ({"quant_method": "fp8", "kv_cache_quant_algo": "FP8"}, None),  # only ModelOpt methods resolve auto
    ],
)
def test_auto_kv_cache_resolves_to_a_modelopt_checkpoints_kv_algorithm(
    quant: dict[str, Any], cache: str | None
) -> None:
    assert modelopt.kv_cache_dtype(quant) == cache
    if modelopt.is_modelopt(quant):
        assert read_config(llama8(quant)).kv_cache_dtype == cache


def test_the_resolved_kv_cache_dtype_halves_the_cache_only_under_auto() -> None:
    fp8_kv = Checkpoint("nvidia/x-FP4", "modelopt_fp4", NVFP4_BITS, 0.0, "fp8_e4m3")
    own = Checkpoint("nvidia/y-FP4", "modelopt_fp4", NVFP4_BITS)
    assert engine_kv_cache_dtype("auto", fp8_kv) == "fp8_e4m3"
    assert engine_kv_cache_dtype("fp8_e5m2", fp8_kv) == "fp8_e5m2"  # an explicit flag wins, as in vLLM
    assert engine_kv_cache_dtype("auto", own) == "auto"
    shape = shape70()
    assert precision(shape, "modelopt_fp4", engine_kv_cache_dtype("auto", fp8_kv)).kv_bytes == 1.0
    assert precision(shape, "modelopt_fp4", engine_kv_cache_dtype("auto", own)).kv_bytes == 2.0
