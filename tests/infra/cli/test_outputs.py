"""What the CLI prints and writes: user strings literally, unwrapped logs, JSON on request, outputs replaced whole."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.infra.files import MARKER
from inferstack.infra.offline.plan import Plan, PlannedResource
from tests.conftest import FIXTURES, shipped_stacks

runner = CliRunner()
BAD_PLAN = FIXTURES / "bad-plan.json"


def test_brackets_in_user_strings_are_printed_as_text(tmp_path: Path) -> None:
    # Rich would read `[/]` as closing markup and crash, after the files were written.
    admins = '      admins: ["user:a[/]b@example.com", "user:[bold]x@example.com"]\n'
    text = shipped_stacks()["gcp-dev"].read_text().replace("      release_channel: regular\n", "", 1)
    stack = tmp_path / "Pulumi.marked.yaml"
    stack.write_text(text.replace("    cluster:\n", "    cluster:\n" + admins, 1))
    (tmp_path / "a[").mkdir()
    out = tmp_path / "a[/]b"
    result = runner.invoke(app, ["plan", str(stack), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "marked-admins-viewer-a[/]b-at-example-com" in result.output
    assert "marked-admins-viewer-[bold]x-at-example-com" in result.output
    assert f"manifest(s) written to {out}" in result.output


def test_a_log_line_is_not_wrapped_at_80_columns() -> None:
    result = runner.invoke(app, ["plan", "local"])
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("Monthly cost")]
    assert len(line) > 80 and line.endswith("not priced by inferstack)")


@pytest.mark.parametrize(
    ("option", "name", "message"),
    [
        ("--json", "folder", "--json {p}: is a folder — give the path of a file to write"),
        ("--json", "missing/plan.json", "--json {p}: the folder {parent} does not exist — create it first"),
        ("--out", "file.txt", "--out {p}: is not a folder — give a folder path (it is created if missing)"),
        (
            "--out",
            "theirs",
            "--out {p}: is a non-empty folder inferstack did not write, and --out replaces the whole folder — "
            "give an empty or a new folder",
        ),
    ],
)
def test_a_bad_output_path_exits_2_with_its_message(tmp_path: Path, option: str, name: str, message: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("mine")
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "notes.md").write_text("mine")
    target = tmp_path / name
    result = runner.invoke(app, ["plan", "local", option, str(target)])
    assert result.exit_code == EXIT_INVALID, result.output
    assert message.format(p=target, parent=target.parent) in result.output
    assert "Traceback" not in result.output
    assert (tmp_path / "file.txt").read_text() == "mine" and (tmp_path / "theirs" / "notes.md").read_text() == "mine"


def test_out_replaces_the_manifests_of_another_stack(tmp_path: Path) -> None:
    out = tmp_path / "m"
    first = runner.invoke(app, ["plan", "aws-dev", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert any("aws-node" in path.name or "nvidia" in path.name for path in out.rglob("*.yaml"))
    second = runner.invoke(app, ["plan", "local", "--out", str(out), "--json", str(tmp_path / "plan.json")])
    assert second.exit_code == 0, second.output
    local = Plan.from_dict(json.loads((tmp_path / "plan.json").read_text()))
    from inferstack.infra.review.manifests import plan_manifests

    expected = {*plan_manifests(local), MARKER}
    assert {str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()} == expected


def test_json_to_stdout_is_the_plan_only() -> None:
    result = runner.invoke(app, ["plan", "local", "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stack"] == "local" and data["resources"]


def test_check_and_diff_print_json(tmp_path: Path) -> None:
    check = runner.invoke(app, ["check", str(BAD_PLAN), "--json"])
    findings = json.loads(check.stdout)
    assert check.exit_code == 1 and findings
    fields = {"enforcement", "rule", "resource", "resource_type", "message", "remediation", "severity"}
    assert set(findings[0]) == fields
    diff = runner.invoke(app, ["diff", str(BAD_PLAN), str(BAD_PLAN), "--json"])
    assert diff.exit_code == 0, diff.output
    assert json.loads(diff.stdout) == []


def test_stacks_prints_json() -> None:
    result = runner.invoke(app, ["stacks", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["stack"]: row for row in json.loads(result.stdout)}
    assert rows["aws-dev"]["cloud"] == "aws" and rows["aws-dev"]["region"] == "us-east-1"
    assert rows["aws-dev"]["valid"] is True


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"project": "p", "stack": "s", "resources": [], "outputs": {"x": NaN}}', "NaN is not JSON"),
        ('{"project": "p", "stack": "s", "resources": [], "outputs": {"x": Infinity}}', "Infinity is not JSON"),
        ('{"project": "p", "stack": "s", "resour', "Unterminated string"),
        ("[1, 2]", "the top level is list, not an object"),
        ('{"project": "p", "stack": "s", "resources": {}, "outputs": {}}', "'resources' is missing or not list"),
        (
            '{"project": "p", "stack": "s", "resources": [{"urn": "u", "type": "t", "name": "n", "parent": null, '
            '"custom": true, "id": null, "inputs": 5}], "outputs": {}}',
            "resources[0].inputs is missing or of the wrong type",
        ),
        ("[" * 100_000 + "]" * 100_000, "maximum recursion depth exceeded"),
    ],
)
@pytest.mark.parametrize("command", ["check", "diff"])
def test_a_malformed_plan_json_exits_2(tmp_path: Path, command: str, text: str, problem: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == EXIT_INVALID, result.output
    assert problem in result.output and f"{path}: " in result.output
    assert "Traceback" not in result.output


def test_the_plan_json_is_strict() -> None:
    resource = PlannedResource("u", "t", "n", None, True, "i", {"ratio": math.nan})
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        Plan("p", "s", [resource], {}).to_json()


def test_nothing_to_report_is_one_line_not_an_empty_table() -> None:
    from inferstack.infra.cli.render import changes_table, findings_table
    from inferstack.infra.review.policy_check import Finding

    with_findings = findings_table([Finding("mandatory", "r", "res", "t", "msg", "fix", "high")])
    assert not isinstance(findings_table([]), type(with_findings))
    assert str(findings_table([])) == "Policy findings: none"
    assert str(changes_table([])) == "Changes: none"
    result = CliRunner().invoke(app, ["check", "aws-dev"])
    assert "Policy findings: none" in result.output and "┏" not in result.output, result.output
