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
    # AWS.
    "AwsEnvironment": "inferstack.aws.environment",
    "AwsNetwork": "inferstack.aws.network",
    "EksCluster": "inferstack.aws.cluster",
    "GpuNodePool": "inferstack.aws.node_pool",
    "SystemNodePool": "inferstack.aws.node_pool",
    "NodePoolPlan": "inferstack.aws.node_plan",
    "plan_gpu_pool": "inferstack.aws.node_plan",
    "ModelStore": "inferstack.aws.model_store",
    # GCP.
    "GcpEnvironment": "inferstack.gcp.environment",
    "GcpNetwork": "inferstack.gcp.network",
    "GkeCluster": "inferstack.gcp.cluster",
    "GkeGpuNodePool": "inferstack.gcp.node_pools",
    "GcsModelStore": "inferstack.gcp.storage",
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
    "EnvironmentSpec",
    "ExistingCluster",
    "GcpEnvironment",
    "GcpNetwork",
    "GcsModelStore",
    "GkeCluster",
    "GkeGpuNodePool",
    "GpuNodePool",
    "InferenceService",
    "LlmEnvironment",
    "LoadBalancerSpec",
    "ModelSpec",
    "ModelStore",
    "ModelStoreSpec",
    "NetworkSpec",
    "NodePoolPlan",
    "NodePoolSpec",
    "ReplicasSpec",
    "SpecError",
    "SpecIssue",
    "SystemNodePool",
    "SystemPoolSpec",
    "Taint",
    "TargetPool",
    "Workload",
    "check_spec",
    "load_stack_file",
    "parse_environment",
    "plan_gpu_pool",
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
    from inferstack.aws.model_store import ModelStore
    from inferstack.aws.network import AwsNetwork
    from inferstack.aws.node_plan import NodePoolPlan, plan_gpu_pool
    from inferstack.aws.node_pool import GpuNodePool, SystemNodePool
    from inferstack.environment import LlmEnvironment
    from inferstack.gcp.cluster import GkeCluster
    from inferstack.gcp.environment import GcpEnvironment
    from inferstack.gcp.network import GcpNetwork
    from inferstack.gcp.node_pools import GkeGpuNodePool
    from inferstack.gcp.storage import GcsModelStore
    from inferstack.k8s.inference import InferenceService
    from inferstack.k8s.workload import Workload
    from inferstack.kubernetes.existing_cluster import ExistingCluster
    from inferstack.spec import (
        AutoscaleSpec,
        BudgetSpec,
        ClusterSpec,
        EnvironmentSpec,
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
