"""The rules of policies/fleet.py: GPU taints, tags, the GPU cap and spot in production.

A compliant example passes; each single mutation of it fails with its message.
"""

from __future__ import annotations

import pytest

from tests.policies.support import (
    DELETE,
    Mutation,
    Resource,
    check_compliant,
    check_mutation,
    findings_of,
    mutate,
    mutation_ids,
)

# A spot-first GKE ComputeClass as inferstack plans it: GPU taint in nodePoolConfig, bounds and base as annotations.
SPOT_FIRST_CLASS: Resource = (
    "kubernetes:cloud.google.com/v1:ComputeClass",
    "cc-l4",
    {
        "metadata": {
            "name": "gpu-l4",
            "annotations": {"inferstack.dev/max-nodes": "2", "inferstack.dev/on-demand-base": "1"},
        },
        "spec": {
            "priorities": [
                {"machineType": "g2-standard-4", "gpu": {"type": "nvidia-l4", "count": 1}, "spot": True},
                {"machineType": "g2-standard-4", "gpu": {"type": "nvidia-l4", "count": 1}, "spot": False},
            ],
            "nodePoolConfig": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]},
        },
    },
)

GOOD: dict[str, list[Resource]] = {
    "gpu-pool-tainted": [
        (
            "aws:eks/nodeGroup:NodeGroup",
            "ng-l4",
            {"instanceTypes": ["g6.xlarge"], "taints": [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]},
        ),
        (
            "gcp:container/nodePool:NodePool",
            "np-l4",
            {
                "nodeConfig": {
                    "machineType": "g2-standard-4",
                    "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}],
                }
            },
        ),
        SPOT_FIRST_CLASS,
    ],
    "required-tags": [
        ("aws:ec2/vpc:Vpc", "vpc-1", {"tags": {"team": "ml", "env": "dev"}}),
        ("gcp:storage/bucket:Bucket", "b", {"labels": {"team": "ml", "env": "dev"}}),
    ],
    "gpu-cap": [
        ("aws:eks/nodeGroup:NodeGroup", "ng-1", {"instanceTypes": ["p5.48xlarge"], "scalingConfig": {"maxSize": 4.0}}),
        (
            "gcp:container/nodePool:NodePool",
            "np-1",
            {
                "nodeConfig": {"machineType": "g2-standard-4"},
                "autoscaling": {"maxNodeCount": 8.0},
                "nodeLocations": ["a"],
            },
        ),
    ],
    "network-policy-enforced": [
        ("aws:eks/cluster:Cluster", "eks-1", {"name": "dev"}),
        (
            "aws:eks/addon:Addon",
            "addon-1",
            {"clusterName": "dev", "addonName": "vpc-cni", "configurationValues": '{"enableNetworkPolicy": "true"}'},
        ),
        ("gcp:container/cluster:Cluster", "gke-1", {"name": "dev", "datapathProvider": "ADVANCED_DATAPATH"}),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "", {"metadata": {"name": "default-deny"}}),
    ],
    "no-spot-in-production": [
        ("aws:eks/nodeGroup:NodeGroup", "ng-1", {"capacityType": "ON_DEMAND"}),
        ("gcp:container/nodePool:NodePool", "np-1", {"nodeConfig": {"spot": False}}),
        # Spot first, but its models keep one replica on on-demand nodes: accepted.
        SPOT_FIRST_CLASS,
    ],
}

MUTATIONS: list[Mutation] = [
    ("gpu-pool-tainted", 0, ("taints",), DELETE, {}, "not tainted"),
    ("gpu-pool-tainted", 1, ("nodeConfig", "taints", 0, "effect"), "PREFER_NO_SCHEDULE", {}, "not tainted"),
    ("required-tags", 0, ("tags", "team"), DELETE, {}, "missing required tags/labels: team"),
    (
        "required-tags",
        1,
        ("labels",),
        {},
        {"requiredTags": ["cost-center"]},
        "missing required tags/labels: cost-center",
    ),
    ("gpu-cap", 0, ("scalingConfig", "maxSize"), 8.0, {}, "72 GPUs at maximum scale exceed the cap of 64"),
    ("gpu-cap", 0, ("scalingConfig", "maxSize"), 1.0, {"maxGpus": 8}, "16 GPUs at maximum scale exceed the cap of 8"),
    ("network-policy-enforced", 1, ("configurationValues",), DELETE, {}, "EKS cluster r0, whose vpc-cni"),
    (
        "network-policy-enforced",
        1,
        ("configurationValues",),
        '{"enableNetworkPolicy": "false"}',
        {},
        "accepted and never enforced",
    ),
    ("network-policy-enforced", 1, ("clusterName",), "other", {}, "EKS cluster r0"),
    ("network-policy-enforced", 2, ("datapathProvider",), "LEGACY_DATAPATH", {}, "GKE cluster r2"),
    ("no-spot-in-production", 0, ("capacityType",), "SPOT", {"production": True}, "spot capacity"),
    ("no-spot-in-production", 1, ("nodeConfig", "spot"), True, {"production": True}, "spot/preemptible"),
    (
        "no-spot-in-production",
        2,
        ("metadata", "annotations", "inferstack.dev/on-demand-base"),
        "0",
        {"production": True},
        "tries spot first in a production stack, with no on-demand base",
    ),
    ("gpu-pool-tainted", 2, ("spec", "nodePoolConfig", "taints"), DELETE, {}, "not tainted"),
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    check_compliant(GOOD, rule)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)


def test_calico_on_the_legacy_gke_dataplane_enforces_network_policies() -> None:
    legacy = mutate(GOOD["network-policy-enforced"], 2, ("datapathProvider",), "LEGACY_DATAPATH")
    assert findings_of("network-policy-enforced", legacy, {})
    calico = mutate(legacy, 2, ("networkPolicy",), {"enabled": True, "provider": "CALICO"})
    assert findings_of("network-policy-enforced", calico, {}) == []


def test_a_stack_without_network_policies_needs_no_enforcing_cni() -> None:
    unenforced = mutate(GOOD["network-policy-enforced"], 1, ("configurationValues",), DELETE)
    assert findings_of("network-policy-enforced", unenforced[:3], {}) == []
