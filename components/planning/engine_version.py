"""Which vLLM the planner models: the pinned image by default, or the release a model's `image:` (or `size
--vllm-version`) names, with the defaults and host costs that release had.

The facts are in components/catalog/data/efficiency.yaml: vLLM ran at most 256 sequences on every GPU before V1
(`v0_max_num_seqs`), V1's defaults follow the GPU's memory from v0.8 and left the A100 out from v0.9
(`defaults_before_v0_9`), prefilled in passes of their own before V1 became the default in v0.8 (`prefill_stall`), did
its host work per sequence between GPU steps before async scheduling became the default in v0.14
(`v1_sequence_overhead_s`; V0 releases 0.6-0.7, whose API server already ran apart, pay the smaller
`multi_step_sequence_overhead_s`), and before v0.6 also ran its API server in the engine's process
(`legacy_sequence_overhead_s`, per GPU host where measured). From v0.17 it fuses each tensor-parallel all-reduce with
the norm after it on Hopper and Blackwell NVLink GPUs (`fused_allreduce_latency_s`).
"""

from __future__ import annotations

import dataclasses
import re

from inferstack import catalog
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.planning.capacity import default_efficiency, engine_max_num_seqs
from inferstack.planning.sizing import Efficiency
from inferstack.spec.models import ModelSpec

# A release's major and minor number, e.g. (0, 10) for v0.10.2.
Release = tuple[int, int]
# A release's major, minor and patch number, e.g. (0, 10, 2) for v0.10.2 (patch 0 when the tag gives none).
Version = tuple[int, int, int]
# The first releases with each default (efficiency.yaml): V1 (and its batch defaults by GPU memory), the A100's
# exclusion from V1's large-GPU defaults, async scheduling, the API server in a process of its own.
V1_DEFAULT: Release = (0, 8)
A100_DEFAULTS_EXCLUDED: Release = (0, 9)
ASYNC_SCHEDULING_DEFAULT: Release = (0, 14)
# The first release whose sampler filters top-k/top-p with a Triton kernel instead of sorting the vocabulary, which
# shrinks the profile pass's sampler peak (efficiency.yaml sampler_warmup_bytes_triton).
TRITON_TOP_K_TOP_P: Release = (0, 17)
# The first release whose default compilation fuses each tensor-parallel all-reduce with the residual add and RMSNorm
# on Hopper and Blackwell (efficiency.yaml fused_allreduce_latency_s).
ALLREDUCE_RMS_FUSION: Release = (0, 17)
FUSION_CAPABILITIES = (9.0, 10.0, 10.3)
API_SERVER_APART: Release = (0, 6)
_VERSION = re.compile(
    r"(?:^|[:v@/-])v?(\d+)\.(\d+)(?:\.(\d+))?(?:[.+-]?[A-Za-z][A-Za-z0-9.+-]*|[.+-][A-Za-z0-9.+-]*)?$"
)


def parse_release(text: str) -> Release | None:
    """The release a version ('0.10.2', 'v0.10') or an image reference ('vllm/vllm-openai:v0.10.2') names, if any."""
    version = parse_version(text)
    return version[:2] if version else None


def parse_version(text: str) -> Version | None:
    """`parse_release` with the patch number (0 where the tag gives none: 'v0.10' is taken as v0.10.0)."""
    tag = text.rsplit("/", 1)[-1]
    tag = tag.split(":", 1)[1] if ":" in tag else tag
    found = _VERSION.search(tag)
    if not found:
        return None
    return int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)


def pinned_release() -> Release:
    """The release of the engine image inferstack deploys (components/catalog/data/k8s_addons.yaml)."""
    image = k8s_addons().images["vllm"]
    found = parse_release(image.tag)
    assert found is not None, image.tag
    return found


def vllm_efficiency(gpu: str, release: Release | None = None) -> Efficiency:
    """The catalog's factors for this GPU as `release` runs them (None: the pinned release)."""
    eff = dataclasses.replace(default_efficiency(gpu), max_num_seqs=vllm_max_num_seqs(gpu, release))
    factors = catalog.efficiency().factors
    if release is not None and release >= ALLREDUCE_RMS_FUSION and _fuses_allreduce(gpu):
        eff = dataclasses.replace(eff, allreduce_latency_s=factors.fused_allreduce_latency_s.value)
    if release is not None and release >= TRITON_TOP_K_TOP_P:
        return dataclasses.replace(eff, sampler_bytes=factors.sampler_warmup_bytes_triton.value)
    if release is None or release >= ASYNC_SCHEDULING_DEFAULT:
        return eff
    if release < API_SERVER_APART:
        per_gpu = catalog.efficiency().gpus.get(gpu)
        host = per_gpu.legacy_sequence_overhead_s if per_gpu is not None else None
        legacy = host if host is not None else factors.legacy_sequence_overhead_s.value
        return dataclasses.replace(
            eff, sequence_overhead_s=legacy, overlap_sequence_overhead=False, piggyback_prefill=False
        )
    # Before async scheduling the engine core schedules and applies every step's outputs between GPU steps.
    eff = dataclasses.replace(eff, overlap_sequence_overhead=False, piggyback_prefill=release >= V1_DEFAULT)
    if release < V1_DEFAULT:
        # V0 with the API server in a process of its own: the host work left per sequence (efficiency.yaml).
        eff = dataclasses.replace(eff, sequence_overhead_s=factors.multi_step_sequence_overhead_s.value)
    if (early := _v1_early_defaults(gpu, release)) is not None:
        eff = dataclasses.replace(eff, batched_tokens=early[1])
    return eff


def _fuses_allreduce(gpu: str) -> bool:
    """True where vLLM's all-reduce fusion runs: Hopper or Blackwell GPUs joined by NVLink (not PCIe cards)."""
    entry, per_gpu = catalog.gpus().get(gpu), catalog.efficiency().gpus.get(gpu)
    capability = entry.arch.compute_capability if entry is not None and entry.arch is not None else None
    linked = per_gpu is not None and per_gpu.interconnect == "nvlink"
    return linked and capability in FUSION_CAPABILITIES


def vllm_max_num_seqs(gpu: str, release: Release | None = None) -> int:
    """vLLM's default cap on running sequences on this GPU in `release` (None: the pinned release)."""
    if release is not None and release < V1_DEFAULT:
        return int(catalog.efficiency().factors.v0_max_num_seqs.value)
    if (early := _v1_early_defaults(gpu, release)) is not None:
        return early[0]
    return engine_max_num_seqs(gpu)


def _v1_early_defaults(gpu: str, release: Release | None) -> tuple[int, int] | None:
    """vLLM 0.8's (max_num_seqs, max_num_batched_tokens) on a GPU where they differ from v0.9 on (the A100-80GB)."""
    if release is None or not V1_DEFAULT <= release < A100_DEFAULTS_EXCLUDED:
        return None
    per_gpu = catalog.efficiency().gpus.get(gpu)
    return per_gpu.defaults_before_v0_9 if per_gpu is not None else None


def model_release(model: ModelSpec) -> Release | None:
    """The vLLM release a spec model runs: its `image:` tag's (e.g. v0.10.2), None for the pinned image or one whose
    reference names no release (a digest, a custom tag), which the planner sizes as the pinned release."""
    version = model_version(model)
    return version[:2] if version else None


def model_version(model: ModelSpec) -> Version | None:
    """`model_release` with the patch number (validation compares it with the release each feature arrived in)."""
    if model.engine != "vllm" or model.image is None:
        return None
    return parse_version(model.image)
