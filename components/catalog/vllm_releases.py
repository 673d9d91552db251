"""The vLLM features inferstack's GPU manifests rely on, by release: when each arrived and where it is reported broken.

Read from `data/vllm_releases.yaml`; validation compares them with the release a model's `image:` names.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from inferstack.catalog.lookup import load_file

RELEASES_FILE = "vllm_releases.yaml"
FeatureKey = Literal["s3_streaming", "gcs_streaming", "distributed_streaming", "modelopt_fp4"]
MinorRelease = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]


class Feature(BaseModel):
    """One engine feature: the first release with it and the minor releases where it is reported broken."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(description="What the manifests use it for.")
    since: str = Field(pattern=r"^\d+\.\d+\.\d+$", description="The first release whose source has the feature.")
    broken: tuple[MinorRelease, ...] = Field(description="Minor releases (major.minor) where it is reported broken.")
    source: str = Field(min_length=8, description="Where the releases were read.")
    as_of: dt.date = Field(description="The date they were read.")

    def first(self) -> tuple[int, ...]:
        """`since` as numbers."""
        return version_numbers(self.since)

    def broken_in(self) -> tuple[tuple[int, ...], ...]:
        """`broken` as (major, minor) numbers."""
        return tuple(version_numbers(text) for text in self.broken)


def version_numbers(text: str) -> tuple[int, ...]:
    """A catalog release ('0.10.2', or a minor '0.10') as numbers, for comparing with a parsed image tag."""
    return tuple(int(part) for part in text.split("."))


class VllmReleases(BaseModel):
    """The whole data file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    features: dict[FeatureKey, Feature]


@cache
def vllm_releases() -> VllmReleases:
    """The feature-by-release facts."""
    return load_file(VllmReleases, RELEASES_FILE)


def feature(key: FeatureKey) -> Feature:
    """One feature's facts."""
    return vllm_releases().features[key]
