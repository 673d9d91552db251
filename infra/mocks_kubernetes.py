"""Offline-engine answers for the kubernetes provider: resource types and invokes, added with their components."""

from __future__ import annotations

from infra.mock_types import InvokeMock, TypeMock, provider_id

RESOURCES: dict[str, TypeMock] = {
    "pulumi:providers:kubernetes": TypeMock(provider_id),
}

INVOKES: dict[str, InvokeMock] = {}
