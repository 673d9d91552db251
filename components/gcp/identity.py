"""GcpWorkloadIdentity: per-model reader identities and the staging writer, each bound to one Kubernetes account."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from inferstack.gcp.plans import (
    READER_ROLE,
    WORKLOAD_IDENTITY_ROLE,
    WRITER_ROLE,
    account_id,
    workload_identity_member,
)
from inferstack.planning.names import (
    STAGING_NAMESPACE,
    STAGING_SERVICE_ACCOUNT,
    serving_namespace,
    serving_service_account,
)
from inferstack.spec.models import EnvironmentSpec

TYPE_TOKEN = "inferstack:index:GcpWorkloadIdentity"
GSA_ANNOTATION = "iam.gke.io/gcp-service-account"


class _BoundAccount:
    """A Google service account with one bucket role, usable by exactly one Kubernetes service account."""

    def __init__(
        self,
        parent: pulumi.Resource,
        name: str,
        *,
        account: str,
        display_name: str,
        bucket: pulumi.Input[str],
        role: str,
        project_id: pulumi.Input[str],
        namespace: str,
        service_account: str,
    ) -> None:
        child = pulumi.ResourceOptions(parent=parent)
        self.account = gcp.serviceaccount.Account(
            f"{name}-account",
            account_id=account,
            display_name=display_name,
            description=f"Workload Identity of {namespace}/{service_account}; {role} on the model bucket only.",
            opts=child,
        )
        self.email = self.account.email
        # Bucket-level grant: this identity can touch this bucket and nothing else in the project.
        self.bucket_access = gcp.storage.BucketIAMMember(
            f"{name}-bucket",
            bucket=bucket,
            role=role,
            member=self.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=child,
        )
        self.binding = gcp.serviceaccount.IAMMember(
            f"{name}-wi",
            service_account_id=self.account.name,
            role=WORKLOAD_IDENTITY_ROLE,
            member=pulumi.Output.from_input(project_id).apply(
                lambda project: workload_identity_member(project, namespace, service_account)
            ),
            opts=child,
        )

    @property
    def annotations(self) -> pulumi.Output[dict[str, str]]:
        """The Kubernetes service account annotation that makes pods act as this identity."""
        return self.email.apply(lambda email: {GSA_ANNOTATION: email})


class GcpWorkloadIdentity(pulumi.ComponentResource):
    """One read-only identity per model and one writer for the staging job, all scoped to the model bucket."""

    def __init__(
        self,
        name: str,
        spec: EnvironmentSpec,
        *,
        bucket: pulumi.Input[str],
        project_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.readers = {
            model: _BoundAccount(
                self,
                f"{name}-{model}-reader",
                account=account_id(spec.name, model, "read"),
                display_name=f"{spec.name} model {model} (read weights)",
                bucket=bucket,
                role=READER_ROLE,
                project_id=project_id,
                namespace=serving_namespace(model),
                service_account=serving_service_account(model),
            )
            for model in spec.models
        }
        self.writer = _BoundAccount(
            self,
            f"{name}-stager",
            account=account_id(spec.name, "stager"),
            display_name=f"{spec.name} model staging (write weights)",
            bucket=bucket,
            role=WRITER_ROLE,
            project_id=project_id,
            namespace=STAGING_NAMESPACE,
            service_account=STAGING_SERVICE_ACCOUNT,
        )
        self.reader_annotations = {model: reader.annotations for model, reader in self.readers.items()}
        self.writer_annotations = self.writer.annotations
        self.register_outputs(
            {
                "readers": {model: reader.email for model, reader in self.readers.items()},
                "writer": self.writer.email,
            }
        )
