"""The guards every inferstack S3 bucket gets: public access blocked, ACLs off (owner enforced), versioning on.

Shared by the model bucket (model_store.py) and its access-log bucket (access_logs.py); encryption, policy and
lifecycle differ between the two and stay with each.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def guard_bucket(prefix: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions) -> None:
    """Block public access, enforce bucket-owner ownership and turn versioning on; names start with `prefix`."""
    aws.s3.BucketPublicAccessBlock(
        f"{prefix}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketOwnershipControls(
        f"{prefix}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=opts
    )
    aws.s3.BucketVersioning(
        f"{prefix}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=opts
    )
