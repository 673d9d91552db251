"""Kubernetes versions per managed cloud as typed data: release, end of standard and of extended support.

Read from `data/kubernetes_versions.yaml`; every cloud's table carries its source and the date it was read.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from inferstack.catalog.lookup import load_file

VERSIONS_FILE = "kubernetes_versions.yaml"

ManagedCloud = Literal["aws", "gcp"]
# Where a version stands on a date: standard support, extended support (billed extra or not offered), or ended.
SupportStatus = Literal["standard", "extended", "ended", "unknown"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VersionSupport(_Strict):
    """One Kubernetes minor version on one cloud."""

    release: dt.date = Field(description="The date the cloud offered the version for new clusters.")
    end_of_standard: dt.date = Field(description="The last day of standard support.")
    end_of_extended: dt.date | None = Field(description="The last day of extended support; null when not found.")

    @model_validator(mode="after")
    def _ordered(self) -> VersionSupport:
        ends = [self.end_of_standard, *([self.end_of_extended] if self.end_of_extended else [])]
        if [self.release, *ends] != sorted([self.release, *ends]):
            raise ValueError("release, end_of_standard and end_of_extended must be in date order")
        return self

    def status(self, on: dt.date) -> SupportStatus:
        """Where the version stands on a date."""
        if on <= self.end_of_standard:
            return "standard"
        if self.end_of_extended is None:
            return "unknown"
        return "extended" if on <= self.end_of_extended else "ended"


class CloudVersions(_Strict):
    """The version table of one cloud."""

    source: str = Field(min_length=8, description="Where the dates come from.")
    as_of: dt.date = Field(description="The date the dates were read from the source.")
    versions: dict[str, VersionSupport] = Field(min_length=1)


class VersionsCatalog(_Strict):
    """The whole data file."""

    as_of: dt.date = Field(description="The date the tables were last checked.")
    clouds: dict[ManagedCloud, CloudVersions]


@cache
def versions_catalog() -> VersionsCatalog:
    """The parsed version tables (loaded once)."""
    return load_file(VersionsCatalog, VERSIONS_FILE)


def version_support(cloud: ManagedCloud, version: str) -> VersionSupport | None:
    """The support dates of a minor version on a cloud, or None when the catalog does not list it."""
    return versions_catalog().clouds[cloud].versions.get(version)
