"""The environment spec: what a stack file may say (pydantic shapes), reading it, and its errors.

Loading a stack file with every check (`auto` resolved, cross-field rules) is `inferstack.validation`'s job.
"""

from inferstack.spec.base import AUTO, KEY_PATTERN
from inferstack.spec.document import CONFIG_KEY, read_stack_document, stack_name_of, validate_fields
from inferstack.spec.errors import ROOT, SpecError, SpecIssue, SpecWarning, join_path
from inferstack.spec.models import (
    AutoscaleSpec,
    BudgetSpec,
    ClusterSpec,
    EnvironmentSpec,
    ExistingNodesSpec,
    LoadBalancerSpec,
    LoadSpec,
    ModelShapeSpec,
    ModelSpec,
    ModelStoreSpec,
    NetworkSpec,
    NodePoolSpec,
    NodeTaintSpec,
    ReplicasSpec,
    ReservationSpec,
    SystemPoolSpec,
    UnresolvedAutoError,
    tensor_parallel_of,
)

__all__ = [
    "AUTO",
    "CONFIG_KEY",
    "KEY_PATTERN",
    "ROOT",
    "AutoscaleSpec",
    "BudgetSpec",
    "ClusterSpec",
    "EnvironmentSpec",
    "ExistingNodesSpec",
    "LoadBalancerSpec",
    "LoadSpec",
    "ModelShapeSpec",
    "ModelSpec",
    "ModelStoreSpec",
    "NetworkSpec",
    "NodePoolSpec",
    "NodeTaintSpec",
    "ReplicasSpec",
    "ReservationSpec",
    "SpecError",
    "SpecIssue",
    "SpecWarning",
    "SystemPoolSpec",
    "UnresolvedAutoError",
    "join_path",
    "read_stack_document",
    "stack_name_of",
    "tensor_parallel_of",
    "validate_fields",
]
