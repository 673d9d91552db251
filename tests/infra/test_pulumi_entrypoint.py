"""`infra/__main__.py`, the file `pulumi up` runs, builds the stack from its config under the offline engine."""

from __future__ import annotations

import json
import runpy

import pulumi
import pytest
import yaml

from inferstack.infra.offline.engine import OfflineEngineError, run_offline
from inferstack.spec import CONFIG_KEY
from tests.conftest import REPO, shipped_stacks

MAIN = REPO / "infra" / "__main__.py"


def stack_config(stack: str) -> dict[str, str]:
    """The stack file's config as the Pulumi engine hands it over: strings, objects as JSON."""
    config = yaml.safe_load(shipped_stacks()[stack].read_text())["config"]
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def run_main() -> None:
    runpy.run_path(str(MAIN), run_name="__main__")


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_entrypoint_builds_the_same_plan_as_the_cli(stack: str) -> None:
    from inferstack.infra.offline.offline_config import offline_secret_config
    from inferstack.infra.program import build
    from inferstack.validation import load_stack_file

    spec = load_stack_file(shipped_stacks()[stack])
    # Stacks that name secret config keys get the offline placeholders, as `inferstack plan` does.
    secrets = offline_secret_config(spec)
    config = {**stack_config(stack), **secrets}
    through_main = run_offline(run_main, stack=stack, config=config, secret_keys=list(secrets))
    through_build = run_offline(lambda: build(spec), stack=stack, config=config, secret_keys=list(secrets))
    assert [r.urn for r in through_main.resources] == [r.urn for r in through_build.resources]
    assert through_main.resources == through_build.resources


def test_invalid_config_fails_with_the_spec_messages_not_a_traceback() -> None:
    config = stack_config("aws-dev")
    document = json.loads(config[CONFIG_KEY])
    document["node_pools"]["l4"]["min"] = 5
    config[CONFIG_KEY] = json.dumps(document)
    with pytest.raises(OfflineEngineError) as caught:
        run_offline(run_main, stack="aws-dev", config=config)
    assert isinstance(caught.value.__cause__, pulumi.RunError)
    assert "environment.node_pools.l4.max: must be ≥ min (got 2 < 5)" in str(caught.value)


def test_pulumi_up_refuses_an_aws_region_other_than_the_specs() -> None:
    config = {**stack_config("aws-dev"), "aws:region": "us-west-2"}
    with pytest.raises(OfflineEngineError) as caught:
        run_offline(run_main, stack="aws-dev", config=config)
    assert (
        "config.aws:region: is 'us-west-2', the environment's region is 'us-east-1': the provider would create "
        "everything in the other region — set aws:region: us-east-1 (or remove it)"
    ) in str(caught.value)


def test_pulumi_up_refuses_cloud_gcp_without_a_project() -> None:
    config = {key: value for key, value in stack_config("gcp-dev").items() if key != "gcp:project"}
    with pytest.raises(OfflineEngineError) as caught:
        run_offline(run_main, stack="gcp-dev", config=config)
    assert "config.gcp:project: is required for cloud: gcp" in str(caught.value)
