"""The `inferstack` CLI: exit codes, messages without tracebacks, the Plan JSON, the shipped schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.spec import CONFIG_KEY
from inferstack.spec.schema import SCHEMA_PATH, schema_text
from tests.conftest import FIXTURES, shipped_stacks
from tests.validation.test_fuzz import mutated_stacks

runner = CliRunner()
BROKEN = sorted(FIXTURES.glob("Pulumi.broken-*.yaml"))


def test_stacks_lists_every_shipped_stack() -> None:
    result = runner.invoke(app, ["stacks"])
    assert result.exit_code == 0
    for name in ("aws-dev", "aws-prod", "gcp-dev", "gcp-prod", "local"):
        assert name in result.output
    assert "INVALID" not in result.output


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_validate_shipped_stacks(stack: str) -> None:
    result = runner.invoke(app, ["validate", stack])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_validate_broken_fixture_exits_2_with_paths_and_no_traceback(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == EXIT_INVALID
    assert "Traceback" not in result.output
    assert "environment" in result.output or "YAML" in result.output


def test_unknown_stack_names_the_known_ones() -> None:
    result = runner.invoke(app, ["plan", "aws-staging"])
    assert result.exit_code == EXIT_INVALID
    assert "aws-dev" in result.output


def test_plan_writes_the_documented_json(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", "aws-dev", "--json", str(target)])
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text())
    assert data["project"] == "inferstack" and data["stack"] == "aws-dev"
    assert data["resources"], "the plan lists resources"
    environment = [r for r in data["resources"] if r["type"] == "inferstack:index:LlmEnvironment"]
    assert environment and environment[0]["name"] == "aws-dev"
    assert data["outputs"]["environment"]["cloud"] == "aws"
    assert "Resources by type" in result.output


def test_shipped_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text() == schema_text(), "regenerate: inferstack schema > components/spec/stack.schema.json"


def test_schema_command_prints_it() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "inferstack:environment" in schema["properties"]["config"]["properties"]


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_stack_files_carry_the_schema_modeline(stack: str) -> None:
    first_line = shipped_stacks()[stack].read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../components/spec/stack.schema.json"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=mutated_stacks())
def test_validate_on_mutated_stack_files_exits_0_or_2_without_traceback(tmp_path: Path, document: object) -> None:
    path = tmp_path / "Pulumi.fuzz.yaml"
    path.write_text(yaml.safe_dump({"config": {CONFIG_KEY: document}}))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code in (0, EXIT_INVALID), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
