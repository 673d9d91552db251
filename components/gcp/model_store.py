"""GcsModelStore: the private, versioned bucket that holds staged model weights."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from inferstack.spec.models import ModelStoreSpec

TYPE_TOKEN = "inferstack:index:GcsModelStore"
# Uploads of multi-GB weight shards that never finish would otherwise be billed forever.
ABORT_INCOMPLETE_UPLOADS_DAYS = 7


class GcsModelStore(pulumi.ComponentResource):
    """Uniform access, public access prevented, versioned, noncurrent versions expired, CMEK optional.

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
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.bucket = gcp.storage.Bucket(
            f"{name}-bucket",
            name=bucket_name,
            location=location,
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": True},
            lifecycle_rules=[
                {
                    "action": {"type": "Delete"},
                    "condition": {"days_since_noncurrent_time": spec.noncurrent_version_days},
                },
                {
                    "action": {"type": "AbortIncompleteMultipartUpload"},
                    "condition": {"age": ABORT_INCOMPLETE_UPLOADS_DAYS},
                },
            ],
            encryption={"default_kms_key_name": kms_key_id} if kms_key_id is not None else None,
            force_destroy=False,
            labels=labels,
            opts=pulumi.ResourceOptions(parent=self, protect=protect, depends_on=list(depends_on)),
        )
        self.uri = pulumi.Output.concat("gs://", self.bucket.name)
        self.register_outputs({"bucket": self.bucket.name, "uri": self.uri})
