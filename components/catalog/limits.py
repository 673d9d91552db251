"""The limits the clouds enforce on what a stack asks for (tags, labels, log retention, disk sizes), as data."""

from __future__ import annotations

import datetime as dt
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from inferstack.catalog.lookup import load_file


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=8, description="Where the figures come from (URL or document title).")
    as_of: dt.date = Field(description="The date the figures were read from the source.")


class AwsTagLimits(_Fact):
    """How many tags an AWS resource takes and how long their keys and values may be."""

    max_per_resource: PositiveInt = Field(description="User tags one resource may carry.")
    key_max_chars: PositiveInt = Field(description="Longest tag key.")
    value_max_chars: PositiveInt = Field(description="Longest tag value.")
    reserved_prefix: str = Field(description="Prefix AWS keeps for itself, in any letter case.")


class GcpLabelLimits(_Fact):
    """The syntax and number of GCP labels on one resource."""

    max_per_resource: PositiveInt = Field(description="Labels one resource may carry.")
    key_pattern: str = Field(description="Regular expression every key matches.")
    value_pattern: str = Field(description="Regular expression every value matches.")


class AllowedValues(_Fact):
    """A setting that takes one of a fixed list of values."""

    allowed: tuple[PositiveInt, ...] = Field(min_length=1, description="The values the service accepts.")


class Range(_Fact):
    """A setting that takes any whole number in a range."""

    min: PositiveInt = Field(description="Smallest accepted value.")
    max: PositiveInt = Field(description="Largest accepted value.")


class AwsLimits(BaseModel):
    """What AWS accepts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tags: AwsTagLimits
    log_retention_days: AllowedValues
    root_volume_gib: Range


class GcpLimits(BaseModel):
    """What GCP accepts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    labels: GcpLabelLimits
    log_retention_days: Range
    root_volume_gib: Range


class HubTokenFile(_Fact):
    """The variable the hub client reads the path of its token file from."""

    env: str = Field(min_length=1, description="Environment variable naming the token file.")


class Limits(BaseModel):
    """The whole limits.yaml file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    aws: AwsLimits
    gcp: GcpLimits
    hub_token_file: HubTokenFile


@cache
def limits() -> Limits:
    """The cloud limits of catalog/data/limits.yaml."""
    return load_file(Limits, "limits.yaml")
