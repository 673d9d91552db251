"""Moving an existing environment from managed node groups to Karpenter: what `inferstack diff` shows.

The "before" side is aws-prod as it was deployed before the switch (managed pools, on-demand only); the "after"
side is the shipped stack. The README's migration section walks through the same change.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest
import yaml

from inferstack.infra.offline.plan import Plan
from inferstack.infra.offline.stacks import plan_spec
from inferstack.infra.review.diff import Change, diff_plans
from inferstack.provider_types import Aws, K8s
from inferstack.spec.document import CONFIG_KEY
from inferstack.validation import parse_environment_checked
from tests.conftest import shipped_plan, shipped_stacks

# What holds data or identity: the migration must neither replace nor remove any of them.
KEPT = {
    Aws.S3_BUCKET,
    Aws.KMS_KEY,
    Aws.KMS_ALIAS,
    Aws.EKS_CLUSTER,
    Aws.VPC,
    Aws.SUBNET,
    Aws.OIDC_PROVIDER,
    Aws.LOG_GROUP,
    Aws.EKS_NODE_GROUP,  # the system group stays; the GPU groups' removal is checked on its own below
}


def _node_groups_document() -> dict[str, Any]:
    """aws-prod with the GPU pools on managed node groups, as before the switch."""
    document = copy.deepcopy(yaml.safe_load(shipped_stacks()["aws-prod"].read_text())["config"][CONFIG_KEY])
    del document["cluster"]["provisioner"]
    for pool in document["node_pools"].values():
        pool["capacity"] = "on_demand"
    for model in document["models"].values():
        model["replicas"].pop("on_demand_base", None)
    return document


@pytest.fixture(scope="module")
def changes() -> list[Change]:
    before: Plan = plan_spec("aws-prod", parse_environment_checked(_node_groups_document(), "aws-prod").spec)
    return diff_plans(before, shipped_plan("aws-prod"))


def test_the_gpu_node_groups_go_and_the_system_group_stays(changes: list[Change]) -> None:
    removed = {(c.identity.type, c.identity.name) for c in changes if c.kind == "remove"}
    assert (Aws.EKS_NODE_GROUP, "prod-pool-h100-nodes") in removed
    assert (Aws.EKS_NODE_GROUP, "prod-pool-l4-nodes") in removed
    assert (Aws.LAUNCH_TEMPLATE, "prod-pool-h100-lt") in removed
    assert not any(name == "prod-system-nodes" for _, name in removed)
    # Only node-group pieces and the smoke-test Jobs (renamed by their spec hash, re-run by design) are removed.
    kinds = Counter(kind for kind, _ in removed)
    assert set(kinds) <= {
        Aws.EKS_NODE_GROUP,
        Aws.LAUNCH_TEMPLATE,
        Aws.AUTOSCALING_TAG,
        "inferstack:index:EksGpuNodePool",
        K8s.JOB,
    }, kinds


def test_nothing_holding_data_is_replaced_or_removed(changes: list[Change]) -> None:
    touched = [c for c in changes if c.identity.type in KEPT and c.kind in ("remove", "replace")]
    assert [c for c in touched if c.identity.type != Aws.EKS_NODE_GROUP] == []
    assert not [c for c in changes if c.blocked], "no protected resource is destroyed"
    # The subnets and the node security group only gain Karpenter's discovery tag, in place.
    subnets = [c for c in changes if c.identity.type == Aws.SUBNET]
    assert subnets and all(c.kind == "update" and c.paths == ("tags.karpenter.sh/discovery",) for c in subnets)
    (nodes,) = [c for c in changes if c.identity.name == "prod-sg-nodes"]
    assert nodes.kind == "update" and nodes.paths == ("tags.karpenter.sh/discovery",)


def test_karpenter_and_its_nodepools_are_added(changes: list[Change]) -> None:
    added = Counter(c.identity.type for c in changes if c.kind == "add")
    assert added[K8s.KARPENTER_NODE_POOL] == 4 and added[K8s.KARPENTER_NODE_CLASS] == 2
    assert added[Aws.SQS_QUEUE] == 1 and added[Aws.EVENT_RULE] == 5
    assert added["inferstack:index:EksKarpenter"] == 1
