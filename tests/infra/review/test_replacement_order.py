"""The diff says how a replacement goes: every planned type has replace triggers, fixed names delete first or fail.

Each rule is shown by a before/after pair: a stack and its edit planned by the real program offline, or a shipped
plan and the same plan as an earlier deployment would have recorded it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.infra.review.diff import Change, diff_plans, not_curated, replace_triggers
from inferstack.infra.review.fixed_names import DELETES_FIRST, FAILS, fixed_names
from inferstack.provider_types import ALL_TYPES, Aws
from tests.conftest import shipped_plan, shipped_stacks
from tests.infra.review.test_diff_propagation import plan_of, stack_document

NODE_POOL = "gcp:container/nodePool:NodePool"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"


def test_every_resource_type_of_every_shipped_plan_has_replace_triggers_or_a_reason() -> None:
    known = set(replace_triggers()) | set(not_curated())
    missing = {
        (resource.type, stack)
        for stack in shipped_stacks()
        for resource in shipped_plan(stack).resources
        if resource.custom and resource.type not in known
    }
    assert not missing, f"add these to infra/review/replace_triggers.yaml (types or not_curated): {sorted(missing)}"
    assert not set(replace_triggers()) & set(not_curated()), "a type is either curated or explicitly not"
    assert set(fixed_names()[0]) <= ALL_TYPES, "fixed_names.yaml names only types inferstack creates"


def with_inputs(plan: Plan, type_: str, **inputs: object) -> Plan:
    """The plan with the first resource of a type given other inputs (as an earlier deployment recorded them)."""
    target = plan.of_type(type_)[0]
    changed = [
        replace(res, inputs={**copy.deepcopy(res.inputs), **inputs}) if res.urn == target.urn else res
        for res in plan.resources
    ]
    return replace(plan, resources=changed)


def only(changes: list[Change], type_: str) -> Change:
    (change,) = [c for c in changes if c.identity.type == type_]
    return change


def test_a_fixed_name_cluster_is_deleted_before_its_replacement() -> None:
    after = copy.deepcopy(stack_document("aws-dev"))
    after["network"]["services_cidr"] = "172.21.0.0/16"
    changes = diff_plans(shipped_plan("aws-dev"), plan_of("aws-dev", after))
    cluster = only(changes, Aws.EKS_CLUSTER)
    assert cluster.kind == "replace" and "kubernetesNetworkConfig.serviceIpv4Cidr" in cluster.paths
    assert any(reason.startswith(DELETES_FIRST) for reason in cluster.because), cluster
    assert not cluster.fails


def test_a_prefixed_gke_pool_is_created_before_the_old_one_goes() -> None:
    # gcp-dev's pool as a managed GKE node pool of spot nodes (the shipped stack uses a ComputeClass).
    before = copy.deepcopy(stack_document("gcp-dev"))
    before["cluster"].pop("provisioner")
    before["node_pools"]["l4"].pop("reservations")
    before["node_pools"]["l4"]["capacity"] = "spot"
    after = copy.deepcopy(before)
    after["node_pools"]["l4"]["capacity"] = "on_demand"
    changes = diff_plans(plan_of("gcp-dev", before), plan_of("gcp-dev", after))
    pool = next(c for c in changes if c.identity.type == NODE_POOL and "l4" in c.identity.name)
    assert pool.kind == "replace" and "nodeConfig.spot" in pool.paths
    assert not any(reason.startswith((DELETES_FIRST, FAILS)) for reason in pool.because), pool


def test_a_prefixed_eks_node_group_is_created_before_the_old_one_goes() -> None:
    after = copy.deepcopy(stack_document("aws-dev"))
    after["node_pools"]["l4"]["capacity"] = "on_demand"
    changes = diff_plans(shipped_plan("aws-dev"), plan_of("aws-dev", after))
    group = next(c for c in changes if c.identity.type == Aws.EKS_NODE_GROUP and "l4" in c.identity.name)
    assert group.kind == "replace" and "capacityType" in group.paths
    assert not any(reason.startswith((DELETES_FIRST, FAILS)) for reason in group.because), group


def test_a_node_group_deployed_with_its_fixed_name_keeps_it_through_ignore_changes() -> None:
    # Upgrading inferstack: the deployed group has the fixed name the components gave before the prefix.
    new = shipped_plan("aws-dev")
    (group, *_) = [g for g in new.of_type(Aws.EKS_NODE_GROUP) if "l4" in g.name]
    base = group.inputs["nodeGroupNamePrefix"].rstrip("-")
    deployed = replace(
        new, resources=[_fixed_name(res, base) if res.urn == group.urn else res for res in new.resources]
    )
    assert not [c for c in diff_plans(deployed, new) if c.identity.type == Aws.EKS_NODE_GROUP]


def _fixed_name(resource: PlannedResource, name: str) -> PlannedResource:
    inputs = {key: value for key, value in resource.inputs.items() if key != "nodeGroupNamePrefix"}
    return replace(resource, inputs={**inputs, "nodeGroupName": name})


def test_a_kms_key_replaced_under_its_own_name_fails() -> None:
    new = shipped_plan("gcp-dev")
    change = only(diff_plans(with_inputs(new, CRYPTO_KEY, purpose="ASYMMETRIC_SIGN"), new), CRYPTO_KEY)
    assert change.kind == "replace" and change.fails, change
    assert "never freed" in " ".join(change.because)


def test_a_kms_key_in_another_ring_is_another_key() -> None:
    new = shipped_plan("gcp-dev")
    change = only(
        diff_plans(with_inputs(new, CRYPTO_KEY, keyRing="projects/p/locations/l/keyRings/old"), new), CRYPTO_KEY
    )
    assert change.kind == "replace" and not change.fails, change


def test_a_bucket_configuration_created_before_the_old_one_is_deleted_fails() -> None:
    new = shipped_plan("aws-dev")
    change = only(diff_plans(with_inputs(new, VERSIONING, expectedBucketOwner="111122223333"), new), VERSIONING)
    assert change.kind == "replace" and change.fails, change
    assert "deleting the old one removes it" in " ".join(change.because)


@pytest.mark.parametrize(
    ("type_", "inputs", "kind"),
    [
        # terraform-provider-aws vpc_route.go: the destination is ForceNew, a target is updated (ReplaceRoute).
        ("aws:ec2/route:Route", {"destinationCidrBlock": "10.0.0.0/8"}, "replace"),
        ("aws:ec2/route:Route", {"natGatewayId": "nat-0old"}, "update"),
        # vpc_security_group_ingress_rule.go: only the group is ForceNew; ports and CIDRs are modified in place.
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"securityGroupId": "sg-0old"}, "replace"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"fromPort": 1}, "update"),
        # resource_compute_firewall.go: the network is not ForceNew (the curated table said it was).
        ("gcp:compute/firewall:Firewall", {"network": "projects/p/global/networks/old"}, "update"),
        ("gcp:compute/firewall:Firewall", {"direction": "EGRESS"}, "replace"),
    ],
)
def test_replace_triggers_read_from_the_provider_sources(type_: str, inputs: dict[str, object], kind: str) -> None:
    stack = "gcp-dev" if type_.startswith("gcp:") else "aws-dev"
    new = shipped_plan(stack)
    assert only_first(diff_plans(with_inputs(new, type_, **inputs), new), new, type_).kind == kind


def only_first(changes: list[Change], plan: Plan, type_: str) -> Change:
    name = plan.of_type(type_)[0].name
    (change,) = [c for c in changes if c.identity.type == type_ and c.identity.name == name]
    return change


def test_the_cli_counts_the_replacements_that_would_fail(tmp_path: Path) -> None:
    new = shipped_plan("gcp-dev")
    with_inputs(new, CRYPTO_KEY, purpose="ASYMMETRIC_SIGN").write(tmp_path / "old.json")
    new.write(tmp_path / "new.json")
    args = ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    assert "1 replacement(s) would fail as planned" in shown.output and "fails: the name" in shown.output
    listed = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert [change["type"] for change in listed if change["fails"]] == [CRYPTO_KEY]
