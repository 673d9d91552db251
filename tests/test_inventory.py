"""Every shipped stack plans exactly what its reviewed inventory (tests/inventory/<stack>.yaml) says."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inferstack.infra.offline.plan import Plan, PlannedResource
from tests.conftest import shipped_plan, shipped_stacks
from tests.inventory_check import check_inventory, inventory_path, inventory_problems, regenerate_command


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_stack_matches_its_inventory(stack: str) -> None:
    assert inventory_path(stack).is_file(), f"{stack} has no inventory: write one, then {regenerate_command(stack)}"
    check_inventory(shipped_plan(stack), inventory_path(stack))


def test_every_inventory_belongs_to_a_shipped_stack() -> None:
    stale = {path.stem for path in inventory_path("x").parent.glob("*.yaml")} - set(shipped_stacks())
    assert not stale, f"inventories of stacks that are not shipped: {sorted(stale)}"


def _with_one_resource_less(plan: Plan) -> Plan:
    dropped = next(r for r in plan.resources if r.type == "aws:ec2/subnet:Subnet")
    return Plan(plan.project, plan.stack, [r for r in plan.resources if r is not dropped], plan.outputs)


def test_a_drifted_plan_fails_and_names_the_regeneration_command() -> None:
    plan = _with_one_resource_less(shipped_plan("aws-dev"))
    with pytest.raises(AssertionError) as caught:
        check_inventory(plan, inventory_path("aws-dev"))
    message = str(caught.value)
    assert "count of aws:ec2/subnet:Subnet: planned 3, inventory says 4" in message
    assert regenerate_command("aws-dev") in message


def test_expected_values_and_absent_keys_are_checked(tmp_path: Path) -> None:
    plan = shipped_plan("aws-prod")
    inventory = yaml.safe_load(inventory_path("aws-prod").read_text())
    inventory["expect"].append({"type": "aws:eks/cluster:Cluster", "inputs": {"version": "1.29"}})
    inventory["absent"].append({"type": "aws:eks/cluster:Cluster", "keys": ["vpcConfig.endpointPublicAccess"]})
    path = tmp_path / "aws-prod.yaml"
    path.write_text(yaml.safe_dump(inventory))
    with pytest.raises(AssertionError) as caught:
        check_inventory(plan, path)
    assert "aws:eks/cluster:Cluster (every one): inputs differ" in str(caught.value)
    assert "vpcConfig.endpointPublicAccess must not be set" in str(caught.value)


def test_inventory_reader_is_not_fooled_by_lists_of_other_lengths() -> None:
    resource = PlannedResource("urn:x", "t:x:X", "x", None, True, "x-1", {"items": [1, 2, 3]})
    plan = Plan("p", "s", [resource], {})
    assert inventory_problems(plan, {"counts": {"t:x:X": 1}, "expect": [{"type": "t:x:X", "inputs": {"items": [1]}}]})
    assert not inventory_problems(
        plan, {"counts": {"t:x:X": 1}, "expect": [{"type": "t:x:X", "inputs": {"items": [1, 2, 3]}}]}
    )
