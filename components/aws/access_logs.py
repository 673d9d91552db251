"""The access-log bucket of a production model bucket: where S3 server access logs of the weights go.

S3 delivers server access logs as the logging service principal, allowed by the target bucket's policy (with
bucket-owner-enforced ownership, ACL grants are not possible). The bucket uses SSE-S3: delivery to it always works,
while SSE-KMS works only when the key policy admits the logging service (docs/provider-facts.md), and the logs hold
request metadata, not weights. The log bucket logs nothing itself (that would log its own deliveries); it keeps
the logs for the environment's retention, then expires them.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from inferstack.aws.bucket_guards import guard_bucket
from inferstack.aws.plan.policy_documents import access_log_bucket_policy
from inferstack.planning.names import ACCESS_LOGS_SUFFIX

ABORT_UPLOADS_AFTER_DAYS = 7


def access_log_bucket(
    name: str,
    *,
    bucket_name: pulumi.Input[str],
    source_bucket: pulumi.Input[str],
    account_id: pulumi.Input[str],
    retention_days: int,
    protect: bool,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.s3.Bucket:
    """Create the hardened log bucket (private, SSE-S3, versioned, TLS only, expiring) and return it."""
    bucket = aws.s3.Bucket(
        f"{name}{ACCESS_LOGS_SUFFIX}",
        bucket=bucket_name,
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=protect)),
    )
    guard_bucket(f"{name}-access-logs", bucket, opts)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-access-logs-encryption",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
        opts=opts,
    )
    aws.s3.BucketPolicy(
        f"{name}-access-logs-policy",
        bucket=bucket.id,
        policy=pulumi.Output.all(bucket.bucket, source_bucket, account_id).apply(
            lambda values: json.dumps(access_log_bucket_policy(values[0], values[1], values[2]))
        ),
        opts=opts,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-access-logs-lifecycle",
        bucket=bucket.id,
        rules=[
            {
                "id": "expire-access-logs",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "expiration": {"days": retention_days},
                "noncurrent_version_expiration": {"noncurrent_days": 1},
                "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_UPLOADS_AFTER_DAYS},
            }
        ],
        opts=opts,
    )
    return bucket
