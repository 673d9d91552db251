"""Typed shapes of the catalog data files: every fact carries its source and the date it was read."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt

Cloud = Literal["aws", "gcp"]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=8, description="Where the figures come from (URL or document title).")
    as_of: dt.date = Field(description="The date the figures were read from the source.")


class Gpu(_Fact):
    """One GPU model: memory, bandwidth and dense tensor throughput."""

    name: str = Field(description="Marketing name, e.g. 'NVIDIA L4'.")
    memory_gib: PositiveFloat = Field(description="Device memory in GiB as sold (e.g. 24 for L4, 80 for H100).")
    memory_bandwidth_gbps: PositiveFloat = Field(description="Peak memory bandwidth in GB/s.")
    bf16_dense_tflops: PositiveFloat = Field(description="Dense (no sparsity) BF16 tensor TFLOPS.")
    fp8_dense_tflops: PositiveFloat | None = Field(
        default=None, description="Dense FP8 tensor TFLOPS; null when the GPU has no FP8 tensor cores."
    )


class RegionOffer(BaseModel):
    """Where and at what price an instance type is offered in one region."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zones: tuple[str, ...] = Field(min_length=1, description="Zones of the region known to offer the type.")
    on_demand_usd_per_hour: PositiveFloat = Field(description="Linux on-demand price per hour in USD.")
    spot_usd_per_hour: PositiveFloat | None = Field(
        default=None, description="Typical spot/preemptible price per hour in USD; null when not recorded."
    )


class InstanceType(_Fact):
    """A VM shape (AWS instance type or GCP machine type) with its GPUs, size and regional offers."""

    gpu: str | None = Field(description="GPU catalog key (e.g. 'nvidia-l4'); null for CPU-only types.")
    gpus: int = Field(ge=0, description="Number of GPUs attached to one VM.")
    vcpus: PositiveInt = Field(description="Virtual CPUs.")
    memory_gib: PositiveFloat = Field(description="System memory in GiB.")
    local_nvme_gb: float = Field(ge=0, description="Local instance-store NVMe in GB (0 when none).")
    network_gbps: PositiveFloat = Field(description="Network bandwidth in Gbit/s (the 'up to' figure when bursty).")
    accelerator_type: str | None = Field(
        default=None, description="GCP accelerator type name for the node pool (e.g. 'nvidia-l4'); AWS: null."
    )
    regions: dict[str, RegionOffer] = Field(min_length=1, description="Regions offering this type, by region name.")


class Region(_Fact):
    """A cloud region and its zones."""

    zones: tuple[str, ...] = Field(min_length=1, description="Zone names in a stable order (append new ones).")
