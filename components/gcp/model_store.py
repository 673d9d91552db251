"""GcsModelStore: the private, versioned bucket that holds staged model weights."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from inferstack.planning.names import ACCESS_LOGS_SUFFIX
from inferstack.spec.models import ModelStoreSpec

TYPE_TOKEN = "inferstack:index:GcsModelStore"
# Uploads of multi-GB weight shards that never finish would otherwise be billed forever.
ABORT_INCOMPLETE_UPLOADS_DAYS = 7
ACCESS_LOG_PREFIX = "models"
STORAGE_ANALYTICS_MEMBER = "group:cloud-storage-analytics@google.com"


class GcsModelStore(pulumi.ComponentResource):
    """Uniform access, public access prevented, versioned, noncurrent versions expired, CMEK optional; in
    production its usage logs go to an access-log bucket (same hardening, logs expire after the retention).

    With `protect`, Pulumi refuses to delete the bucket (and `force_destroy` stays off in every stack, so
    a bucket holding weights is never emptied by a destroy).
    """

    bucket: gcp.storage.Bucket
    uri: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: ModelStoreSpec,
        *,
        bucket_name: pulumi.Input[str],
        location: str,
        labels: dict[str, str],
        kms_key_id: pulumi.Input[str] | None,
        protect: bool,
        depends_on: Sequence[pulumi.Resource] = (),
        access_logs_bucket_name: pulumi.Input[str] | None = None,
        log_retention_days: int = 365,
        protect_logs: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.access_logs: gcp.storage.Bucket | None = None
        if access_logs_bucket_name is not None:
            self.access_logs = _hardened_bucket(
                f"{name}{ACCESS_LOGS_SUFFIX}",
                bucket_name=access_logs_bucket_name,
                location=location,
                lifecycle_rules=[
                    {"action": {"type": "Delete"}, "condition": {"age": log_retention_days}},
                    {"action": {"type": "Delete"}, "condition": {"days_since_noncurrent_time": 1}},
                ],
                kms_key_id=kms_key_id,
                labels=labels,
                opts=pulumi.ResourceOptions(parent=self, protect=protect_logs, depends_on=list(depends_on)),
            )
            # Cloud Storage writes usage and storage logs as this Google group (Cloud Storage docs, usage logs).
            gcp.storage.BucketIAMMember(
                f"{name}-access-logs-writer",
                bucket=self.access_logs.name,
                role="roles/storage.objectCreator",
                member=STORAGE_ANALYTICS_MEMBER,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.bucket = _hardened_bucket(
            f"{name}-bucket",
            bucket_name=bucket_name,
            location=location,
            lifecycle_rules=[
                {
                    "action": {"type": "Delete"},
                    "condition": {"days_since_noncurrent_time": spec.noncurrent_version_days},
                },
            ],
            kms_key_id=kms_key_id,
            labels=labels,
            logging=(
                {"log_bucket": self.access_logs.name, "log_object_prefix": ACCESS_LOG_PREFIX}
                if self.access_logs is not None
                else None
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=protect, depends_on=list(depends_on)),
        )
        self.uri = pulumi.Output.concat("gs://", self.bucket.name)
        self.register_outputs({"bucket": self.bucket.name, "uri": self.uri})


def _hardened_bucket(
    logical_name: str,
    *,
    bucket_name: pulumi.Input[str],
    location: str,
    lifecycle_rules: list[gcp.storage.BucketLifecycleRuleArgsDict],
    kms_key_id: pulumi.Input[str] | None,
    labels: dict[str, str],
    opts: pulumi.ResourceOptions,
    logging: gcp.storage.BucketLoggingArgsDict | None = None,
) -> gcp.storage.Bucket:
    """A bucket with the settings every inferstack bucket shares: uniform access, public access prevented,
    versioned, never force-destroyed, incomplete uploads aborted, CMEK when a key is given."""
    return gcp.storage.Bucket(
        logical_name,
        name=bucket_name,
        location=location,
        storage_class="STANDARD",
        uniform_bucket_level_access=True,
        public_access_prevention="enforced",
        versioning={"enabled": True},
        lifecycle_rules=[
            *lifecycle_rules,
            {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": ABORT_INCOMPLETE_UPLOADS_DAYS}},
        ],
        encryption={"default_kms_key_name": kms_key_id} if kms_key_id is not None else None,
        force_destroy=False,
        logging=logging,
        labels=labels,
        opts=opts,
    )
