"""The environment spec: what a stack file may say, validated offline with every error reported at once."""

from inferstack.spec.errors import SpecError, SpecIssue
from inferstack.spec.loader import CONFIG_KEY, check_spec, load_stack_file, parse_environment
from inferstack.spec.models import (
    AutoscaleSpec,
    BudgetSpec,
    ClusterSpec,
    EnvironmentSpec,
    LoadBalancerSpec,
    LoadSpec,
    ModelShapeSpec,
    ModelSpec,
    ModelStoreSpec,
    NetworkSpec,
    NodePoolSpec,
    ReplicasSpec,
    SystemPoolSpec,
)

__all__ = [
    "CONFIG_KEY",
    "AutoscaleSpec",
    "BudgetSpec",
    "ClusterSpec",
    "EnvironmentSpec",
    "LoadBalancerSpec",
    "LoadSpec",
    "ModelShapeSpec",
    "ModelSpec",
    "ModelStoreSpec",
    "NetworkSpec",
    "NodePoolSpec",
    "ReplicasSpec",
    "SpecError",
    "SpecIssue",
    "SystemPoolSpec",
    "check_spec",
    "load_stack_file",
    "parse_environment",
]
