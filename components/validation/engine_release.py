"""A model's `image:` against what its manifests need from vLLM: refuse a release without it, warn where it is broken.

The manifests are written for the pinned image (k8s/engines.py). An override may name an older release, whose engine
lacks a flag or a metric the manifests use: it would crash at start-up or leave dashboards, alerts and autoscaling
without data. The facts are release by release in catalog/data/vllm_releases.yaml and metrics.yaml (`since`). An
image whose reference names no release (a digest, a custom tag) is not checked: nothing offline can read its version.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from inferstack import catalog
from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.catalog.metrics import metric_catalog
from inferstack.catalog.vllm_releases import Feature, FeatureKey, feature, version_numbers
from inferstack.planning.capacity import hub_id
from inferstack.planning.engine_version import Version, model_version
from inferstack.planning.spec_serving import model_store_kind
from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec, ModelSpec, tensor_parallel_of
from inferstack.validation.common import field_path

# The URI scheme of each cloud's model bucket (aws/, gcp/ model stores) and the engine feature that reads it.
SCHEME_FEATURE: dict[str, tuple[str, FeatureKey]] = {
    "aws": ("s3://", "s3_streaming"),
    "gcp": ("gs://", "gcs_streaming"),
}


def _shown(version: Version) -> str:
    return ".".join(str(part) for part in version)


def _pinned_fix() -> str:
    return f"remove image to run the pinned {k8s_addons().images['vllm'].ref}"


def _streamed(spec: EnvironmentSpec) -> tuple[str, FeatureKey] | None:
    """The object-store scheme and feature the environment's engines stream weights with; None: local weights."""
    if model_store_kind(spec) != "bucket":
        return None
    return SCHEME_FEATURE.get(spec.cloud)


def _used_features(spec: EnvironmentSpec, model: ModelSpec) -> Iterator[tuple[FeatureKey, Feature]]:
    streamed = _streamed(spec)
    if streamed is None:
        return
    yield streamed[1], feature(streamed[1])
    if tensor_parallel_of(model) > 1:
        yield "distributed_streaming", feature("distributed_streaming")


def check_engine_release(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """An image whose vLLM release predates the object-store streaming the model's weights are read with."""
    streamed = _streamed(spec)
    if streamed is None:
        return
    scheme, key = streamed
    for name, model in sorted(spec.models.items()):
        # The facts file is read only when a model names a release (most stacks run the pinned image).
        version = model_version(model)
        if version is None or version >= (needed := feature(key)).first():
            continue
        yield SpecIssue(
            field_path("models", name, "image"),
            f"vLLM {_shown(version)} cannot read weights from the model bucket: {needed.description} arrived in "
            f"vLLM {needed.since}, so the engine would fail at start-up",
            f"use an image of vLLM {needed.since} or later, {_pinned_fix()}, or set model_store.bucket: false "
            f"(weights on a local cache volume, not {scheme})",
        )


def check_quantization_release(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """An image whose vLLM release cannot load the model's NVFP4 weights (asked for, or its checkpoint's method)."""
    for name, model in sorted(spec.models.items()):
        version = model_version(model)
        if version is None:
            continue
        loaded = model.quantization or catalog.checkpoint_quantization(hub_id(model.source))
        if loaded != "modelopt_fp4" or version >= (needed := feature("modelopt_fp4")).first():
            continue
        yield SpecIssue(
            field_path("models", name, "image"),
            f"vLLM {_shown(version)} cannot load {needed.description}: the method arrived in vLLM {needed.since}, so "
            "the engine would fail at start-up",
            f"use an image of vLLM {needed.since} or later, {_pinned_fix()}, or a checkpoint in another format",
        )


def warn_engine_release(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """A release with a reported regression of what the model uses, without distributed streaming, or older metrics."""
    for name, model in sorted(spec.models.items()):
        version = model_version(model)
        if version is None:
            continue
        path = field_path("models", name, "image")
        for key, used in _used_features(spec, model):
            if version[:2] in used.broken_in():
                yield SpecWarning(
                    path,
                    f"{used.description} is reported broken in vLLM {version[0]}.{version[1]} (sources in "
                    "catalog/data/vllm_releases.yaml): the engine may fail at start-up",
                    f"{_pinned_fix()}, or use a release outside {', '.join(used.broken)}",
                )
            elif key == "distributed_streaming" and version < used.first():
                tp = tensor_parallel_of(model)
                yield SpecWarning(
                    path,
                    f"vLLM {_shown(version)} ignores distributed streaming (from {used.since}): each of the {tp} "
                    f"tensor-parallel ranks reads every weight file, {tp}x what the start-up estimate and the "
                    "startupProbe count",
                    f"use an image of vLLM {used.since} or later, or {_pinned_fix()}",
                )
        yield from _missing_metrics(path, version)


def _missing_metrics(path: str, version: Version) -> Iterator[SpecWarning]:
    vllm = metric_catalog().exporters["vllm"]
    missing = sorted(name for name, since in vllm.since.items() if version < version_numbers(since))
    if missing:
        yield SpecWarning(
            path,
            f"vLLM {_shown(version)} does not export {', '.join(missing)} (metrics.yaml `since`): the dashboards, "
            "alert rules and autoscaling triggers that read them get no data",
            f"{_pinned_fix()}, or use a release that exports them",
        )
