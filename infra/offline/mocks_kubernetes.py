"""Offline-engine answers for the kubernetes provider: resource types and invokes, added with their components."""

from __future__ import annotations

from inferstack.infra.offline.mock_types import InvokeMock, MockedResource, TypeMock, provider_id


def object_id(res: MockedResource) -> str:
    """A Kubernetes object's id as the provider reports it: namespace/name, or name when cluster-scoped."""
    meta = res.inputs.get("metadata") or {}
    name = str(meta.get("name") or res.name)
    return f"{meta['namespace']}/{name}" if meta.get("namespace") else name


# Workload layer (components/k8s): every object kind the InferenceService, staging and namespaces register.
WORKLOAD_TYPES = (
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:Service",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:batch/v1:Job",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:keda.sh/v1alpha1:ScaledObject",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor",
)

RESOURCES: dict[str, TypeMock] = {
    "pulumi:providers:kubernetes": TypeMock(provider_id),
    # GCP layer: cluster.admins bound to cluster-admin; cluster-scoped, so the id is the object's name.
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": TypeMock(
        lambda res: str((res.inputs.get("metadata") or {}).get("name") or res.name)
    ),
    # helm.v3.Release (AWS layer: cluster autoscaler); id is namespace/name as the provider reports it.
    "kubernetes:helm.sh/v3:Release": TypeMock(
        lambda res: f"{res.inputs.get('namespace', 'default')}/{res.inputs.get('name', res.name)}",
        lambda res: {"status": {"status": "deployed", "revision": 1, "version": res.inputs.get("version", "")}},
    ),
    **{token: TypeMock(object_id) for token in WORKLOAD_TYPES},
}

INVOKES: dict[str, InvokeMock] = {}
