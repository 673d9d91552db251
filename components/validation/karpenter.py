"""Checks of a stack whose GPU nodes Karpenter provisions (cluster.provisioner: karpenter).

Within one NodePool Karpenter takes reserved capacity first, then spot, then on-demand, whatever order the
capacity-type requirement lists them in (components/aws/plan/karpenter.py), so a preference list in another order
would be silently reordered: it is refused instead. A pool's `min` is not kept (Karpenter has no minimum size;
nodes follow the pending pods), which is said as a warning.
"""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.planning.fit import nodes_at, pool_models
from inferstack.planning.provisioning import provisioner
from inferstack.spec.errors import SpecIssue, SpecWarning
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path

# Karpenter's own order of capacity types within a NodePool.
KARPENTER_ORDER = ("reserved", "spot", "on_demand")
# The suffix of a pool's on-demand base NodePool (<key>-on-demand): another pool of that key would collide.
BASE_SUFFIX = "-on-demand"


def _on_karpenter(spec: EnvironmentSpec) -> bool:
    return spec.cloud == "aws" and provisioner(spec) == "karpenter"


def check_karpenter(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Preference lists in Karpenter's order, reservation tags it can select, no key that collides with a NodePool."""
    if not _on_karpenter(spec):
        return
    for key, pool in sorted(spec.node_pools.items()):
        ranks = [KARPENTER_ORDER.index(option) for option in pool.capacity]
        if ranks != sorted(ranks):
            ordered = [option for option in KARPENTER_ORDER if option in pool.capacity]
            yield SpecIssue(
                field_path("node_pools", key, "capacity"),
                f"Karpenter takes reserved, then spot, then on-demand capacity within a NodePool, so "
                f"[{', '.join(pool.capacity)}] would not be followed as written",
                f"write [{', '.join(ordered)}], or leave spot out to stay on on-demand",
            )
        for name, reservation in sorted(pool.reservations.items()):
            # The EC2NodeClass CRD refuses a selector term tag with an empty key or value (a CEL rule).
            for tag, value in sorted((reservation.tags or {}).items()):
                if not tag or not value:
                    yield SpecIssue(
                        field_path("node_pools", key, "reservations", name, "tags", tag),
                        "Karpenter selects reservations only by tags with a key and a value",
                        "give the tag a value, or select the reservation by id",
                    )
        if key.endswith(BASE_SUFFIX) and key.removesuffix(BASE_SUFFIX) in spec.node_pools:
            yield SpecIssue(
                field_path("node_pools", key),
                f"the name of pool {key.removesuffix(BASE_SUFFIX)}'s on-demand base NodePool",
                f"rename the pool (a key not ending in {BASE_SUFFIX})",
            )


def warn_karpenter(spec: EnvironmentSpec) -> Iterable[SpecWarning]:
    """A pool `min` above what its models' replicas.min need: Karpenter keeps no idle minimum."""
    if not _on_karpenter(spec):
        return
    models = pool_models(spec)
    for key, pool in sorted(spec.node_pools.items()):
        needed = nodes_at(pool.gpus_per_node, models.get(key, []), at="min") or 0
        if pool.min > needed:
            yield SpecWarning(
                field_path("node_pools", key, "min"),
                f"Karpenter keeps no minimum size: the pool runs the {needed} node(s) its models' replicas.min "
                f"need, not {pool.min}",
                "raise the models' replicas.min to keep warm nodes, or lower min to silence this",
            )
