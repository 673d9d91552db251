"""The importable inferstack library: spec, catalog, planning and the Pulumi components.

The public API is `__all__`. Names load on first use, so `import components` stays cheap and a program that
uses only AWS components never imports the GCP SDK (and the other way round).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # The spec: what a stack file may say.
    "EnvironmentSpec": "components.spec",
    "NetworkSpec": "components.spec",
    "ClusterSpec": "components.spec",
    "SystemPoolSpec": "components.spec",
    "NodePoolSpec": "components.spec",
    "ModelStoreSpec": "components.spec",
    "ModelSpec": "components.spec",
    "ReplicasSpec": "components.spec",
    "LoadBalancerSpec": "components.spec",
    "AutoscaleSpec": "components.spec",
    "BudgetSpec": "components.spec",
    "SpecError": "components.spec",
    "SpecIssue": "components.spec",
    "parse_environment": "components.spec",
    "load_stack_file": "components.spec",
    "check_spec": "components.spec",
    # The seam between a cluster and the workload.
    "ClusterTarget": "components.target",
    "TargetPool": "components.target",
    "Taint": "components.target",
    # The whole environment.
    "LlmEnvironment": "components.environment",
    # AWS.
    "AwsEnvironment": "components.aws.environment",
    "AwsNetwork": "components.aws.network",
    "EksCluster": "components.aws.cluster",
    "GpuNodePool": "components.aws.node_pool",
    "SystemNodePool": "components.aws.node_pool",
    "NodePoolPlan": "components.aws.node_plan",
    "plan_gpu_pool": "components.aws.node_plan",
    "ModelStore": "components.aws.model_store",
    # GCP.
    "GcpEnvironment": "components.gcp.environment",
    "GcpNetwork": "components.gcp.network",
    "GkeCluster": "components.gcp.cluster",
    "GkeGpuNodePool": "components.gcp.node_pools",
    "GcsModelStore": "components.gcp.storage",
    # The workload, on any cluster.
    "Workload": "components.k8s.workload",
    "InferenceService": "components.k8s.inference",
    "ExistingCluster": "components.k8s.existing_cluster",
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
    from components.aws.cluster import EksCluster
    from components.aws.environment import AwsEnvironment
    from components.aws.model_store import ModelStore
    from components.aws.network import AwsNetwork
    from components.aws.node_plan import NodePoolPlan, plan_gpu_pool
    from components.aws.node_pool import GpuNodePool, SystemNodePool
    from components.environment import LlmEnvironment
    from components.gcp.cluster import GkeCluster
    from components.gcp.environment import GcpEnvironment
    from components.gcp.network import GcpNetwork
    from components.gcp.node_pools import GkeGpuNodePool
    from components.gcp.storage import GcsModelStore
    from components.k8s.existing_cluster import ExistingCluster
    from components.k8s.inference import InferenceService
    from components.k8s.workload import Workload
    from components.spec import (
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
        check_spec,
        load_stack_file,
        parse_environment,
    )
    from components.target import ClusterTarget, Taint, TargetPool
