"""Building blocks of the offline engine's mock table: what a mocked resource knows and how a type is mocked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MOCK_ACCOUNT = "123456789012"
MOCK_PROJECT = "inferstack-offline"

Props = dict[str, Any]


@dataclass(frozen=True)
class MockedResource:
    """Where a registered resource is: enough context for its table entry to invent realistic outputs."""

    type: str
    name: str
    urn: str
    inputs: Props
    # The inputs of the explicit provider the resource uses ({} for the default provider): a GCP resource with no
    # `project` of its own lives in its provider's project.
    provider: Props = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """A stable hex digest of the URN: the same resource gets the same mock id on every run."""
        return hashlib.sha256(self.urn.encode()).hexdigest()


@dataclass(frozen=True)
class TypeMock:
    """How one resource type is mocked: its id format and the outputs the provider would compute."""

    make_id: Callable[[MockedResource], str]
    outputs: Callable[[MockedResource], Props] = field(default=lambda _: {})


def prefixed_id(prefix: str, length: int = 17) -> Callable[[MockedResource], str]:
    """An id like AWS's: a type prefix and hex digits, e.g. vpc-0a1b…."""
    return lambda res: f"{prefix}-{res.digest[:length]}"


def named_id(res: MockedResource) -> str:
    """An id that is the resource's physical name, as for IAM roles or GCP resources."""
    return str(res.inputs.get("name") or res.name)


def provider_id(res: MockedResource) -> str:
    """A UUID-shaped id, as providers get from the engine."""
    return f"{res.digest[:8]}-{res.digest[8:12]}-{res.digest[12:16]}-{res.digest[16:20]}-{res.digest[20:32]}"


# (the invoke's arguments, the inputs of the provider it goes to: {} for the default provider) -> the answer.
InvokeMock = Callable[[Mapping[str, Any], Mapping[str, Any]], Props]
