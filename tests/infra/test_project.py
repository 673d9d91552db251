"""The project is where the user is: the nearest Pulumi.yaml upwards (or --project), never the package's folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.infra.project import ProjectError, find_project, open_project, resolve_stack
from tests.conftest import shipped_stacks

runner = CliRunner()


def make_project(root: Path, project_file: str = "Pulumi.yaml", config_dir: str | None = "stacks") -> Path:
    """A project at `root` with one stack `team` (a copy of the shipped local stack)."""
    root.mkdir(parents=True, exist_ok=True)
    text = "name: team\nruntime: python\n" + (f"stackConfigDir: {config_dir}\n" if config_dir else "")
    (root / project_file).write_text(text)
    folder = root / (config_dir or ".")
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(project_file).suffix
    (folder / f"Pulumi.team{suffix}").write_text(shipped_stacks()["local"].read_text())
    return root


def test_found_upwards_from_a_subfolder_with_its_stack_config_dir(tmp_path: Path) -> None:
    root = make_project(tmp_path / "repo")
    deep = root / "src" / "deep"
    deep.mkdir(parents=True)
    project = find_project(deep)
    assert project is not None and project.root == root.resolve() and project.name == "team"
    assert project.stacks() == {"team": (root / "stacks" / "Pulumi.team.yaml").resolve()}


def test_without_stack_config_dir_stack_files_sit_beside_the_project_file(tmp_path: Path) -> None:
    root = make_project(tmp_path, config_dir=None)
    project = open_project(root)
    assert list(project.stacks()) == ["team"] and project.stack_config_dir == root.resolve()


def test_a_yml_project_has_yml_stack_files(tmp_path: Path) -> None:
    project = open_project(make_project(tmp_path, project_file="Pulumi.yml"))
    assert project.stack_file("team").name == "Pulumi.team.yml" and list(project.stacks()) == ["team"]


def test_the_nearest_project_wins(tmp_path: Path) -> None:
    make_project(tmp_path / "outer")
    inner = make_project(tmp_path / "outer" / "inner", config_dir="config")
    project = find_project(inner / "config")
    assert project is not None and project.root == inner.resolve()


def test_no_project_is_none_and_a_stack_name_says_what_to_do(tmp_path: Path) -> None:
    assert find_project(tmp_path) is None
    with pytest.raises(ProjectError, match=r"no Pulumi\.yaml found .*--project DIR"):
        resolve_stack("team", None)


def test_a_broken_project_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: [unclosed\n")
    with pytest.raises(ProjectError, match="not a readable Pulumi project file"):
        find_project(tmp_path)


def test_cli_outside_any_project_exits_2_for_a_name_and_works_for_a_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["validate", "aws-dev"], ["stacks"], ["plan", "aws-dev"]):
        result = runner.invoke(app, command)
        assert result.exit_code == EXIT_INVALID, command
        assert "no Pulumi.yaml found" in result.output and "--project" in result.output
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["validate", str(shipped_stacks()["aws-dev"])])
    assert result.exit_code == 0, result.output


def test_cli_project_option_names_the_project(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = make_project(tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    listed = runner.invoke(app, ["--project", str(root), "stacks"])
    assert listed.exit_code == 0 and "team" in listed.output and "aws-dev" not in listed.output
    assert runner.invoke(app, ["--project", str(root), "validate", "team"]).exit_code == 0
    unknown = runner.invoke(app, ["--project", str(root), "validate", "aws-dev"])
    assert unknown.exit_code == EXIT_INVALID and "known stacks: team" in unknown.output
    missing = runner.invoke(app, ["--project", str(tmp_path / "nowhere"), "stacks"])
    assert missing.exit_code == EXIT_INVALID and "no Pulumi.yaml there" in missing.output


def test_cli_finds_the_project_from_the_current_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = make_project(tmp_path / "repo")
    monkeypatch.chdir(root / "stacks")
    result = runner.invoke(app, ["validate", "team"])
    assert result.exit_code == 0, result.output


def test_a_stack_file_path_works_beside_a_broken_project_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["validate", str(shipped_stacks()["local"])]).exit_code == 0
    named = runner.invoke(app, ["validate", "local"])
    assert named.exit_code == EXIT_INVALID and "not a readable Pulumi project file" in named.output


def test_a_stack_file_with_the_other_yaml_suffix_is_named(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: team\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yml").write_text("config: {}\n")
    with pytest.raises(ProjectError) as caught:
        resolve_stack("dev", open_project(tmp_path))
    assert str(caught.value) == (
        "dev: Pulumi.dev.yml is not read by Pulumi in this project (its project file is Pulumi.yaml, so the stack "
        "file is Pulumi.dev.yaml) — rename it to Pulumi.dev.yaml"
    )


def test_a_project_file_with_duplicate_keys_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: a\nname: b\n")
    with pytest.raises(ProjectError, match=r"line 2, column 1: duplicate key 'name' \(first at line 1\)"):
        open_project(tmp_path)
