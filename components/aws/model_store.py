"""S3ModelStore: the private S3 bucket that model weights are staged into once and loaded from.

All four public-access blocks, bucket-owner-enforced ownership (no ACLs), SSE-KMS with a bucket key (a customer
key with rotation and an explicit key policy unless the spec opts out), versioning, a TLS-only policy, expiry of
overwritten versions, aborted incomplete uploads, and `protect` on the bucket and its key when the stack's data is to
be kept. With `access_logs_bucket_name` (production), S3 server access logs go to a log bucket (`access_logs.py`).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from inferstack.aws.access_logs import access_log_bucket
from inferstack.aws.bucket_guards import guard_bucket
from inferstack.aws.plan.key_policies import bucket_key_policy
from inferstack.aws.plan.policy_documents import tls_only_bucket_policy
from inferstack.renames import formerly
from inferstack.spec.models import ModelStoreSpec

TYPE_TOKEN = "inferstack:index:S3ModelStore"
FORMER_TYPE_TOKEN = "inferstack:index:ModelStore"
ABORT_UPLOADS_AFTER_DAYS = 7
ACCESS_LOG_PREFIX = "models/"


def bucket_name(environment: str, account_id: str, region: str, purpose: str = "models") -> str:
    """A globally unique, predictable bucket name: environment, purpose, account and region."""
    return f"{environment}-{purpose}-{account_id}-{region}"


class S3ModelStore(pulumi.ComponentResource):
    """A hardened, versioned, KMS-encrypted bucket for model weights."""

    bucket: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        spec: ModelStoreSpec,
        *,
        bucket_name: pulumi.Input[str],
        protect: bool,
        tags: dict[str, str],
        account_id: pulumi.Input[str],
        region: str,
        access_logs_bucket_name: pulumi.Input[str] | None = None,
        log_retention_days: int = 365,
        protect_logs: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, formerly(opts, FORMER_TYPE_TOKEN))
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=protect)
        self.key_arn = None
        if spec.customer_managed_key:
            key = aws.kms.Key(
                f"{name}-key",
                description=f"Encryption of model weights in {name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=pulumi.Output.from_input(account_id).apply(
                    lambda account: json.dumps(bucket_key_policy(account, region))
                ),
                tags=tags,
                opts=kept,
            )
            aws.kms.Alias(f"{name}-key", name=f"alias/{name}", target_key_id=key.key_id, opts=child)
            self.key_arn = key.arn
        bucket = aws.s3.Bucket(f"{name}-bucket", bucket=bucket_name, tags=tags, opts=kept)
        self.bucket = bucket.bucket
        self.bucket_arn = bucket.arn
        guard_bucket(name, bucket, child)
        default: dict[str, object] = {"sse_algorithm": "aws:kms"}
        if self.key_arn is not None:
            default["kms_master_key_id"] = self.key_arn
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            # The bucket key cuts KMS requests (and their cost) by orders of magnitude for many-shard weights.
            rules=[{"apply_server_side_encryption_by_default": default, "bucket_key_enabled": True}],  # pyright: ignore[reportArgumentType]
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket.id,
            policy=bucket.bucket.apply(lambda value: json.dumps(tls_only_bucket_policy(value))),
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                {
                    "id": "expire-noncurrent-versions",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "noncurrent_version_expiration": {"noncurrent_days": spec.noncurrent_version_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_UPLOADS_AFTER_DAYS},
                }
            ],
            opts=child,
        )
        self.access_logs_bucket: pulumi.Output[str] | None = None
        if access_logs_bucket_name is not None:
            logs = access_log_bucket(
                name,
                bucket_name=access_logs_bucket_name,
                source_bucket=bucket.bucket,
                account_id=account_id,
                retention_days=log_retention_days,
                protect=protect_logs,
                tags=tags,
                opts=child,
            )
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=bucket.id,
                target_bucket=logs.id,
                target_prefix=ACCESS_LOG_PREFIX,
                opts=child,
            )
            self.access_logs_bucket = logs.bucket
        self.register_outputs({"bucket": self.bucket, "bucket_arn": self.bucket_arn})
