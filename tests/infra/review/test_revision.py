"""`inferstack diff --base REV`: the old side is planned by the revision's own code, in the user's repository."""

from __future__ import annotations

import json
import subprocess
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_INVALID
from inferstack.infra.offline.plan import Plan
from inferstack.infra.project import open_project
from inferstack.infra.review.diff import diff_plans
from inferstack.infra.review.revision import plan_at_revision
from tests.conftest import REPO, shipped_plan, shipped_stacks

runner = CliRunner()
BEFORE_THE_RENAME = "e017570"  # top-level `components`/`infra` packages, console script `infra.cli:main`


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=inferstack tests", "-c", "user.email=tests@example.invalid"]
    done = subprocess.run(["git", *identity, "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout


def worktrees(repo: Path) -> list[str]:
    # Only the temporary trees `--base` creates: other checkouts of the same repository may come and go meanwhile.
    listed = git(repo, "worktree", "list", "--porcelain").splitlines()
    return [line for line in listed if line.startswith("worktree ") and "inferstack-base-" in line]


def has_commit(repo: Path, revision: str) -> bool:
    found = subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{revision}^{{commit}}"], capture_output=True)
    return found.returncode == 0


def team_repo(tmp_path: Path, *, git_init: bool = True) -> Path:
    """A team's repository using an installed inferstack: a Pulumi project in a subfolder, one stack, one commit."""
    repo = tmp_path / "team"
    project = repo / "deploy"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: team\nruntime: python\nstackConfigDir: stacks\n")
    (project / "stacks" / "Pulumi.team.yaml").write_text(shipped_stacks()["local"].read_text())
    if git_init:
        git(repo, "init", "-q")
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "first")
    return project


ROLLING_MAX_SURGE = "spec.strategy.rollingUpdate.maxSurge"
ROLLING_MAX_UNAVAILABLE = "spec.strategy.rollingUpdate.maxUnavailable"
CONTAINERS = "spec.template.spec.containers"
OLD_OFFLINE_PROJECT = "inferstack-offline"  # the project the old offline engine made up for every GCP stack


def in_project(plan: Plan, project: str) -> Plan:
    """`plan` as if its engine had answered with `project`: today's engine asks the stack's explicit provider."""
    moved = [
        replace(res, inputs=json.loads(json.dumps(res.inputs).replace(OLD_OFFLINE_PROJECT, project)))
        for res in plan.resources
    ]
    return replace(plan, resources=moved)


NODE_SELECTOR = "spec.template.spec.nodeSelector"
# Reviewed in-place updates since that commit, by resource type: the paths that may change (never a replacement).
REVIEWED_UPDATES = {
    # Issue 12: on a pool full at replicas.max the engine rolls out by replacing a replica (maxSurge 0,
    # maxUnavailable 1), and its startupProbe follows the one start-up model. Issue 14: the engine's environment.
    # Issue 14: a pool-less (CPU) engine also selects the nodes' architecture.
    "kubernetes:apps/v1:Deployment": {ROLLING_MAX_SURGE, ROLLING_MAX_UNAVAILABLE, CONTAINERS, NODE_SELECTOR},
    # Issue 14: the VPC CNI runs its network policy agent (configurationValues); Kubernetes 1.33 left standard
    # support, so clusters, add-on builds and the autoscaler chart move to 1.35 (the spec's new fields show in the
    # environment component's inputs).
    "aws:eks/addon:Addon": {"configurationValues", "addonVersion"},
    "aws:eks/cluster:Cluster": {"version"},
    "gcp:container/cluster:Cluster": {"minMasterVersion"},
    # Issue 18: KEDA's operator metrics are scraped (values.prometheus); its ScaledObjects hold a fallback.
    "kubernetes:helm.sh/v3:Release": {"version", "values.image.tag", "values.prometheus"},
    "kubernetes:keda.sh/v1alpha1:ScaledObject": {"spec.fallback"},
    "inferstack:index:LlmEnvironment": {
        "spec.cluster.kubernetes_version",
        "spec.cluster.upgrade_policy",
        "spec.cluster.architecture",
        # Issue 13.8: the acknowledgement field, recorded with the rest of the spec.
        "spec.model_store.unprotected_in_production",
        # Issue 18: the monitoring section.
        "spec.monitoring",
    },
    "inferstack:index:InferenceService": {"spec.monitoring"},
}
# Issue 18: dashboards, alert rules and smoke tests are new resources (reviewed additions, nothing replaced).
REVIEWED_ADDS = {
    "inferstack:index:Monitoring",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    "kubernetes:batch/v1:Job",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
}


@pytest.mark.parametrize("stack", ["aws-dev", "gcp-dev"])
def test_the_commit_before_the_rename_plans_the_same_resources(monkeypatch: pytest.MonkeyPatch, stack: str) -> None:
    # The package rename and the product-prefixed component names must not replace or lose anything: every
    # difference against the old code is a rename carried by an alias, with no input changed.
    if not has_commit(REPO, BEFORE_THE_RENAME):
        pytest.skip(f"{BEFORE_THE_RENAME} is not in this clone (shallow?)")
    monkeypatch.chdir(REPO)
    before = worktrees(REPO)
    project = open_project(REPO)
    old = plan_at_revision(stack, BEFORE_THE_RENAME, project)
    gcp_project = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))["config"].get("gcp:project")
    if gcp_project:
        old = in_project(old, gcp_project)
    changes = diff_plans(old, shipped_plan(stack))
    added = [c for c in changes if c.kind == "add" and c.identity.type in REVIEWED_ADDS]
    assert len(old.resources) + 1 + len(added) == len(shipped_plan(stack).resources), "one provider is added"
    assert changes, "the component renames show up as alias renames"
    for change in changes:
        if change.identity.type.startswith("pulumi:providers:") and change.kind == "add":
            # Reviewed change (issue 12): every cloud resource uses an explicit provider set to the spec's region.
            assert change.identity.type == f"pulumi:providers:{stack.split('-')[0]}", change
            continue
        if change in added:
            continue
        reviewed = REVIEWED_UPDATES.get(change.identity.type, set())
        if change.paths and set(change.paths) <= reviewed:
            # In place: a component's inputs never replace anything, so "replacement unknown" is an update too.
            assert change.kind.startswith("update"), change
            continue
        assert change.kind == "update" and change.renamed_from is not None and not change.paths, change
    assert worktrees(REPO) == before, "the temporary worktree is removed"


def test_the_cli_diff_against_an_old_revision_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    if not has_commit(REPO, BEFORE_THE_RENAME):
        pytest.skip(f"{BEFORE_THE_RENAME} is not in this clone (shallow?)")
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["diff", "local", "--base", BEFORE_THE_RENAME])
    assert result.exit_code == 0, result.output
    # The changes since: the engine's startupProbe (issue 12: one start-up model) and its environment (issue 14),
    # in place; the spec's new fields in the environment component's inputs (issues 13.8 and 14); issue 18's
    # ScaledObject fallback and KEDA metrics in place, and 5 additions (monitoring, dashboard, rule, smoke test).
    assert "Changes: 9" in result.output and "kubernetes:apps/v" in result.output, result.output
    assert "replace" not in result.output.replace("replacement", ""), result.output


def test_a_team_repo_is_planned_at_the_revision_with_its_old_stack_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = team_repo(tmp_path)
    stack_file = project / "stacks" / "Pulumi.team.yaml"
    stack_file.write_text(stack_file.read_text().replace("max_model_len: 4096", "max_model_len: 2048"))
    monkeypatch.chdir(tmp_path)  # outside the project: --project names it
    result = runner.invoke(app, ["--project", str(project), "diff", "team", "--base", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "update" in result.output and "Deployment" in result.output
    assert worktrees(project) == []


FAKE_CLI = '''
import json, sys
from pathlib import Path


def main():
    """Writes a one-resource plan, so a test can tell this revision's code planned the old side."""
    args = sys.argv[1:]
    assert args[0] == "plan" and Path("Pulumi.yaml").is_file(), args
    resource = {"urn": "urn:pulumi:team::inferstack::old:index:Marker::marker", "type": "old:index:Marker",
                "name": "marker", "parent": None, "custom": True, "id": "m-1", "inputs": {}}
    plan = {"project": "inferstack", "stack": args[1], "resources": [resource], "outputs": {}}
    Path(args[args.index("--json") + 1]).write_text(json.dumps(plan))
'''


def test_an_inferstack_source_tree_plans_with_its_own_entry_point(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = team_repo(tmp_path, git_init=False)
    repo = project.parent
    (repo / "oldinferstack").mkdir()
    (repo / "oldinferstack" / "__init__.py").write_text("")
    (repo / "oldinferstack" / "cli.py").write_text(FAKE_CLI)
    (repo / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "inferstack"
            version = "0.0.1"
            [project.scripts]
            inferstack = "oldinferstack.cli:main"
            [tool.setuptools]
            packages = ["oldinferstack"]
            """
        )
    )
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "old code")
    monkeypatch.chdir(project / "stacks")  # the project is found upwards from here
    result = runner.invoke(app, ["diff", "team", "--base", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "marker" in result.output and "remove" in result.output, result.output
    assert worktrees(repo) == []


def test_a_project_outside_git_is_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    project = team_repo(tmp_path, git_init=False)
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["diff", "team", "--base", "HEAD"])
    assert result.exit_code == EXIT_INVALID
    assert "not inside a git repository" in result.output and "Traceback" not in result.output


def test_an_unknown_revision_is_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    project = team_repo(tmp_path)
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["diff", "team", "--base", "no-such-branch"])
    assert result.exit_code == EXIT_INVALID
    assert "unknown revision 'no-such-branch'" in result.output
    assert worktrees(project) == []


def test_a_revision_that_cannot_be_planned_is_exit_2_and_leaves_no_worktree(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = team_repo(tmp_path)
    stack_file = project / "stacks" / "Pulumi.team.yaml"
    good = stack_file.read_text()
    stack_file.write_text(good.replace("engine: vllm-cpu", "engine: no-such-engine"))
    git(project, "commit", "-qam", "broken")
    stack_file.write_text(good)
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["diff", "team", "--base", "HEAD"])
    assert result.exit_code == EXIT_INVALID
    assert "could not plan team at HEAD" in result.output and "engine" in result.output
    assert worktrees(project) == []
