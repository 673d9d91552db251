"""What the cloud would answer, per resource type and per invoke token: the offline engine's strict table.

A type or token missing here is an error that names it; never a silent empty answer, because a silent
answer lets a check attached to a missing output pass without ever running.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MOCK_ACCOUNT = "123456789012"
MOCK_PROJECT = "inferstack-offline"
COMPONENT_PREFIX = "inferstack:index:"

Props = dict[str, Any]


@dataclass(frozen=True)
class MockedResource:
    """Where a registered resource is: enough context for its table entry to invent realistic outputs."""

    type: str
    name: str
    urn: str
    inputs: Props

    @property
    def digest(self) -> str:
        """A stable hex digest of the URN: the same resource gets the same mock id on every run."""
        return hashlib.sha256(self.urn.encode()).hexdigest()


@dataclass(frozen=True)
class TypeMock:
    """How one resource type is mocked: its id format and the outputs the provider would compute."""

    make_id: Callable[[MockedResource], str]
    outputs: Callable[[MockedResource], Props] = field(default=lambda _: {})


class MockTableError(LookupError):
    """A resource type or invoke token the offline engine has no entry for."""


def prefixed_id(prefix: str, length: int = 17) -> Callable[[MockedResource], str]:
    """An id like AWS's: a type prefix and hex digits, e.g. vpc-0a1b…."""
    return lambda res: f"{prefix}-{res.digest[:length]}"


def named_id(res: MockedResource) -> str:
    """An id that is the resource's physical name, as for IAM roles or GCP resources."""
    return str(res.inputs.get("name") or res.name)


def _provider_id(res: MockedResource) -> str:
    return f"{res.digest[:8]}-{res.digest[8:12]}-{res.digest[12:16]}-{res.digest[16:20]}-{res.digest[20:32]}"


# Keyed by the engine's type token. Entries are added together with the components that create the type.
RESOURCE_TABLE: dict[str, TypeMock] = {
    "pulumi:providers:aws": TypeMock(_provider_id),
    "pulumi:providers:gcp": TypeMock(_provider_id),
    "pulumi:providers:kubernetes": TypeMock(_provider_id),
}

# Keyed by invoke token; each returns the provider's answer for the given arguments.
INVOKE_TABLE: dict[str, Callable[[Mapping[str, Any]], Props]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {
        "accountId": MOCK_ACCOUNT,
        "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:user/offline",
        "userId": "AIDAOFFLINEOFFLINE",
        "id": MOCK_ACCOUNT,
    },
    "aws:index/getPartition:getPartition": lambda _: {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
    },
    "gcp:organizations/getProject:getProject": lambda args: {
        "projectId": args.get("projectId") or MOCK_PROJECT,
        "number": "123456789012",
        "name": MOCK_PROJECT,
        "id": f"projects/{args.get('projectId') or MOCK_PROJECT}",
    },
}


def mock_resource(res: MockedResource, custom: bool) -> tuple[str, Props]:
    """The id and state the cloud would return for one registered resource."""
    if not custom:
        if not res.type.startswith(COMPONENT_PREFIX):
            raise MockTableError(
                f"unexpected component type {res.type!r}: components must be {COMPONENT_PREFIX}<Class>"
            )
        return "", {}
    entry = RESOURCE_TABLE.get(res.type)
    if entry is None:
        raise MockTableError(
            f"no mock for resource type {res.type!r} (resource {res.name!r}): add it to infra/mock_table.py"
        )
    return entry.make_id(res), {**res.inputs, **entry.outputs(res)}


def mock_invoke(token: str, args: Mapping[str, Any]) -> Props:
    """The provider's answer to one invoke."""
    answer = INVOKE_TABLE.get(token)
    if answer is None:
        raise MockTableError(f"no mock for invoke {token!r}: add it to infra/mock_table.py")
    return answer(args)
