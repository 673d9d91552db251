"""Described GPU nodes (`existing:`): required for every pool on cloud: kubernetes, refused on the clouds.

A pool there describes nodes the cluster already has, so the fields that shape nodes inferstack creates (type,
autoscaling bounds, purchase option, zones, disk, node labels) do not apply, and its nodes must be selectable.
"""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.planning.existing_nodes import default_selector
from inferstack.spec.base import AUTO
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import field_path

# Fields of a pool inferstack creates, and where a described pool says the same thing instead.
MANAGED_POOL_FIELDS: dict[str, str] = {
    "instance_type": "remove it (existing.vcpus and existing.memory_gib describe the node)",
    "min": "remove it (existing.nodes counts the nodes)",
    "max": "remove it (existing.nodes counts the nodes)",
    "capacity": "remove it (the nodes are yours: nothing is bought)",
    "zones": "remove it (existing.selector picks the nodes, in whatever zones they are)",
    "disk_gib": "remove it (the nodes' disks are the cluster's)",
    "labels": "remove it (existing.selector lists the labels the nodes already have)",
}


def check_existing_nodes(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """On kubernetes every pool describes its nodes and is selectable; elsewhere no pool has `existing:`."""
    for name, pool in spec.node_pools.items():
        base = ("node_pools", name)
        if spec.cloud != "kubernetes":
            if pool.existing is not None:
                yield SpecIssue(
                    field_path(*base, "existing"),
                    f"applies to cloud: kubernetes only (on {spec.cloud} inferstack creates the pool's nodes)",
                    "remove it",
                )
            continue
        for field, fix in MANAGED_POOL_FIELDS.items():
            if field in pool.model_fields_set:
                yield SpecIssue(
                    field_path(*base, field),
                    "applies to pools inferstack creates (aws, gcp), not to described nodes",
                    fix,
                )
        if pool.existing is None:
            yield SpecIssue(
                field_path(*base, "existing"),
                "is required on cloud: kubernetes: inferstack creates no nodes there, it runs on the GPU nodes you "
                "describe",
                "add existing: {nodes: <count>, vcpus: <per node>, memory_gib: <per node>}",
            )
            continue
        if pool.existing.selector is None and pool.gpu != AUTO and default_selector(pool.gpu) is None:
            yield SpecIssue(
                field_path(*base, "existing", "selector"),
                f"is required for {pool.gpu}: no GPU Feature Discovery product label of it is recorded",
                "set the labels your nodes have (kubectl get nodes --show-labels), e.g. nvidia.com/gpu.product: …",
            )
