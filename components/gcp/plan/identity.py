"""Google identities as data: the nodes' service account and the per-model Workload Identity accounts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from inferstack.planning.names import (
    STAGING_NAMESPACE,
    STAGING_SERVICE_ACCOUNT,
    compile_cache_prefix,
    serving_namespace,
    serving_service_account,
)
from inferstack.planning.spec_serving import compile_cache_models
from inferstack.spec.models import EnvironmentSpec

ACCOUNT_ID_MIN, ACCOUNT_ID_MAX = 6, 30
# GKE's own scopes are coarse; access is governed by the node service account's IAM roles instead.
NODE_OAUTH_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
# The minimum a GKE node needs: write logs and metrics, read metadata, pull images. Nothing else.
NODE_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
)
READER_ROLE = "roles/storage.objectViewer"
# objectUser: create, read, overwrite and delete objects, but no bucket or IAM changes.
WRITER_ROLE = "roles/storage.objectUser"
# objectCreator: create objects only (no read, overwrite or delete); granted on the compile-cache prefix by condition.
CACHE_WRITER_ROLE = "roles/storage.objectCreator"
WORKLOAD_IDENTITY_ROLE = "roles/iam.workloadIdentityUser"


@dataclass(frozen=True)
class GkeNodeIdentityPlan:
    """The one service account every node of the environment runs as, and its project roles."""

    account_id: str
    display_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class BoundAccountPlan:
    """A Google service account with one bucket role, usable by exactly one Kubernetes service account."""

    account_id: str
    display_name: str
    role: str
    namespace: str
    service_account: str
    # The object prefix this account may add objects under (a model's compile cache); None: no write at all.
    cache_prefix: str | None = None


def prefix_condition(bucket: str, prefix: str) -> str:
    """The IAM condition (CEL) limiting a bucket grant to objects under one prefix (needs uniform bucket access)."""
    return f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/{prefix}/")'


@dataclass(frozen=True)
class GkeWorkloadIdentitiesPlan:
    """A read-only identity per model and one writer for the staging job."""

    readers: dict[str, BoundAccountPlan]
    writer: BoundAccountPlan


def account_id(*parts: str) -> str:
    """A service account id (6-30 chars, lowercase, dashes) from name parts, shortened by a stable hash."""
    joined = "-".join(parts)
    if len(joined) > ACCOUNT_ID_MAX:
        digest = hashlib.sha256(joined.encode()).hexdigest()[:6]
        joined = f"{joined[: ACCOUNT_ID_MAX - len(digest) - 1].rstrip('-')}-{digest}"
    return joined.ljust(ACCOUNT_ID_MIN, "0")


def workload_identity_member(project: str, namespace: str, service_account: str) -> str:
    """The IAM member naming exactly one Kubernetes service account through the project's workload pool."""
    return f"serviceAccount:{project}.svc.id.goog[{namespace}/{service_account}]"


def gke_service_agent(project_number: str) -> str:
    """The GKE service agent, which encrypts cluster secrets with the customer key."""
    return f"serviceAccount:service-{project_number}@container-engine-robot.iam.gserviceaccount.com"


def plan_node_identity(spec: EnvironmentSpec) -> GkeNodeIdentityPlan:
    """The nodes' least-privilege service account (never the default compute account)."""
    return GkeNodeIdentityPlan(account_id(spec.name, "nodes"), f"GKE nodes of {spec.name}", NODE_ROLES)


def plan_workload_identities(spec: EnvironmentSpec) -> GkeWorkloadIdentitiesPlan:
    """One reader per model (its serving account) and the staging writer, each bound to one Kubernetes account."""
    caching = set(compile_cache_models(spec))
    readers = {
        model: BoundAccountPlan(
            account_id=account_id(spec.name, model, "read"),
            display_name=f"{spec.name} model {model} (read weights)",
            role=READER_ROLE,
            namespace=serving_namespace(model),
            service_account=serving_service_account(model),
            cache_prefix=compile_cache_prefix(model) if model in caching else None,
        )
        for model in spec.models
    }
    writer = BoundAccountPlan(
        account_id=account_id(spec.name, "stager"),
        display_name=f"{spec.name} model staging (write weights)",
        role=WRITER_ROLE,
        namespace=STAGING_NAMESPACE,
        service_account=STAGING_SERVICE_ACCOUNT,
    )
    return GkeWorkloadIdentitiesPlan(readers=readers, writer=writer)
