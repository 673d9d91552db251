"""The diff tells the whole truth: before/after stack pairs, each planned by the real program offline.

A replacement carries over to what reads the replaced resource, an in-place launch template update rolls every
node of its node group, and a change that would destroy a protected resource is shown as blocked.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import yaml
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.offline.stacks import plan_spec
from inferstack.infra.review.diff import Change, diff_plans
from inferstack.spec import CONFIG_KEY
from inferstack.validation import parse_environment
from tests.conftest import shipped_plan, shipped_stacks

runner = CliRunner()


@cache
def stack_document(stack: str) -> dict[str, Any]:
    return yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))["config"][CONFIG_KEY]


def plan_of(stack: str, document: dict[str, Any]):
    return plan_spec(stack, parse_environment(document, stack))


def by_name(changes: list[Change]) -> dict[str, Change]:
    return {change.identity.name: change for change in changes}


def test_a_new_vpc_cidr_replaces_everything_built_on_the_vpc() -> None:
    after = copy.deepcopy(stack_document("aws-dev"))
    after["network"]["cidr"] = "10.50.0.0/16"
    changes = by_name(diff_plans(shipped_plan("aws-dev"), plan_of("aws-dev", after)))
    assert changes["aws-dev-network-vpc"].kind == "replace"
    # Subnets change their own CIDR and their VPC; route tables and security groups only follow the VPC.
    assert changes["aws-dev-network-private-use1-az1"].kind == "replace"
    followers = [
        name for name, change in changes.items() if any("follows the replacement" in b for b in change.because)
    ]
    assert "aws-dev-network-private-rt-use1-az1" in followers or "aws-dev-network-private-use1-az1" in followers
    security_groups = [c for c in changes.values() if c.identity.type == "aws:ec2/securityGroup:SecurityGroup"]
    assert security_groups and all(c.kind == "replace" for c in security_groups), security_groups
    assert all("vpcId follows the replacement of aws-dev-network-vpc" in c.because for c in security_groups)
    # The cluster reads the subnets (updated in place); its node groups are replaced (new subnets), and the
    # autoscaler tags on their Auto Scaling groups follow them.
    assert changes["aws-dev-eks-cluster"].kind == "update"
    node_groups = [c for c in changes.values() if c.identity.type == "aws:eks/nodeGroup:NodeGroup"]
    assert node_groups and all(c.kind == "replace" for c in node_groups), node_groups
    tags = [c for c in changes.values() if c.identity.type == "aws:autoscaling/tag:Tag"]
    assert tags and all(c.kind == "replace" and c.paths == ("autoscalingGroupName",) for c in tags), tags
    followers = {name for name, change in changes.items() if change.because}
    assert len(followers) > 20, "followers are shown, not only the resources whose own inputs changed"


def test_a_new_tag_rolls_every_gpu_node_through_the_launch_template() -> None:
    after = copy.deepcopy(stack_document("aws-dev"))
    after["tags"] = {**after.get("tags", {}), "cost-centre": "ml"}
    changes = by_name(diff_plans(shipped_plan("aws-dev"), plan_of("aws-dev", after)))
    template = changes["aws-dev-pool-l4-lt"]
    assert template.kind == "update"
    (group,) = (
        c for c in changes.values() if c.identity.type == "aws:eks/nodeGroup:NodeGroup" and "l4" in c.identity.name
    )
    assert "launchTemplate follows the update of aws-dev-pool-l4-lt" in group.because
    assert "rolls every node: EKS drains and replaces the group's nodes one at a time" in group.because


def test_renaming_a_production_environment_is_blocked_by_its_protected_data() -> None:
    after = copy.deepcopy(stack_document("aws-prod"))
    after["name"] = "prod2"
    changes = diff_plans(shipped_plan("aws-prod"), plan_of("aws-prod", after))
    blocked = {c.identity.type for c in changes if c.blocked}
    assert "aws:s3/bucket:Bucket" in blocked and "aws:kms/key:Key" in blocked, blocked
    assert all(c.kind == "remove" for c in changes if c.blocked)


def test_the_cli_prints_why_a_resource_follows_and_what_is_blocked(tmp_path) -> None:
    after = copy.deepcopy(yaml.safe_load(shipped_stacks()["aws-dev"].read_text(encoding="utf-8")))
    after["config"][CONFIG_KEY]["network"]["cidr"] = "10.50.0.0/16"
    changed = tmp_path / "Pulumi.aws-dev.yaml"
    changed.write_text(yaml.safe_dump(after), encoding="utf-8")
    result = runner.invoke(app, ["diff", "aws-dev", str(changed)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "vpcId follows the replacement of aws-dev-network-vpc" in result.output
