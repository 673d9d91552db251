"""Which provisioner creates an environment's GPU nodes, and whether it follows a pool's whole preference list."""

from __future__ import annotations

from inferstack.spec.cluster_parts import Provisioner
from inferstack.spec.models import EnvironmentSpec, NodePoolSpec


def provisioner(spec: EnvironmentSpec) -> Provisioner:
    """The spec's provisioner, managed_pools when it names none."""
    return spec.cluster.provisioner or "managed_pools"


def follows_preferences(spec: EnvironmentSpec) -> bool:
    """Karpenter NodePools and GKE ComputeClasses try each capacity preference in turn; managed pools take the first."""
    return spec.cloud != "kubernetes" and provisioner(spec) != "managed_pools"


def reserved_nodes(pool: NodePoolSpec) -> int:
    """Nodes a pool takes from its reservations before anything else (0 unless `reserved` is its first preference).

    A reservation is billed whether a node runs on it or not, so these nodes cost money at any scale.
    """
    if not pool.capacity or pool.capacity[0] != "reserved":
        return 0
    return sum(reservation.count for reservation in pool.reservations.values())
