"""The leak scan cannot silently pass: a token planted in a Plan, a manifest or CLI output fails the test."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest
import typer
from typer.testing import CliRunner

from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.plan import Plan
from inferstack.infra.review.manifests import plan_manifests, to_yaml
from tests import leak_scan
from tests.conftest import shipped_plan, shipped_stacks
from tests.spec.test_credentials import SAMPLES

TOKEN = SAMPLES["a Hugging Face token"]


def test_the_scan_is_installed_for_the_whole_suite() -> None:
    assert leak_scan.installed()


def test_a_token_planted_in_a_plan_fails_the_run() -> None:
    def program() -> None:
        k8s.core.v1.Namespace("leak", metadata={"name": "leak", "annotations": {"token": TOKEN}})

    with pytest.raises(leak_scan.CredentialLeak, match=r"Plan JSON of stack 'test' holds 1 .*Hugging Face token"):
        run_offline(program, stack="test")


def test_a_token_planted_in_an_output_fails_the_run() -> None:
    with pytest.raises(leak_scan.CredentialLeak, match="Plan JSON"):
        run_offline(lambda: {"leak": pulumi.Output.from_input(TOKEN)}, stack="test")


def test_a_token_planted_in_a_manifest_fails_the_render() -> None:
    resource = {
        "urn": "urn:pulumi:test::inferstack::kubernetes:core/v1:ConfigMap::leak",
        "type": "kubernetes:core/v1:ConfigMap",
        "name": "leak",
        "parent": None,
        "custom": True,
        "id": "leak",
        "inputs": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "leak"}, "data": {"t": TOKEN}},
    }
    plan = Plan.from_dict({"project": "inferstack", "stack": "test", "resources": [resource], "outputs": {}})
    with pytest.raises(leak_scan.CredentialLeak, match="manifests of stack 'test'"):
        plan_manifests(plan)
    with pytest.raises(leak_scan.CredentialLeak, match="a rendered manifest"):
        to_yaml({"data": {"t": TOKEN}})


def test_a_token_planted_in_cli_output_fails_the_invocation() -> None:
    app = typer.Typer()

    @app.command()
    def leak() -> None:
        typer.echo(f"token: {TOKEN}")

    with pytest.raises(leak_scan.CredentialLeak, match="the CLI output holds 1"):
        CliRunner().invoke(app, [])


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_every_shipped_plan_and_its_manifests_are_clean(stack: str) -> None:
    plan = shipped_plan(stack)  # scanned as it is built
    assert leak_scan.scan(plan.to_json(), stack)
    assert plan_manifests(plan) is not None
