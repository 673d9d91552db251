"""Deploy decisions: what would run, in which order, with which options, and what stops it on this machine."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from inferstack.infra import deploy
from inferstack.infra.cli.app import app
from inferstack.infra.cli.common import EXIT_ENVIRONMENT, EXIT_INVALID
from inferstack.infra.deploy import (
    POLICY_PACK_DIR,
    DeployRefused,
    Machine,
    Step,
    deploy_steps,
    destroy_steps,
    preflight_problems,
)
from inferstack.validation import load_stack_file
from tests.conftest import REPO, shipped_stacks

HOME = Path.home()
READY_AWS = Machine(
    cli_path="/usr/local/bin/pulumi",
    cli_version="v3.190.0",
    logged_in_as="ci-bot",
    env={"AWS_PROFILE": "ml-platform"},
)


def spec(stack: str):
    return load_stack_file(shipped_stacks()[stack])


def test_ready_machine_has_no_problems() -> None:
    assert preflight_problems(spec("aws-dev"), READY_AWS) == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"cli_path": None}, "Pulumi CLI is not installed"),
        ({"cli_version": "v3.0.1"}, "too old (v3.0.1)"),
        ({"cli_version": "garbage"}, "too old"),
        ({"logged_in_as": None}, "pulumi login"),
        ({"env": {}}, "no AWS credentials"),
    ],
)
def test_each_missing_precondition_is_named_with_its_fix(change: dict[str, Any], fragment: str) -> None:
    machine = Machine(**{**READY_AWS.__dict__, **change})
    problems = preflight_problems(spec("aws-dev"), machine)
    assert len(problems) == 1 and fragment in problems[0]


def test_aws_credential_files_count() -> None:
    machine = Machine(**{**READY_AWS.__dict__, "env": {}, "existing_files": frozenset({str(HOME / ".aws/config")})})
    assert preflight_problems(spec("aws-dev"), machine) == []


def test_gcp_needs_application_default_credentials() -> None:
    machine = Machine(**{**READY_AWS.__dict__, "env": {}})
    assert any("GCP credentials" in p for p in preflight_problems(spec("gcp-dev"), machine))
    machine = Machine(**{**READY_AWS.__dict__, "env": {"GOOGLE_APPLICATION_CREDENTIALS": "/k.json"}})
    assert preflight_problems(spec("gcp-dev"), machine) == []


def test_kubernetes_needs_the_named_context() -> None:
    machine = Machine(**{**READY_AWS.__dict__, "env": {}})
    assert any("kind-inferstack" in p for p in preflight_problems(spec("local"), machine))
    machine = Machine(**{**machine.__dict__, "kube_contexts": frozenset({"kind-inferstack"})})
    assert preflight_problems(spec("local"), machine) == []


def test_deploy_is_a_policy_checked_preview_then_a_confirmed_up() -> None:
    steps = deploy_steps("aws-dev", preview_only=False, yes=False, policy_config=Path("policy.json"))
    assert [s.action for s in steps] == ["preview", "up"]
    assert all(s.policy_packs == (str(POLICY_PACK_DIR),) and s.policy_pack_configs == ("policy.json",) for s in steps)
    # The pack ships inside the package: found where inferstack is installed, whatever the project is.
    assert (POLICY_PACK_DIR / "PulumiPolicy.yaml").is_file() and (POLICY_PACK_DIR / "__main__.py").is_file()
    assert [s.needs_confirmation for s in steps] == [False, True]


def test_preview_only_and_yes() -> None:
    assert [s.action for s in deploy_steps("aws-dev", preview_only=True, yes=False)] == ["preview"]
    assert not any(s.needs_confirmation for s in deploy_steps("aws-dev", preview_only=False, yes=True))


def test_destroy_refuses_protected_data_and_unforced_production() -> None:
    with pytest.raises(DeployRefused, match="protects its data"):
        destroy_steps("aws-prod", spec("aws-prod"), force=True, yes=True)
    unprotected = spec("aws-prod").model_copy(
        update={"model_store": spec("aws-prod").model_store.model_copy(update={"protect": False})}
    )
    with pytest.raises(DeployRefused, match="add --force"):
        destroy_steps("aws-prod", unprotected, force=False, yes=True)
    assert destroy_steps("aws-prod", unprotected, force=True, yes=True) == [Step("destroy", "aws-prod")]
    assert destroy_steps("aws-dev", spec("aws-dev"), force=False, yes=False)[0].needs_confirmation


def test_cli_deploy_without_pulumi_exits_4_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    result = CliRunner().invoke(app, ["deploy", "aws-dev", "--yes"])
    assert result.exit_code == EXIT_ENVIRONMENT
    assert "Pulumi CLI is not installed" in result.output
    assert "Traceback" not in result.output


def test_cli_deploy_runs_the_decided_steps_when_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[Step] = []
    work_dirs: list[Path] = []

    def run_steps(steps: list[Step], *, work_dir: Path, **_: Any) -> None:
        ran.extend(steps)
        work_dirs.append(work_dir)

    monkeypatch.setattr(deploy, "observe_machine", lambda _spec: READY_AWS)
    monkeypatch.setattr(deploy, "run_steps", run_steps)
    result = CliRunner().invoke(app, ["deploy", "aws-dev", "--yes"])
    assert result.exit_code == 0, result.output
    assert ran == deploy_steps("aws-dev", preview_only=False, yes=True)
    # Pulumi runs in the project the stack was found in, not where the package is installed.
    assert work_dirs == [REPO]


def test_cli_deploy_of_a_stack_file_another_project_would_not_read_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    copy = tmp_path / "Pulumi.aws-dev.yaml"
    copy.write_text(shipped_stacks()["aws-dev"].read_text().replace("env: dev", "env: copied"))
    monkeypatch.setattr(deploy, "observe_machine", lambda _spec: READY_AWS)
    monkeypatch.setattr(deploy, "run_steps", lambda *_, **__: pytest.fail("must not deploy"))
    result = CliRunner().invoke(app, ["--project", str(REPO), "deploy", str(copy), "--yes"])
    assert result.exit_code == EXIT_INVALID
    assert "Pulumi would read stack aws-dev from" in result.output


def test_cli_deploy_of_a_stack_file_outside_any_project_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stack_file = tmp_path / "Pulumi.aws-dev.yaml"
    stack_file.write_text(shipped_stacks()["aws-dev"].read_text())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(deploy, "observe_machine", lambda _spec: READY_AWS)
    result = CliRunner().invoke(app, ["deploy", str(stack_file), "--yes"])
    assert result.exit_code == EXIT_INVALID
    assert "no Pulumi.yaml found" in result.output and "--project" in result.output


def test_cli_deploy_without_terminal_needs_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deploy, "observe_machine", lambda _spec: READY_AWS)
    result = CliRunner().invoke(app, ["deploy", "aws-dev"])
    assert result.exit_code == EXIT_ENVIRONMENT
    assert "--yes" in result.output


def test_cli_destroy_protected_is_refused() -> None:
    result = CliRunner().invoke(app, ["destroy", "aws-prod", "--force", "--yes"])
    assert result.exit_code == EXIT_ENVIRONMENT
    assert "protects its data" in result.output


def never(host: str, port: int) -> bool:
    raise AssertionError(f"probed {host}:{port}")


@pytest.mark.parametrize(
    ("stack", "endpoint", "address"),
    [
        (
            "aws-prod",
            "https://abcd1234.gr7.us-east-1.eks.amazonaws.com",
            ("abcd1234.gr7.us-east-1.eks.amazonaws.com", 443),
        ),
        ("gcp-prod", "10.70.0.2", ("10.70.0.2", 443)),
    ],
)
def test_a_private_endpoint_out_of_reach_stops_the_deploy_with_the_way_in(
    stack: str, endpoint: str, address: tuple[str, int]
) -> None:
    probed: list[tuple[str, int]] = []

    def unreachable(host: str, port: int) -> bool:
        probed.append((host, port))
        return False

    (problem,) = deploy.endpoint_problems(stack, spec(stack), endpoint, unreachable)
    assert probed == [address]
    assert f"{address[0]}:443" in problem and "self-hosted" in problem and "docs/private-endpoints.md" in problem
    assert deploy.endpoint_problems(stack, spec(stack), endpoint, lambda *_: True) == []


def test_public_endpoints_and_new_stacks_are_not_probed() -> None:
    # A stack with api_access keeps a public endpoint; a first deploy has no endpoint yet, only a note.
    assert deploy.endpoint_problems("aws-dev", spec("aws-dev"), "https://x.eks.amazonaws.com", never) == []
    assert deploy.endpoint_problems("gcp-prod", spec("gcp-prod"), None, never) == []
    (note,) = deploy.endpoint_notes("gcp-prod", spec("gcp-prod"), None)
    assert "private" in note and "inside the VPC" in note
    assert deploy.endpoint_notes("gcp-prod", spec("gcp-prod"), "10.70.0.2") == []
    assert deploy.endpoint_notes("gcp-dev", spec("gcp-dev"), None) == []


def test_cli_deploy_of_an_unreachable_private_stack_exits_4(monkeypatch: pytest.MonkeyPatch) -> None:
    ready = Machine(**{**READY_AWS.__dict__, "env": {"GOOGLE_APPLICATION_CREDENTIALS": "/k.json"}})
    monkeypatch.setattr(deploy, "observe_machine", lambda _spec: ready)
    monkeypatch.setattr(deploy, "observe_endpoint", lambda stack, work_dir: "10.70.0.2")
    monkeypatch.setattr(deploy, "tcp_reachable", lambda host, port: False)
    monkeypatch.setattr(deploy, "run_steps", lambda *_, **__: pytest.fail("must not deploy"))
    result = CliRunner().invoke(app, ["deploy", "gcp-prod", "--yes"])
    assert result.exit_code == EXIT_ENVIRONMENT, result.output
    assert "10.70.0.2:443" in result.output and "Traceback" not in result.output


def test_destroying_a_gcp_stack_says_how_to_deploy_it_again() -> None:
    (note,) = deploy.after_destroy_notes(spec("gcp-dev"))
    assert "key ring gcp-dev " in note and "cluster.key_ring_generation: 2" in note
    assert deploy.after_destroy_notes(spec("aws-dev")) == []
