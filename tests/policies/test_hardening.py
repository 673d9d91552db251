"""The rules of policies/hardening.py: explicit KMS key policies, incomplete uploads aborted, GKE intranode
visibility and Binary Authorization in production.

A compliant example passes (in production too); each single mutation of it fails with its message.
"""

from __future__ import annotations

import json

import pytest

from inferstack.aws.plan.key_policies import bucket_key_policy, eks_secrets_key_policy, logs_key_policy
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
ACCOUNT = "123456789012"
KEY = "aws:kms/key:Key"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/prod-eks-cluster-role"
ROOT_KMS_STAR = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*"}


def _policy(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


GOOD: dict[str, list[Resource]] = {
    # The three key policies the AWS environment ships, as components/aws/plan/key_policies.py builds them.
    "aws-kms-key-policy-explicit": [
        (KEY, "secrets", {"policy": json.dumps(eks_secrets_key_policy(ACCOUNT, "us-east-1", ROLE))}),
        (KEY, "weights", {"policy": json.dumps(bucket_key_policy(ACCOUNT, "us-east-1"))}),
        (KEY, "logs", {"policy": json.dumps(logs_key_policy(ACCOUNT, "us-east-1", ["/aws/eks/prod/cluster"]))}),
    ],
    "aws-bucket-incomplete-uploads-aborted": [
        ("aws:s3/bucket:Bucket", "weights", {"bucket": "weights"}),
        (
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "weights#lifecycle",
            {
                "bucket": "weights",
                "rules": [{"status": "Enabled", "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0}}],
            },
        ),
    ],
    "gcp-bucket-incomplete-uploads-aborted": [
        (
            "gcp:storage/bucket:Bucket",
            "weights",
            {"lifecycleRules": [{"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7.0}}]},
        )
    ],
    "gcp-gke-visibility-and-admission": [
        (
            "gcp:container/cluster:Cluster",
            "prod",
            {
                "enableIntranodeVisibility": True,
                "binaryAuthorization": {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"},
            },
        )
    ],
}

MUTATIONS: list[Mutation] = [
    ("aws-kms-key-policy-explicit", 0, ("policy",), DELETE, {}, "no explicit key policy"),
    ("aws-kms-key-policy-explicit", 1, ("policy",), _policy(ROOT_KMS_STAR), {}, "allows kms:*"),
    (
        "aws-kms-key-policy-explicit",
        2,
        ("policy",),
        _policy({"Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt"], "Resource": "*"}),
        {},
        "any principal (*) without a condition",
    ),
    (
        "aws-kms-key-policy-explicit",
        1,
        ("policy",),
        _policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": ["kms:Decrypt"]}),
        {},
        "scope it by kms:ViaService",
    ),
    (
        "aws-bucket-incomplete-uploads-aborted",
        1,
        ("rules", 0, "abortIncompleteMultipartUpload"),
        DELETE,
        {},
        "keeps incomplete",
    ),
    ("aws-bucket-incomplete-uploads-aborted", 1, ("rules", 0, "status"), "Disabled", {}, "keeps incomplete"),
    ("gcp-bucket-incomplete-uploads-aborted", 0, ("lifecycleRules",), [], {}, "keeps incomplete"),
    ("gcp-gke-visibility-and-admission", 0, ("enableIntranodeVisibility",), DELETE, {}, "intranode visibility is off"),
    (
        "gcp-gke-visibility-and-admission",
        0,
        ("binaryAuthorization", "evaluationMode"),
        "DISABLED",
        PROD,
        "Binary Authorization does not enforce",
    ),
    ("gcp-gke-visibility-and-admission", 0, ("binaryAuthorization", "evaluationMode"), "DISABLED", {}, ""),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_example_passes(rule: str) -> None:
    check_compliant(GOOD, rule)
    assert findings_of(rule, GOOD[rule], PROD) == []


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)
