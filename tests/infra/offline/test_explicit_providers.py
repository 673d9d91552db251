"""Every resource and invoke uses an explicit provider set from the spec; the default provider is never used.

`pulumi up` would configure a default provider from ambient settings (`aws:region`, AWS_REGION, GOOGLE_PROJECT),
so a stack could plan one region and deploy to another. The environment creates its own provider (or uses the
caller's), the offline engine refuses anything that would fall back to a default one, and every shipped stack
sets `pulumi:disable-default-providers` so the real engine refuses it too.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest
import yaml

from inferstack.environment import LlmEnvironment
from inferstack.infra.offline.engine import OfflineEngineError, is_provider, run_offline
from inferstack.validation import load_stack_file
from tests.conftest import shipped_plan, shipped_stacks

CLOUD_PACKAGE = {"aws": "aws", "gcp": "gcp", "kubernetes": "kubernetes"}


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_every_resource_of_a_shipped_stack_uses_a_provider_in_its_plan(stack: str) -> None:
    plan = shipped_plan(stack)
    providers = {res.urn: res for res in plan.resources if is_provider(res.type)}
    for res in plan.resources:
        if res.custom and not is_provider(res.type):
            assert res.provider, f"{res.urn} uses the default provider"
            urn = res.provider.rsplit("::", 1)[0]
            assert urn in providers, f"{res.urn} uses {urn}, which is not in the plan"
            assert providers[urn].type == f"pulumi:providers:{res.type.split(':', 1)[0]}", res.urn


@pytest.mark.parametrize("stack", sorted(name for name in shipped_stacks() if name.startswith(("aws", "gcp"))))
def test_the_cloud_provider_is_set_to_the_spec_region_and_the_stack_project(stack: str) -> None:
    spec = load_stack_file(shipped_stacks()[stack])
    config = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))["config"]
    providers = [res for res in shipped_plan(stack).resources if res.type == f"pulumi:providers:{spec.cloud}"]
    # On GCP a second provider with the same settings enables the project's APIs, which the main one waits for.
    expected = {f"{spec.name}-{spec.cloud}"} | ({f"{spec.name}-gcp-apis"} if spec.cloud == "gcp" else set())
    assert {provider.name for provider in providers} == expected
    for provider in providers:
        assert provider.inputs["region"] == spec.region
        if spec.cloud == "gcp":
            assert provider.inputs["project"] == config["gcp:project"]
    if spec.cloud == "gcp":
        # What the provider answers for its project is what the plan names (not a made-up offline project).
        cluster = next(res for res in shipped_plan(stack).resources if res.type == "gcp:container/cluster:Cluster")
        assert cluster.inputs["workloadIdentityConfig"]["workloadPool"] == f"{config['gcp:project']}.svc.id.goog"


@pytest.mark.parametrize("stack", sorted(shipped_stacks()))
def test_every_shipped_stack_makes_the_real_engine_refuse_default_providers(stack: str) -> None:
    config = yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8"))["config"]
    assert config.get("pulumi:disable-default-providers") == ["*"]


def test_a_resource_on_the_default_provider_is_refused_offline() -> None:
    def program() -> None:
        aws.s3.Bucket("ambient")

    with pytest.raises(OfflineEngineError, match=r"aws:s3/bucket:Bucket 'ambient' uses the default provider"):
        run_offline(program, stack="t", explicit_providers=True)
    # Without the flag (a component used on its own, as in the component tests) the default provider is allowed.
    assert [res.name for res in run_offline(program, stack="t").resources] == ["ambient"]


def test_an_invoke_on_the_default_provider_is_refused_offline() -> None:
    def program() -> dict[str, object]:
        return {"account": aws.get_caller_identity_output().account_id}

    with pytest.raises(
        OfflineEngineError, match=r"invoke aws:index/getCallerIdentity:getCallerIdentity uses the default"
    ):
        run_offline(program, stack="t", explicit_providers=True)


def test_a_callers_provider_is_used_and_no_second_one_is_made() -> None:
    spec = load_stack_file(shipped_stacks()["aws-dev"])

    def program() -> None:
        mine = aws.Provider("mine", region="us-east-1")
        LlmEnvironment(spec.name, spec, pulumi.ResourceOptions(providers=[mine]))

    plan = run_offline(program, stack="aws-dev", explicit_providers=True)
    aws_providers = [res for res in plan.resources if res.type == "pulumi:providers:aws"]
    assert [res.name for res in aws_providers] == ["mine"]
    used = {res.provider.rsplit("::", 1)[0] for res in plan.resources if res.type.startswith("aws:") and res.provider}
    assert used == {aws_providers[0].urn}
