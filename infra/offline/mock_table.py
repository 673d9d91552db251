"""What the cloud would answer, per resource type and per invoke token: the offline engine's strict table.

A type or token missing here is an error that names it; never a silent empty answer, because a silent
answer lets a check attached to a missing output pass without ever running. Each cloud keeps its entries
in its own module (`mocks_<cloud>.py`, a `RESOURCES` and an `INVOKES` dict) merged here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inferstack.infra.offline import mocks_aws, mocks_gcp, mocks_kubernetes
from inferstack.infra.offline.mock_types import MOCK_ACCOUNT, InvokeMock, MockedResource, Props, TypeMock

COMPONENT_PREFIX = "inferstack:index:"


class MockTableError(LookupError):
    """A resource type or invoke token the offline engine has no entry for."""


# Keyed by the engine's type token; one module per provider, so clouds never edit each other's entries.
RESOURCE_TABLE: dict[str, TypeMock] = {**mocks_aws.RESOURCES, **mocks_gcp.RESOURCES, **mocks_kubernetes.RESOURCES}

# Keyed by invoke token; each returns the provider's answer for the given arguments.
INVOKE_TABLE: dict[str, InvokeMock] = {**mocks_aws.INVOKES, **mocks_gcp.INVOKES, **mocks_kubernetes.INVOKES}


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
            f"no mock for resource type {res.type!r} (resource {res.name!r}): add it to infra/offline/mocks_<cloud>.py"
        )
    return entry.make_id(res), {**res.inputs, **entry.outputs(res)}


def mock_invoke(token: str, args: Mapping[str, Any], provider: Mapping[str, Any] | None = None) -> Props:
    """The provider's answer to one invoke; `provider` is the inputs of the explicit provider it goes to."""
    answer = INVOKE_TABLE.get(token)
    if answer is None:
        raise MockTableError(f"no mock for invoke {token!r}: add it to infra/offline/mocks_<cloud>.py")
    return answer(args, provider or {})


__all__ = ["MOCK_ACCOUNT", "MockTableError", "MockedResource", "TypeMock", "mock_invoke", "mock_resource"]
