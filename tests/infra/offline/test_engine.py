"""The offline engine: strict about what it does not know, faithful about what it records."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from inferstack.infra.offline import mock_table
from inferstack.infra.offline.engine import OfflineEngineError
from inferstack.infra.offline.mock_types import TypeMock, prefixed_id
from inferstack.infra.offline.plan import SECRET, Plan
from tests.conftest import OfflineRunner


class Holder(pulumi.ComponentResource):
    """A component with two children, so parents and ids can be checked."""

    def __init__(self, name: str) -> None:
        super().__init__("inferstack:index:Holder", name, None, None)
        child = pulumi.ResourceOptions(parent=self)
        self.log = aws.cloudwatch.LogGroup(f"{name}-logs", retention_in_days=30, opts=child)
        self.key = aws.kms.Key(f"{name}-key", enable_key_rotation=True, opts=child)
        self.register_outputs({})


@pytest.fixture(autouse=True)
def _test_types(monkeypatch: pytest.MonkeyPatch) -> None:
    table = dict(mock_table.RESOURCE_TABLE)
    table["aws:cloudwatch/logGroup:LogGroup"] = TypeMock(lambda r: str(r.inputs.get("name", r.name)))
    table["aws:kms/key:Key"] = TypeMock(prefixed_id("key", 32), lambda r: {"arn": f"arn:aws:kms:::key/{r.name}"})
    monkeypatch.setattr(mock_table, "RESOURCE_TABLE", table)


def holder_program() -> dict[str, object]:
    holder = Holder("dev")
    return {"key": holder.key.arn, "token": pulumi.Output.secret("hunter2")}


def test_records_parents_types_and_camel_case_inputs(offline: OfflineRunner) -> None:
    plan = offline(holder_program)
    (component,) = plan.of_type("inferstack:index:Holder")
    (log,) = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    (key,) = plan.of_type("aws:kms/key:Key")
    assert component.parent is None and not component.custom and component.id is None
    assert log.parent == component.urn and key.parent == component.urn
    assert log.inputs["retentionInDays"] == 30
    assert key.inputs["enableKeyRotation"] is True
    assert key.id is not None and key.id.startswith("key-")


def test_outputs_resolve_and_secrets_are_masked(offline: OfflineRunner) -> None:
    plan = offline(holder_program)
    assert plan.outputs == {"key": "arn:aws:kms:::key/dev-key", "token": SECRET}
    assert "hunter2" not in plan.to_json()


def test_secret_inputs_are_masked(offline: OfflineRunner) -> None:
    def program() -> None:
        aws.ssm.Parameter("p", type="SecureString", value=pulumi.Output.secret("s3cr3t-value"))

    mock_table.RESOURCE_TABLE["aws:ssm/parameter:Parameter"] = TypeMock(lambda r: r.name)
    plan = offline(program)
    (parameter,) = plan.resources
    assert parameter.inputs["value"] == SECRET
    assert "s3cr3t-value" not in plan.to_json()


def test_ids_are_stable_across_runs_and_unique(offline: OfflineRunner) -> None:
    first, second = offline(holder_program), offline(holder_program)
    assert first.to_json() == second.to_json()
    ids = [resource.id for resource in first.resources if resource.custom]
    assert len(ids) == len(set(ids))


def test_json_has_the_documented_shape(offline: OfflineRunner) -> None:
    data = json.loads(offline(holder_program).to_json())
    assert set(data) == {"project", "stack", "resources", "outputs"}
    assert data["project"] == "inferstack"
    for resource in data["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "custom", "id", "inputs"}
    assert Plan.from_dict(data).to_dict() == data


def test_unknown_resource_type_names_the_token(offline: OfflineRunner) -> None:
    def program() -> None:
        # A type no component uses, so the test stays valid as the mock table grows.
        aws.lightsail.Instance("orphan", availability_zone="us-east-1a", blueprint_id="x", bundle_id="y")

    with pytest.raises(OfflineEngineError, match=r"no mock for resource type 'aws:lightsail/instance:Instance'"):
        offline(program)


def test_unknown_invoke_names_the_token(offline: OfflineRunner) -> None:
    def program() -> None:
        aws.get_availability_zones()

    with pytest.raises(OfflineEngineError, match=r"no mock for invoke 'aws:index/getAvailabilityZones"):
        offline(program)


def test_duplicate_urn_is_refused(offline: OfflineRunner) -> None:
    def program() -> None:
        aws.kms.Key("twice")
        aws.kms.Key("twice")

    with pytest.raises(OfflineEngineError, match=r"duplicate URN .*::twice"):
        offline(program)


def test_many_concurrent_registrations_are_all_recorded(offline: OfflineRunner) -> None:
    def program() -> None:
        for index in range(60):
            aws.kms.Key(f"key-{index}")

    plan = offline(program)
    assert len(plan.of_type("aws:kms/key:Key")) == 60


def test_known_invokes_answer(offline: OfflineRunner) -> None:
    def program() -> dict[str, object]:
        identity = aws.get_caller_identity_output()
        return {"account": identity.account_id}

    assert offline(program).outputs["account"] == mock_table.MOCK_ACCOUNT


def test_resource_options_are_recorded_in_memory_not_in_the_json(offline: OfflineRunner) -> None:
    def program() -> None:
        first = aws.kms.Key("first")
        log = aws.cloudwatch.LogGroup("logs", kms_key_id=first.arn)
        aws.kms.Key(
            "second",
            description=log.id,
            opts=pulumi.ResourceOptions(
                depends_on=[first],
                delete_before_replace=True,
                ignore_changes=["description"],
                replace_on_changes=["customerMasterKeySpec"],
                additional_secret_outputs=["arn"],
                custom_timeouts=pulumi.CustomTimeouts(create="30m", delete="1h"),
                retain_on_delete=True,
                version="7.1.0",
                plugin_download_url="https://example.invalid/plugins",
            ),
        )

    plan = offline(program)
    by_name = {resource.name: resource for resource in plan.resources}
    first, log, second = by_name["first"], by_name["logs"], by_name["second"]
    options = second.options
    # The explicit depends_on and the dependency implied by an Output input are both recorded.
    assert set(options.dependencies) == {first.urn, log.urn}
    assert options.property_dependencies["description"] == (log.urn,)
    assert log.options.dependencies == (first.urn,)
    assert options.delete_before_replace is True and first.options.delete_before_replace is None
    assert options.ignore_changes == ("description",)
    assert options.replace_on_changes == ("customerMasterKeySpec",)
    assert options.additional_secret_outputs == ("arn",)
    assert options.custom_timeouts == {"create": "30m", "delete": "1h"}
    assert options.retain_on_delete is True and first.options.retain_on_delete is False
    assert options.version == "7.1.0" and options.plugin_download_url == "https://example.invalid/plugins"
    # The JSON contract is unchanged: the options never appear in it.
    for resource in json.loads(plan.to_json())["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "custom", "id", "inputs"}
    assert "30m" not in plan.to_json()
