"""What every spec model shares: strict, frozen pydantic models, and the form of a key."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

# Keys become parts of cloud and Kubernetes resource names: a short DNS label keeps every derived name
# (e.g. "<env>-<pool>-nodes", "<model>-engine") under the 63-character limits.
KEY_PATTERN = r"^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$"
Key = Annotated[str, Field(pattern=KEY_PATTERN)]

Cloud = Literal["aws", "gcp", "kubernetes"]
SecurityProfile = Literal["standard", "private"]

# Upper bounds of the numbers a stack file may give: far above anything real, low enough that every sum and
# product planning makes stays a finite float (a YAML 10**400 or .inf would otherwise reach the arithmetic).
MAX_NODES: Final = 1000
MAX_REPLICAS: Final = 1000
MAX_GPUS_PER_NODE: Final = 16
MAX_DISK_GIB: Final = 65536  # the largest EBS volume / GCE persistent disk (64 TiB)
MAX_RETENTION_DAYS: Final = 3653  # CloudWatch's longest retention (10 years)
MAX_TOKENS: Final = 100_000_000
MAX_DIMENSION: Final = 1_000_000
MAX_PARAMS_B: Final = 100_000.0  # 100T parameters
MAX_QUEUE_DEPTH: Final = 10_000
MAX_REQUESTS_PER_SECOND: Final = 1_000_000.0
MAX_LATENCY_MS: Final = 3_600_000.0  # one hour
MAX_MONTHLY_USD: Final = 1_000_000_000.0


def _cidr_text(value: Any) -> Any:
    # Pydantic reads an integer (and YAML's `true`, a bool) as an IPv4 address: `api_access: [true]` would allow
    # 0.0.0.1/32 without a word. A CIDR is written as text; a network object built in code passes as it is.
    if isinstance(value, bool | int | float):
        raise PydanticCustomError("cidr_text", "must be a CIDR written as text, such as 10.0.0.0/16")
    return value


# An IPv4 network given as text ("10.0.0.0/16"), never as a number.
Cidr = Annotated[IPv4Network, BeforeValidator(_cidr_text)]

# The value a stack file writes where inferstack is to choose (see planning/auto.py).
AUTO: Final = "auto"

# The short dtype names people write; the engine is always given the long one (vLLM's --dtype has no bf16/fp16).
DTYPE_ALIASES: Final = {"bf16": "bfloat16", "fp16": "float16"}


def canonical_dtype(value: str) -> str:
    """The long name of a dtype alias (bf16 → bfloat16, fp16 → float16); any other value unchanged."""
    return DTYPE_ALIASES.get(value, value)


Dtype = Annotated[Literal["auto", "bfloat16", "float16", "bf16", "fp16"], AfterValidator(canonical_dtype)]


class FrozenSpec(BaseModel):
    """Base of every spec model: unknown fields are errors, numbers are finite, values never change after validation."""

    # allow_inf_nan=False: YAML's .inf and .nan are floats; .inf passes every lower bound, and either would reach
    # planning's arithmetic as a number.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
