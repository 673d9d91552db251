"""How tests/bench/published_report.py models each engine and vLLM version of a published point.

The planner models the pinned vLLM; a point measured on another engine or an older vLLM runs with that engine's
batch limits, token budget and host costs as the catalog records them (components/catalog/data/efficiency.yaml).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from inferstack import catalog
from inferstack.planning.capacity import default_efficiency
from inferstack.planning.engine_version import vllm_efficiency, vllm_max_num_seqs
from inferstack.planning.sizing import Efficiency

# TensorRT-LLM (trtllm-bench, NIM) sizes its batch from the KV cache and schedules up to 8192 tokens per pass
# (max_num_tokens' default); vLLM's limits come from the catalog (its defaults per GPU type).
TRTLLM_MAX_BATCH = 4096
TRTLLM_TOKENS = 8192


def vllm_minor(point: dict[str, Any]) -> int | None:
    """The minor version of a vLLM point (5 for 0.5.4, also read from 'the 0.8 series'); None for other engines."""
    found = re.search(r"\b0\.(\d+)\b", point["engine_version"])
    return int(found.group(1)) if point["engine"] == "vllm" and found is not None else None


def running_limit(point: dict[str, Any]) -> int:
    """The engine's cap on running sequences: TensorRT-LLM's KV-sized batch, vLLM's default at the point's version."""
    if point["engine"] == "tensorrt-llm":
        return TRTLLM_MAX_BATCH
    minor = vllm_minor(point)
    return vllm_max_num_seqs(point["gpu"], (0, minor) if minor is not None else None)


def engine_efficiency(point: dict[str, Any]) -> Efficiency:
    """The catalog's factors for the point's GPU as its engine runs them: vLLM's release (planning/engine_version.py),
    TensorRT-LLM's token budget and MoE kernels, a run's own flags (max_model_len, multi-step scheduling)."""
    eff = default_efficiency(point["gpu"])
    if point["engine"] == "tensorrt-llm":
        # Its MoE GEMMs are CUTLASS grouped GEMMs that overlap weight loads with math (efficiency.yaml).
        serial = eff.moe_serial * (1 - catalog.efficiency().factors.trtllm_moe_overlap.value)
        # Its C++ executor's host work is not vLLM's Python engine core: none is counted.
        return dataclasses.replace(
            eff,
            batched_tokens=TRTLLM_TOKENS,
            moe_serial=serial,
            # Its CUTLASS MoE GEMMs' fixed cost was not measured (efficiency.yaml moe_layer_floor_s).
            moe_layer_s=0.0,
            sequence_overhead_s=0.0,
            request_latency_s=0.0,
            request_latency_per_token_rate=0.0,
            piggyback_prefill=False,
            # Its KV cache takes a share of the memory free after loading; no profile pass samples at the batch cap.
            sampler_bytes=0.0,
        )
    minor = vllm_minor(point)
    if minor is not None:
        eff = vllm_efficiency(point["gpu"], (0, minor))
    else:
        # SGLang, or a vLLM point whose release is unknown: prefills in passes of its own; SGLang's server has a fixed
        # first-token latency of its own (efficiency.yaml sglang_request_latency_s).
        eff = dataclasses.replace(eff, piggyback_prefill=False)
        if point["engine"] == "sglang":
            latency = catalog.efficiency().factors.sglang_request_latency_s.value
            eff = dataclasses.replace(eff, request_latency_s=latency, request_latency_per_token_rate=0.0)
        elif point["engine"] != "vllm":
            eff = dataclasses.replace(eff, request_latency_s=0.0, request_latency_per_token_rate=0.0)
    if point.get("max_model_len") is not None:
        # vLLM V0's token budget per pass follows the run's context length (the catalog's per-GPU values are V1's).
        floor = int(catalog.efficiency().factors.v0_batched_tokens_floor.value)
        eff = dataclasses.replace(eff, batched_tokens=max(point["max_model_len"], floor))
    if point.get("scheduler_steps", 1) > 1:
        factors = catalog.efficiency().factors
        return dataclasses.replace(
            eff,
            piggyback_prefill=False,
            prefill_stall=factors.multi_step_prefill_stall.value,
            sequence_overhead_s=factors.multi_step_sequence_overhead_s.value,
            overlap_sequence_overhead=True,
            steps_per_schedule=point["scheduler_steps"],
        )
    return eff


def memory_share(point: dict[str, Any], eff: Efficiency) -> tuple[Efficiency, float]:
    """The factors and the share of GPU memory the point's engine sizes its KV cache with: vLLM's 0.9 less its runtime
    (`eff`'s), or SGLang's static share of its release, which holds weights and KV cache with the runtime left out."""
    if point["engine"] != "sglang":
        return eff, 0.9
    static = dataclasses.replace(eff, overhead_gib=0.0, overhead_tp_gib=None, activation_gib=0.0, sampler_bytes=0.0)
    return static, sglang_memory_fraction(point)


def _sglang_release(point: dict[str, Any]) -> tuple[int, int]:
    """The major and minor number of an SGLang point's version ('0.4.0.x (unstated ...)' is 0.4)."""
    found = re.search(r"\b(\d+)\.(\d+)", point["engine_version"])
    assert found is not None, point["engine_version"]
    return int(found.group(1)), int(found.group(2))


def sglang_memory_fraction(point: dict[str, Any]) -> float:
    """SGLang's default mem_fraction_static (weights plus KV cache over GPU memory) at the point's version, TP and GPU.

    Read in the released wheels (sglang/srt/server_args.py, 2026-12-03): before 0.5 a table by TP degree (0.3.0: 0.88 at
    TP1, 0.87 TP2, 0.85 TP4, 0.83 TP8; 0.4.0 and 0.4.1 the same but 0.81 at TP8); 0.5.3 and 0.5.5 reserve 512 MiB,
    1.5 x the chunked-prefill tokens, 2 x the largest CUDA-graph batch and tp/8 GiB (at least 10 GiB on GPUs with more
    than 60 GiB) out of the nvidia-smi total.
    """
    tp = int(point["tp"])
    release = _sglang_release(point)
    if release < (0, 5):
        large_tp = 0.83 if release < (0, 4) else 0.81
        return 0.79 if tp >= 16 else large_tp if tp >= 8 else 0.85 if tp >= 4 else 0.87 if tp >= 2 else 0.88
    gpu = catalog.gpus()[point["gpu"]]
    mib = gpu.memory_mib or gpu.memory_gib * 1024
    # server_args.py's memory tiers: chunked-prefill tokens and the largest CUDA-graph batch (TP < 4, TP >= 4).
    if mib < 20 * 1024:
        chunk, graphs = 2048, (8, 8)
    elif mib < 35 * 1024:
        chunk, graphs = 2048, (24, 80)
    elif mib < 60 * 1024:
        chunk, graphs = 4096, (32, 160)
    elif mib < 160 * 1024:
        chunk, graphs = 8192, (256, 512)
    else:
        chunk, graphs = 16384, (512, 512)
    reserved = 512 + max(chunk, 2048) * 1.5 + (graphs[0] if tp < 4 else graphs[1]) * 2 + tp / 8 * 1024
    if mib > 60 * 1024:
        reserved = max(reserved, 10 * 1024)
    return round((mib - reserved) / mib, 3)
