"""Offline-engine answers for the gcp provider: resource types and invokes, added with their components."""

from __future__ import annotations

from infra.mock_types import MOCK_PROJECT, InvokeMock, TypeMock, provider_id

RESOURCES: dict[str, TypeMock] = {
    "pulumi:providers:gcp": TypeMock(provider_id),
}

INVOKES: dict[str, InvokeMock] = {
    "gcp:organizations/getProject:getProject": lambda args: {
        "projectId": args.get("projectId") or MOCK_PROJECT,
        "number": "123456789012",
        "name": MOCK_PROJECT,
        "id": f"projects/{args.get('projectId') or MOCK_PROJECT}",
    },
}
