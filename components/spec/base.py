"""What every spec model shares: strict, frozen pydantic models, and the form of a key."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

# Keys become parts of cloud and Kubernetes resource names: a short DNS label keeps every derived name
# (e.g. "<env>-<pool>-nodes", "<model>-engine") under the 63-character limits.
KEY_PATTERN = r"^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$"
Key = Annotated[str, Field(pattern=KEY_PATTERN)]

Cloud = Literal["aws", "gcp", "kubernetes"]
SecurityProfile = Literal["standard", "private"]

# The value a stack file writes where inferstack is to choose (see planning/auto.py).
AUTO: Final = "auto"


class FrozenSpec(BaseModel):
    """Base of every spec model: unknown fields are errors and values never change after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True)
