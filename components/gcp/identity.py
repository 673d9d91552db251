"""GkeWorkloadIdentities: per-model reader identities and the staging writer, each bound to one Kubernetes account."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from inferstack.gcp.plan.identity import (
    CACHE_WRITER_ROLE,
    WORKLOAD_IDENTITY_ROLE,
    BoundAccountPlan,
    GkeWorkloadIdentitiesPlan,
    prefix_condition,
    workload_identity_member,
)
from inferstack.renames import formerly

TYPE_TOKEN = "inferstack:index:GkeWorkloadIdentities"
FORMER_TYPE_TOKEN = "inferstack:index:GcpWorkloadIdentity"
GSA_ANNOTATION = "iam.gke.io/gcp-service-account"


class _BoundAccount:
    """A Google service account with one bucket role, usable by exactly one Kubernetes service account."""

    def __init__(
        self,
        parent: pulumi.Resource,
        name: str,
        plan: BoundAccountPlan,
        *,
        bucket: pulumi.Input[str],
        project_id: pulumi.Input[str],
    ) -> None:
        child = pulumi.ResourceOptions(parent=parent)
        self.account = gcp.serviceaccount.Account(
            f"{name}-account",
            account_id=plan.account_id,
            display_name=plan.display_name,
            description=(
                f"Workload Identity of {plan.namespace}/{plan.service_account}; {plan.role} on the model bucket only."
            ),
            opts=child,
        )
        self.email = self.account.email
        # Bucket-level grant: this identity can touch this bucket and nothing else in the project.
        self.bucket_access = gcp.storage.BucketIAMMember(
            f"{name}-bucket",
            bucket=bucket,
            role=plan.role,
            member=self.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=child,
        )
        member = self.email.apply(lambda email: f"serviceAccount:{email}")
        if plan.cache_prefix is not None:
            prefix = plan.cache_prefix
            # Add-only, and only under the model's compile-cache prefix: the serving identity never touches weights.
            gcp.storage.BucketIAMMember(
                f"{name}-compile-cache",
                bucket=bucket,
                role=CACHE_WRITER_ROLE,
                member=member,
                condition=gcp.storage.BucketIAMMemberConditionArgs(
                    title=f"only {prefix}/",
                    description="objects under this prefix only",
                    expression=pulumi.Output.from_input(bucket).apply(lambda value: prefix_condition(value, prefix)),
                ),
                opts=child,
            )
        self.binding = gcp.serviceaccount.IAMMember(
            f"{name}-wi",
            service_account_id=self.account.name,
            role=WORKLOAD_IDENTITY_ROLE,
            member=pulumi.Output.from_input(project_id).apply(
                lambda project: workload_identity_member(project, plan.namespace, plan.service_account)
            ),
            opts=child,
        )

    @property
    def annotations(self) -> pulumi.Output[dict[str, str]]:
        """The Kubernetes service account annotation that makes pods act as this identity."""
        return self.email.apply(lambda email: {GSA_ANNOTATION: email})


class GkeWorkloadIdentities(pulumi.ComponentResource):
    """One read-only identity per model and one writer for the staging job, all scoped to the model bucket."""

    def __init__(
        self,
        name: str,
        plan: GkeWorkloadIdentitiesPlan,
        *,
        bucket: pulumi.Input[str],
        project_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, formerly(opts, FORMER_TYPE_TOKEN))
        self.readers = {
            model: _BoundAccount(self, f"{name}-{model}-reader", reader, bucket=bucket, project_id=project_id)
            for model, reader in plan.readers.items()
        }
        self.writer = _BoundAccount(self, f"{name}-stager", plan.writer, bucket=bucket, project_id=project_id)
        self.reader_annotations = {model: reader.annotations for model, reader in self.readers.items()}
        self.writer_annotations = self.writer.annotations
        self.register_outputs(
            {
                "readers": {model: reader.email for model, reader in self.readers.items()},
                "writer": self.writer.email,
            }
        )
