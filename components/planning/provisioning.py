"""Which provisioner creates an environment's GPU nodes, and whether it follows a pool's whole preference list."""

from __future__ import annotations

from inferstack.spec.cluster_parts import Provisioner
from inferstack.spec.models import EnvironmentSpec


def provisioner(spec: EnvironmentSpec) -> Provisioner:
    """The spec's provisioner, managed_pools when it names none."""
    return spec.cluster.provisioner or "managed_pools"


def follows_preferences(spec: EnvironmentSpec) -> bool:
    """Karpenter NodePools and GKE ComputeClasses try each capacity preference in turn; managed pools take the first."""
    return spec.cloud != "kubernetes" and provisioner(spec) != "managed_pools"
