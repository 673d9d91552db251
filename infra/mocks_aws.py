"""Offline-engine answers for the aws provider: resource types and invokes, added with their components."""

from __future__ import annotations

from infra.mock_types import MOCK_ACCOUNT, InvokeMock, TypeMock, provider_id

RESOURCES: dict[str, TypeMock] = {
    "pulumi:providers:aws": TypeMock(provider_id),
}

INVOKES: dict[str, InvokeMock] = {
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
}
