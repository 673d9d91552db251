"""The pack as a whole: loads like the CrossGuard host loads it, passes the shipped stacks, catches the bad plan."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from typing import Any

import pulumi_policy
import pytest
import yaml
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_POLICY
from inferstack.infra.offline.plan import Plan
from inferstack.infra.review.policy_check import default_policy_config, evaluate, mandatory, resolve_config
from inferstack.policies.pack import ALL_RULES, PACK_NAME
from tests.conftest import FIXTURES, REPO, shipped_plan, shipped_stacks

POLICIES = REPO / "policies"
BAD_PLAN = FIXTURES / "bad-plan.json"


def test_pack_module_imports_without_starting_a_server() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "import inferstack.policies.pack, policies.aws, policies.kubernetes"],
        cwd=REPO,
        timeout=60,
        capture_output=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == b"", "a policy server prints its port on start"


def test_main_builds_the_pack_with_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    built: dict[str, Any] = {}

    def record(**kwargs: Any) -> None:
        built.update(kwargs)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", record)
    runpy.run_path(str(POLICIES / "__main__.py"), run_name="__main__")
    assert built["name"] == PACK_NAME
    assert [policy.name for policy in built["policies"]] == [rule.name for rule in ALL_RULES]


def test_pulumi_policy_yaml_declares_a_python_pack() -> None:
    manifest = yaml.safe_load((POLICIES / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    assert manifest["description"]


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in ALL_RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_shipped_stacks_have_no_mandatory_findings(stack: str) -> None:
    plan = shipped_plan(stack)  # with the offline secret placeholders, as `inferstack plan` plans it
    assert mandatory(evaluate(plan, default_policy_config(plan))) == []


def test_bad_plan_trips_every_mandatory_rule() -> None:
    plan = Plan.from_dict(json.loads(BAD_PLAN.read_text()))
    fired = {finding.rule for finding in mandatory(evaluate(plan, default_policy_config(plan)))}
    expected = {rule.name for rule in ALL_RULES if resolve_config(rule).enforcement.value == "mandatory"}
    assert expected == fired


def test_check_on_the_bad_plan_exits_1() -> None:
    result = CliRunner().invoke(app, ["check", str(BAD_PLAN)])
    assert result.exit_code == EXIT_POLICY
    assert "mandatory policy violation" in result.output


def test_policy_config_file_changes_enforcement(tmp_path: Any) -> None:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"all": "advisory"}))
    result = CliRunner().invoke(app, ["check", str(BAD_PLAN), "--policy-config", str(config)])
    assert result.exit_code == 0, result.output


def test_bad_policy_config_is_invalid_input(tmp_path: Any) -> None:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"no-such-rule": "advisory"}))
    result = CliRunner().invoke(app, ["check", str(BAD_PLAN), "--policy-config", str(config)])
    assert result.exit_code == 2
    assert "unknown rule 'no-such-rule'" in result.output
