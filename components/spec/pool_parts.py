"""The parts of a node pool's purchase: its ordered capacity preferences and the reservations it may consume.

The id and name forms are the providers' own, so a typo fails here rather than at apply time; where they are
read from is in components/catalog/data/k8s_addons.yaml (karpenter) and the README's capacity section.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PositiveInt, WithJsonSchema

from inferstack.spec.base import MAX_NODES, FrozenSpec

CapacityType = Literal["on_demand", "spot", "reserved"]
CAPACITY_TYPES: tuple[CapacityType, ...] = ("on_demand", "spot", "reserved")

# An EC2 capacity reservation id: "cr-" and 17 hex digits. On-Demand Capacity Reservations and Capacity Blocks
# for ML share the form (a Capacity Block is a capacity reservation of type capacity-block).
AWS_RESERVATION_ID = r"^cr-[0-9a-f]{17}$"
# A Compute Engine resource name (RFC 1035 label, 1-63 characters), the form of a reservation's name.
GCP_RESERVATION_NAME = r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$"


def _as_preferences(value: Any) -> Any:
    # The single value of a stack written before preference lists (`capacity: spot`) is a one-item list; the
    # stored form is always a tuple, so every reader sees the same shape.
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(value)  # pyright: ignore[reportUnknownArgumentType]
    return value


_PREFERENCE_SCHEMA = {
    "anyOf": [
        {"enum": list(CAPACITY_TYPES), "type": "string"},
        {"items": {"enum": list(CAPACITY_TYPES), "type": "string"}, "minItems": 1, "type": "array"},
    ]
}

# Ordered purchase preferences: written as one value or a list, held as a non-empty tuple.
CapacityPreferences = Annotated[
    tuple[CapacityType, ...],
    BeforeValidator(_as_preferences),
    Field(min_length=1),
    WithJsonSchema(_PREFERENCE_SCHEMA, mode="validation"),
]


class ReservationSpec(FrozenSpec):
    """Capacity bought ahead that a pool consumes first: an AWS reservation (by id or tags) or a GCP one (by name)."""

    id: str | None = Field(
        default=None,
        pattern=AWS_RESERVATION_ID,
        description="AWS: the capacity reservation id (ODCR or Capacity Block), cr- and 17 hex digits; default: none.",
    )
    tags: dict[str, str] | None = Field(
        default=None,
        min_length=1,
        description="AWS: select the capacity reservations carrying all these tags instead of an id; default: none.",
    )
    name: str | None = Field(
        default=None,
        pattern=GCP_RESERVATION_NAME,
        description="GCP: the Compute Engine reservation's name (RFC 1035, at most 63 characters); default: none.",
    )
    capacity_block: bool = Field(
        default=False,
        description="AWS: the reservation is a Capacity Block for ML (fixed term, paid up front); default: false.",
    )
    zone: str = Field(description="The zone the reservation is in, one of the pool's zones; required.")
    count: PositiveInt = Field(
        le=MAX_NODES, description="Nodes the reservation holds, at most the pool's max; required."
    )
