"""The node-pool reader the cost model and the fleet rules share, on hand-built planned resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from inferstack.planning.plan_readers import NodePool, gke_node_pool_bounds, node_pool, node_pools


@dataclass(frozen=True)
class Res:
    type: str
    name: str = "pool"
    inputs: dict[str, Any] = field(default_factory=dict)


EKS = "aws:eks/nodeGroup:NodeGroup"
GKE = "gcp:container/nodePool:NodePool"


def test_eks_node_group() -> None:
    inputs = {
        "instanceTypes": ["g6.xlarge", "g6.12xlarge"],
        "capacityType": "spot",
        "scalingConfig": {"minSize": 1.0, "maxSize": 3.0},
        "diskSize": 200.0,
        "taints": [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}],
    }
    pool = node_pool(Res(EKS, "l4", inputs))
    assert pool == NodePool(
        name="l4",
        type=EKS,
        instance_types=("g6.xlarge", "g6.12xlarge"),
        spot=True,
        min_nodes=1.0,
        max_nodes=3.0,
        gpus_per_node=4,  # the largest GPU type of the group
        disk_gb=200.0,
        taints=({"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"},),
    )
    assert pool is not None and (pool.instance_type, pool.max_gpus) == ("g6.xlarge", 12.0)


def test_eks_without_a_maximum_uses_the_desired_size_and_unknown_types_have_no_gpus() -> None:
    pool = node_pool(Res(EKS, inputs={"instanceTypes": ["x9.huge"], "scalingConfig": {"desiredSize": 2.0}}))
    assert pool is not None
    assert (pool.min_nodes, pool.max_nodes, pool.gpus_per_node, pool.spot) == (0.0, 2.0, 0, False)


@pytest.mark.parametrize(
    ("config", "gpus"),
    [
        ({"machineType": "g2-standard-4"}, 1),  # GPUs come with the machine type
        ({"machineType": "n1-standard-8", "guestAccelerators": [{"type": "nvidia-tesla-t4", "count": 2.0}]}, 2),
        ({}, 0),
    ],
)
def test_gke_gpus_from_accelerators_or_the_machine_type(config: dict[str, Any], gpus: int) -> None:
    pool = node_pool(Res(GKE, inputs={"nodeConfig": config}))
    assert pool is not None and pool.gpus_per_node == gpus


def test_gke_defaults_and_preemptible_counts_as_spot() -> None:
    pool = node_pool(Res(GKE, inputs={"nodeConfig": {"preemptible": True}}), default_zones=3)
    assert pool is not None
    assert (pool.instance_type, pool.disk_gb, pool.spot, pool.max_nodes) == ("e2-medium", 100.0, True, 3.0)


@pytest.mark.parametrize(
    ("inputs", "zones", "bounds"),
    [
        ({"autoscaling": {"minNodeCount": 1, "maxNodeCount": 3}}, 3, (3, 9)),
        ({"autoscaling": {"totalMinNodeCount": 1, "totalMaxNodeCount": 4}}, 3, (1, 4)),
        ({"nodeCount": 2, "nodeLocations": ["a", "b"]}, 3, (4, 4)),
        ({"autoscaling": {"minNodeCount": 0, "maxNodeCount": 2}, "nodeLocations": ["a"]}, 3, (0, 2)),
    ],
)
def test_gke_node_counts_are_per_zone_unless_total(inputs: dict[str, Any], zones: int, bounds: tuple[int, int]) -> None:
    assert gke_node_pool_bounds(inputs, zones) == bounds


def test_only_node_pools_are_read() -> None:
    resources = [Res("aws:eks/cluster:Cluster"), Res(EKS, "a"), Res("gcp:storage/bucket:Bucket"), Res(GKE, "b")]
    assert [pool.name for pool in node_pools(resources)] == ["a", "b"]
