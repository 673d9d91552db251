"""What the CPU engine's image needs from the nodes: said by `validate`, since nothing offline can see the CPU."""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.spec.errors import SpecWarning
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path


def warn_cpu_engine(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """Each vllm-cpu model without its own image: the CPU features its pinned image needs (catalog `needs`)."""
    arm64 = spec.cluster.architecture == "arm64"
    image = k8s_addons().images["vllm-cpu-arm64" if arm64 else "vllm-cpu"]
    if image.needs is None:
        return
    fix = (
        "on an x86-64 cluster remove cluster.architecture"
        if arm64
        else "on Apple silicon or other arm64 nodes set cluster.architecture: arm64 (the arm64 image)"
    )
    for key, model in sorted(spec.models.items()):
        if model.engine == "vllm-cpu" and model.image is None:
            yield SpecWarning(
                field_path("models", key, "engine"), f"the vllm-cpu image {image.ref} runs on {image.needs}", fix
            )
