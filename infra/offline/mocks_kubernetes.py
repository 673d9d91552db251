"""Offline-engine answers for the kubernetes provider: resource types and invokes, added with their components."""

from __future__ import annotations

from inferstack.infra.offline.mock_types import InvokeMock, MockedResource, TypeMock, provider_id
from inferstack.provider_types import GATEWAY_RESOURCES, K8s


def object_id(res: MockedResource) -> str:
    """A Kubernetes object's id as the provider reports it: namespace/name, or name when cluster-scoped."""
    meta = res.inputs.get("metadata") or {}
    name = str(meta.get("name") or res.name)
    return f"{meta['namespace']}/{name}" if meta.get("namespace") else name


# Workload layer (components/k8s): every object kind the InferenceService, staging and namespaces register.
WORKLOAD_TYPES = (
    K8s.NAMESPACE,
    K8s.SERVICE_ACCOUNT,
    K8s.SECRET,
    K8s.SERVICE,
    K8s.PERSISTENT_VOLUME_CLAIM,
    K8s.STORAGE_CLASS,
    K8s.DEPLOYMENT,
    K8s.JOB,
    K8s.POD_DISRUPTION_BUDGET,
    K8s.NETWORK_POLICY,
    K8s.SCALED_OBJECT,
    K8s.INTERCEPTOR_ROUTE,
    K8s.POD_MONITOR,
    K8s.PROMETHEUS_RULE,
    K8s.CONFIG_MAP,
    K8s.ROLE,
    K8s.ROLE_BINDING,
    K8s.CUSTOM_RESOURCE_DEFINITION,
    *sorted(GATEWAY_RESOURCES),
    # AWS layer under Karpenter: the GPU pools' NodePools and EC2NodeClasses (cluster-scoped).
    K8s.KARPENTER_NODE_POOL,
    K8s.KARPENTER_NODE_CLASS,
)

RESOURCES: dict[str, TypeMock] = {
    K8s.PROVIDER: TypeMock(provider_id),
    # Cluster-scoped RBAC, so the id is the object's name: the endpoint pickers' review and metrics roles, and on GCP
    # cluster.admins bound to cluster-admin.
    K8s.CLUSTER_ROLE: TypeMock(lambda res: str((res.inputs.get("metadata") or {}).get("name") or res.name)),
    K8s.CLUSTER_ROLE_BINDING: TypeMock(lambda res: str((res.inputs.get("metadata") or {}).get("name") or res.name)),
    # GCP layer: a GPU pool's ComputeClass, cluster-scoped as well.
    K8s.COMPUTE_CLASS: TypeMock(lambda res: str((res.inputs.get("metadata") or {}).get("name") or res.name)),
    # helm.v3.Release (AWS layer: cluster autoscaler); id is namespace/name as the provider reports it.
    K8s.HELM_RELEASE: TypeMock(
        lambda res: f"{res.inputs.get('namespace', 'default')}/{res.inputs.get('name', res.name)}",
        lambda res: {"status": {"status": "deployed", "revision": 1, "version": res.inputs.get("version", "")}},
    ),
    **{token: TypeMock(object_id) for token in WORKLOAD_TYPES},
}

INVOKES: dict[str, InvokeMock] = {}
