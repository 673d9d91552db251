"""NVIDIA ModelOpt checkpoints: the method vLLM runs them with and the KV-cache dtype they make `auto` resolve to.

Read in the vLLM 0.16.0 wheel (2026-12-03): ModelOpt 0.31+ writes its settings into config.json's
quantization_config (flat), earlier releases into hf_quant_config.json (nested under "quantization"), and
transformers_utils/config.py loads either as the config's quantization_config; hf_quant_config.json names no
quant_method, and model_arch_config_convertor.py sets one where its producer is modelopt. `ModelOptNvFp4Config` takes an
NVFP4 quant_algo as modelopt_fp4 and `ModelOptFp8Config` an FP8 one as modelopt. `resolve_kv_cache_dtype_string`
(engine/arg_utils.py) turns `--kv-cache-dtype auto` into the checkpoint's kv_cache_quant_algo (or kv_cache_scheme)
for a modelopt method: "fp8" maps to fp8_e4m3 (MODELOPT_TO_VLLM_KV_CACHE_DTYPE_MAP); anything else stays auto.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inferstack.planning.sizing import NVFP4_BITS

# The cache dtype vLLM 0.16 maps each ModelOpt kv_cache_quant_algo to (utils/torch_utils.py).
KV_ALGO_TO_CACHE_DTYPE = {"fp8": "fp8_e4m3"}


def is_modelopt(quant: Mapping[str, Any]) -> bool:
    """True for a ModelOpt quantization_config: a modelopt quant_method, or a producer named modelopt."""
    producer = quant.get("producer")
    named = isinstance(producer, Mapping) and producer.get("name") == "modelopt"
    return named or str(quant.get("quant_method") or "").startswith("modelopt")


def settings(quant: Mapping[str, Any]) -> Mapping[str, Any]:
    """ModelOpt's settings: nested under "quantization" (hf_quant_config.json) or flat (config.json)."""
    inner = quant.get("quantization")
    return inner if isinstance(inner, Mapping) else quant


def method_and_bits(quant: Mapping[str, Any]) -> tuple[str, float] | None:
    """(vLLM method, bits per quantized weight) of a ModelOpt quantization_config; None for another algorithm."""
    algo = str(settings(quant).get("quant_algo") or "").upper()
    if "FP4" in algo:
        return "modelopt_fp4", NVFP4_BITS
    if "FP8" in algo:
        return "modelopt", 8.0
    return None


def kv_cache_dtype(quant: Mapping[str, Any]) -> str | None:
    """The KV-cache dtype `auto` resolves to for this ModelOpt config (None: the model's own dtype)."""
    if not is_modelopt(quant):
        return None
    inner = settings(quant)
    # vLLM's order: a scheme before an algorithm name, the nested settings before the top level.
    found = (part.get(key) for key in ("kv_cache_scheme", "kv_cache_quant_algo") for part in (inner, quant))
    algo = next((value for value in found if value), None)
    if isinstance(algo, Mapping):
        # A compressed-tensors style scheme: static 8-bit floats are an fp8 cache.
        fp8 = algo.get("dynamic") is False and algo.get("num_bits") == 8 and algo.get("type") == "float"
        return KV_ALGO_TO_CACHE_DTYPE["fp8"] if fp8 else None
    return KV_ALGO_TO_CACHE_DTYPE.get(algo.lower()) if isinstance(algo, str) else None
