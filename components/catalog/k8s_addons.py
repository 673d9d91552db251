"""Workload-layer facts as typed data: pinned add-on charts and engine images.

Read from `data/k8s_addons.yaml`; every entry carries its source and the date it was read.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inferstack.catalog.lookup import load_file

ADDONS_FILE = "k8s_addons.yaml"

ChartKey = Literal[
    "kube-prometheus-stack",
    "keda",
    "keda-add-ons-http",
    "nvidia-device-plugin",
    "dcgm-exporter",
    "envoy-gateway",
    "ai-gateway-crds",
    "ai-gateway",
    "karpenter",
]
ImageKey = Literal["vllm", "vllm-cpu", "vllm-cpu-arm64", "smoke-client", "epp", "redis"]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=8, description="Where the figure comes from.")
    as_of: dt.date = Field(description="The date the figure was read from the source.")


class HelmChart(_Fact):
    """A pinned Helm chart and the namespace its release goes to."""

    # oci:// for a chart published to an OCI registry (Helm pulls it by reference, with no repository index).
    repository: str = Field(pattern=r"^(https|oci)://", description="Chart repository URL (https:// or oci://).")
    chart: str = Field(description="Chart name in the repository.")
    # Charts published with a v prefix (the Envoy charts) are pulled by that exact tag.
    version: str = Field(pattern=r"^v?\d+\.\d+\.\d+$", description="Exact chart version (never a range).")
    namespace: str = Field(description="Namespace of the release.")
    control_plane_ports: tuple[int, ...] = Field(
        default=(), description="Pod ports the API server calls (webhooks, aggregated APIs); default: none."
    )


class Image(_Fact):
    """A container image pinned to a version tag."""

    repository: str = Field(description="Image repository.")
    tag: str = Field(
        pattern=r"^v?\d+\.\d+\.\d+(-[a-z0-9.]+)?$",
        description="Version tag, a base-image suffix allowed (never latest).",
    )
    needs: str | None = Field(default=None, description="What the node's CPU must offer to run it; null: nothing.")
    compile_cache_dir: str | None = Field(
        default=None,
        description="Where under VLLM_CACHE_ROOT the engine keeps its torch.compile artifacts; null: it keeps none.",
    )

    @property
    def ref(self) -> str:
        """The full image reference, repository:tag."""
        return f"{self.repository}:{self.tag}"


class K8sAddons(BaseModel):
    """The whole data file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    charts: dict[ChartKey, HelmChart]
    images: dict[ImageKey, Image]


@cache
def k8s_addons() -> K8sAddons:
    """The pinned charts and images of the workload layer."""
    return load_file(K8sAddons, ADDONS_FILE)
