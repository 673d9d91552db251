"""The importable inferstack library: spec, catalog, planning, validation and the Pulumi components.

The public API is `__all__`. Names load on first use, so `import inferstack` stays cheap and a program that
uses only AWS components never imports the GCP SDK (and the other way round).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # The spec: what a stack file may say.
    "EnvironmentSpec": "inferstack.spec",
    "NetworkSpec": "inferstack.spec",
    "ClusterSpec": "inferstack.spec",
    "SystemPoolSpec": "inferstack.spec",
    "NodePoolSpec": "inferstack.spec",
    "ExistingNodesSpec": "inferstack.spec",
    "ModelStoreSpec": "inferstack.spec",
    "ModelSpec": "inferstack.spec",
    "ReplicasSpec": "inferstack.spec",
    "LoadBalancerSpec": "inferstack.spec",
    "AutoscaleSpec": "inferstack.spec",
    "BudgetSpec": "inferstack.spec",
    "SpecError": "inferstack.spec",
    "SpecIssue": "inferstack.spec",
    # Loading and checking: the spec with `auto` chosen and every cross-field rule applied.
    "parse_environment": "inferstack.validation",
    "load_stack_file": "inferstack.validation",
    "check_spec": "inferstack.validation",
    # The seam between a cluster and the workload.
    "ClusterTarget": "inferstack.target",
    "TargetPool": "inferstack.target",
    "Taint": "inferstack.target",
    # The whole environment.
    "LlmEnvironment": "inferstack.environment",
    # Pool scheduling, shared by both clouds.
    "PoolScheduling": "inferstack.planning.scheduling",
    "target_pool": "inferstack.planning.scheduling",
    # AWS.
    "AwsEnvironment": "inferstack.aws.environment",
    "AwsNetwork": "inferstack.aws.network",
    "EksCluster": "inferstack.aws.cluster",
    "EksGpuNodePool": "inferstack.aws.node_pool",
    "EksSystemNodePool": "inferstack.aws.node_pool",
    "EksNodePoolPlan": "inferstack.aws.plan.nodes",
    "plan_eks_gpu_pool": "inferstack.aws.plan.nodes",
    "S3ModelStore": "inferstack.aws.model_store",
    # GCP.
    "GcpEnvironment": "inferstack.gcp.environment",
    "GcpNetwork": "inferstack.gcp.network",
    "GkeCluster": "inferstack.gcp.cluster",
    "GkeComputeClass": "inferstack.gcp.compute_class",
    "plan_compute_class": "inferstack.gcp.plan.compute_class",
    "GkeGpuNodePool": "inferstack.gcp.node_pool",
    "GkeNodePoolPlan": "inferstack.gcp.plan.nodes",
    "plan_gke_gpu_pool": "inferstack.gcp.plan.nodes",
    "GcsModelStore": "inferstack.gcp.model_store",
    # The workload, on any cluster.
    "Workload": "inferstack.k8s.workload",
    "InferenceService": "inferstack.k8s.inference",
    # Bring your own cluster.
    "ExistingCluster": "inferstack.kubernetes.existing_cluster",
}

__all__ = [
    "AutoscaleSpec",
    "AwsEnvironment",
    "AwsNetwork",
    "BudgetSpec",
    "ClusterSpec",
    "ClusterTarget",
    "EksCluster",
    "EksGpuNodePool",
    "EksNodePoolPlan",
    "EksSystemNodePool",
    "EnvironmentSpec",
    "ExistingCluster",
    "ExistingNodesSpec",
    "GcpEnvironment",
    "GcpNetwork",
    "GcsModelStore",
    "GkeCluster",
    "GkeComputeClass",
    "GkeGpuNodePool",
    "GkeNodePoolPlan",
    "InferenceService",
    "LlmEnvironment",
    "LoadBalancerSpec",
    "ModelSpec",
    "ModelStoreSpec",
    "NetworkSpec",
    "NodePoolSpec",
    "PoolScheduling",
    "ReplicasSpec",
    "S3ModelStore",
    "SpecError",
    "SpecIssue",
    "SystemPoolSpec",
    "Taint",
    "TargetPool",
    "Workload",
    "check_spec",
    "load_stack_file",
    "parse_environment",
    "plan_compute_class",
    "plan_eks_gpu_pool",
    "plan_gke_gpu_pool",
    "target_pool",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from inferstack.aws.cluster import EksCluster
    from inferstack.aws.environment import AwsEnvironment
    from inferstack.aws.model_store import S3ModelStore
    from inferstack.aws.network import AwsNetwork
    from inferstack.aws.node_pool import EksGpuNodePool, EksSystemNodePool
    from inferstack.aws.plan.nodes import EksNodePoolPlan, plan_eks_gpu_pool
    from inferstack.environment import LlmEnvironment
    from inferstack.gcp.cluster import GkeCluster
    from inferstack.gcp.compute_class import GkeComputeClass
    from inferstack.gcp.environment import GcpEnvironment
    from inferstack.gcp.model_store import GcsModelStore
    from inferstack.gcp.network import GcpNetwork
    from inferstack.gcp.node_pool import GkeGpuNodePool
    from inferstack.gcp.plan.compute_class import plan_compute_class
    from inferstack.gcp.plan.nodes import GkeNodePoolPlan, plan_gke_gpu_pool
    from inferstack.k8s.inference import InferenceService
    from inferstack.k8s.workload import Workload
    from inferstack.kubernetes.existing_cluster import ExistingCluster
    from inferstack.planning.scheduling import PoolScheduling, target_pool
    from inferstack.spec import (
        AutoscaleSpec,
        BudgetSpec,
        ClusterSpec,
        EnvironmentSpec,
        ExistingNodesSpec,
        LoadBalancerSpec,
        ModelSpec,
        ModelStoreSpec,
        NetworkSpec,
        NodePoolSpec,
        ReplicasSpec,
        SpecError,
        SpecIssue,
        SystemPoolSpec,
    )
    from inferstack.target import ClusterTarget, Taint, TargetPool
    from inferstack.validation import check_spec, load_stack_file, parse_environment
