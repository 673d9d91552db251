"""The rules of policies/audit.py: log groups encrypted, a year of retention, every EKS control-plane log type and
bucket access logs (the last three in production).

A compliant example passes (in production too); each single mutation of it fails with its message.
"""

from __future__ import annotations

import pytest

from tests.policies.support import (
    DELETE,
    Mutation,
    Resource,
    check_compliant,
    check_mutation,
    findings_of,
    mutation_ids,
)

PROD = {"production": True}
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/logs"

GOOD: dict[str, list[Resource]] = {
    "aws-log-groups-encrypted": [(LOG_GROUP, "/aws/eks/prod/cluster", {"retentionInDays": 365.0, "kmsKeyId": KEY_ARN})],
    "log-retention-production": [
        (LOG_GROUP, "/aws/eks/prod/cluster", {"retentionInDays": 365.0, "kmsKeyId": KEY_ARN}),
        ("gcp:logging/projectBucketConfig:ProjectBucketConfig", "prod-logs", {"retentionDays": 400.0}),
    ],
    "aws-eks-control-plane-logs-production": [
        (
            "aws:eks/cluster:Cluster",
            "prod",
            {"enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"]},
        )
    ],
    "bucket-access-logs-production": [
        ("aws:s3/bucket:Bucket", "weights", {"bucket": "weights"}),
        ("aws:s3/bucket:Bucket", "logs", {"bucket": "logs"}),
        ("aws:s3/bucketLogging:BucketLogging", "weights#logging", {"bucket": "weights", "targetBucket": "logs"}),
        ("gcp:storage/bucket:Bucket", "gweights", {"name": "gweights", "logging": {"logBucket": "glogs"}}),
        ("gcp:storage/bucket:Bucket", "glogs", {"name": "glogs"}),
    ],
}

MUTATIONS: list[Mutation] = [
    ("aws-log-groups-encrypted", 0, ("kmsKeyId",), DELETE, {}, "not encrypted with a customer KMS key"),
    ("log-retention-production", 0, ("retentionInDays",), 90.0, PROD, "keeps logs 90 days, less than 365"),
    ("log-retention-production", 1, ("retentionDays",), 30.0, PROD, "keeps logs 30.0 days, less than 365"),
    # Development stacks keep their shorter default, and "never expire" keeps more than a year.
    ("log-retention-production", 0, ("retentionInDays",), 90.0, {}, ""),
    ("log-retention-production", 0, ("retentionInDays",), 0.0, PROD, ""),
    (
        "aws-eks-control-plane-logs-production",
        0,
        ("enabledClusterLogTypes",),
        ["api", "audit", "authenticator"],
        PROD,
        "controllerManager, scheduler are off",
    ),
    ("aws-eks-control-plane-logs-production", 0, ("enabledClusterLogTypes",), ["api"], {}, ""),
    ("bucket-access-logs-production", 2, ("bucket",), "other", PROD, "no server access logging"),
    ("bucket-access-logs-production", 3, ("logging",), DELETE, PROD, "no usage logs"),
    ("bucket-access-logs-production", 3, ("logging",), DELETE, {}, ""),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_example_passes(rule: str) -> None:
    check_compliant(GOOD, rule)
    assert findings_of(rule, GOOD[rule], PROD) == []


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)
