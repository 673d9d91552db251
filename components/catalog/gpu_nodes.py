"""What NVIDIA's node software puts on GPU nodes of a cluster inferstack did not build, as typed data.

Read from `data/gpu_nodes.yaml`: the GPU resource name, GPU Feature Discovery's product label (its value per catalog
GPU), the GPU operator's presence label and the conventional GPU taint; every entry carries its source and date.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inferstack.catalog.lookup import load_file

GPU_NODES_FILE = "gpu_nodes.yaml"


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=8, description="Where the fact comes from.")
    as_of: dt.date = Field(description="The date it was read from the source.")


class GpuResource(_Fact):
    """The extended resource a GPU container requests."""

    name: str = Field(description="Resource name, e.g. nvidia.com/gpu.")


class NodeLabel(_Fact):
    """A node label NVIDIA's software sets, with its value when that is fixed."""

    key: str = Field(description="Label key.")
    value: str | None = Field(default=None, description="The fixed value; null: it varies by node.")


class GpuTaint(_Fact):
    """The taint GPU nodes conventionally carry (set by the cluster's admin or cloud, never by NVIDIA's software)."""

    key: str = Field(description="Taint key.")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = Field(description="Taint effect.")


class ProductLabel(_Fact):
    """GPU Feature Discovery's product label value for one catalog GPU."""

    label: str = Field(min_length=1, max_length=63, description="The nvidia.com/gpu.product value.")


class GpuNodeLabels(BaseModel):
    """The product and presence labels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    product: NodeLabel
    present: NodeLabel


class GpuNodes(BaseModel):
    """The whole data file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resource: GpuResource
    labels: GpuNodeLabels
    taint: GpuTaint
    products: dict[str, ProductLabel]


@cache
def gpu_nodes() -> GpuNodes:
    """The facts of NVIDIA GPU nodes inferstack selects but does not manage."""
    return load_file(GpuNodes, GPU_NODES_FILE)
