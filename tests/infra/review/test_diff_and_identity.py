"""Safe changes: the diff classifies each change, and a rename without an alias is caught before a deploy."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from inferstack.infra.offline import mock_table
from inferstack.infra.offline.mock_types import TypeMock, prefixed_id
from inferstack.infra.offline.plan import Plan, PlannedResource, ResourceOptions
from inferstack.infra.review.diff import Change, changed_paths, diff_plans, replace_triggers
from inferstack.infra.review.identity import Identity, identities, lost_identities
from tests.conftest import OfflineRunner


def res(type_: str, name: str, inputs: dict, aliases: tuple = ()) -> PlannedResource:
    return PlannedResource(
        f"urn:pulumi:s::inferstack::{type_}::{name}", type_, name, None, True, name, inputs, None, aliases
    )


VPC = "aws:ec2/vpc:Vpc"
OLD = Plan(
    "inferstack",
    "s",
    [
        res(VPC, "dev-vpc", {"cidrBlock": "10.0.0.0/16", "tags": {"env": "dev"}}),
        res("aws:s3/bucket:Bucket", "dev-weights", {"bucket": "dev-weights"}),
        res("aws:kms/key:Key", "dev-key", {"description": "old"}),
        res("inferstack:index:Thing", "dev-thing", {"a": 1}),
    ],
    {},
)


def test_no_change_is_empty() -> None:
    assert diff_plans(OLD, OLD) == []


def test_each_kind_of_change() -> None:
    new = Plan(
        "inferstack",
        "s",
        [
            res(VPC, "dev-vpc", {"cidrBlock": "10.1.0.0/16", "tags": {"env": "dev"}}),  # forces replacement
            res("aws:kms/key:Key", "dev-key", {"description": "new"}),  # in place
            res("inferstack:index:Thing", "dev-thing", {"a": 2}),  # not in the table
            res("aws:s3/bucket:Bucket", "dev-models", {"bucket": "dev-weights"}),  # renamed without alias
        ],
        {},
    )
    kinds = {(c.kind, c.identity.name, c.paths) for c in diff_plans(OLD, new)}
    assert kinds == {
        ("replace", "dev-vpc", ("cidrBlock",)),
        ("update", "dev-key", ("description",)),
        ("update (replacement unknown)", "dev-thing", ("a",)),
        ("add", "dev-models", ()),
        ("remove", "dev-weights", ()),
    }


def test_ignored_changes_are_not_changes_and_the_rest_still_count() -> None:
    # Pulumi keeps the old value of a property in ignoreChanges; the GKE cluster's new nodeConfig (ForceNew) is one.
    cluster = "gcp:container/cluster:Cluster"
    old = Plan("inferstack", "s", [res(cluster, "c", {"name": "c", "monitoringConfig": {"a": 1}})], {})
    grown = {"name": "c", "monitoringConfig": {"a": 2}, "nodeConfig": {"serviceAccount": "n@p"}}
    plain = Plan("inferstack", "s", [res(cluster, "c", grown)], {})
    assert [(c.kind, c.paths) for c in diff_plans(old, plain)] == [("replace", ("monitoringConfig.a", "nodeConfig"))]
    ignoring = replace(plain.resources[0], options=ResourceOptions(ignore_changes=("nodeConfig",)))
    changes = diff_plans(old, Plan("inferstack", "s", [ignoring], {}))
    assert [(c.kind, c.paths) for c in changes] == [("update", ("monitoringConfig.a",))]


def test_a_rename_with_an_alias_is_kept() -> None:
    renamed = res("aws:s3/bucket:Bucket", "dev-models", {"bucket": "dev-weights"}, aliases=({"name": "dev-weights"},))
    new = Plan("inferstack", "s", [*[r for r in OLD.resources if r.name != "dev-weights"], renamed], {})
    (change,) = diff_plans(OLD, new)
    assert change == Change("update", Identity("aws:s3/bucket:Bucket", "dev-models", None), (), change.renamed_from)
    assert change.renamed_from is not None and change.renamed_from.name == "dev-weights"


def test_changed_paths_are_dotted_and_complete() -> None:
    assert changed_paths({"a": {"b": 1, "c": [1]}}, {"a": {"b": 2, "c": [1], "d": 3}}) == ["a.b", "a.d"]


def test_replace_table_covers_stateful_types() -> None:
    table = replace_triggers()
    for type_ in ("aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:eks/cluster:Cluster", "gcp:storage/bucket:Bucket"):
        assert type_ in table


# A deliberate rename in a fixture program: the identity check must name the resource it would destroy.
class Store(pulumi.ComponentResource):
    def __init__(self, name: str, child: str, alias: str | None = None) -> None:
        super().__init__("inferstack:index:Store", name, None, None)
        aliases = [pulumi.Alias(name=alias)] if alias else None
        aws.kms.Key(f"{name}-{child}", opts=pulumi.ResourceOptions(parent=self, aliases=aliases))
        self.register_outputs({})


@pytest.fixture(autouse=True)
def _kms_mock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(mock_table.RESOURCE_TABLE, "aws:kms/key:Key", TypeMock(prefixed_id("key")))


def test_identity_check_catches_a_rename_without_alias(offline: OfflineRunner) -> None:
    recorded = identities(offline(lambda: Store("dev", "key") and None))
    renamed = offline(lambda: Store("dev", "cmk") and None)
    assert lost_identities(recorded, renamed) == [Identity("aws:kms/key:Key", "dev-key", "inferstack:index:Store")]
    aliased = offline(lambda: Store("dev", "cmk", alias="dev-key") and None)
    assert lost_identities(recorded, aliased) == []


class Vault(pulumi.ComponentResource):
    """A component whose class (type token) is renamed: the engine carries its alias down to its children."""

    def __init__(self, token: str, former: str | None = None) -> None:
        aliases = [pulumi.Alias(type_=former)] if former else None
        super().__init__(token, "dev-vault", None, pulumi.ResourceOptions(aliases=aliases))
        inner = pulumi.ComponentResource(
            "inferstack:index:Inner", "dev-vault-inner", None, pulumi.ResourceOptions(parent=self)
        )
        aws.kms.Key("dev-vault-key", opts=pulumi.ResourceOptions(parent=self))
        aws.kms.Key("dev-vault-inner-key", opts=pulumi.ResourceOptions(parent=inner))
        self.register_outputs({})


def test_a_renamed_component_keeps_its_children_only_through_its_alias(offline: OfflineRunner) -> None:
    before = offline(lambda: Vault("inferstack:index:Vault") and None)
    recorded = identities(before)
    unaliased = offline(lambda: Vault("inferstack:index:KmsVault") and None)
    assert lost_identities(recorded, unaliased) == [
        Identity("aws:kms/key:Key", "dev-vault-key", "inferstack:index:Vault"),
        Identity("inferstack:index:Inner", "dev-vault-inner", "inferstack:index:Vault"),
        Identity("inferstack:index:Vault", "dev-vault", None),
    ]
    aliased = offline(lambda: Vault("inferstack:index:KmsVault", former="inferstack:index:Vault") and None)
    assert lost_identities(recorded, aliased) == []
    # Renamed resources keep their state, so their (mock) ids, and every input pointing at them, stay put.
    assert {r.name: r.id for r in aliased.resources} == {r.name: r.id for r in before.resources}
    assert {r.name: r.id for r in unaliased.resources} != {r.name: r.id for r in before.resources}
    changes = diff_plans(before, aliased)
    assert {change.kind for change in changes} == {"update"}
    assert {change.renamed_from for change in changes} == {
        Identity("inferstack:index:Vault", "dev-vault", None),
        Identity("aws:kms/key:Key", "dev-vault-key", "inferstack:index:Vault"),
        Identity("inferstack:index:Inner", "dev-vault-inner", "inferstack:index:Vault"),
    }


def test_identity_lines_round_trip() -> None:
    for item in identities(OLD):
        assert Identity.parse(item.line()) == item


def test_the_replace_table_loads_outside_the_source_checkout(tmp_path: Path) -> None:
    # Under pytest the checkout is on sys.path, which hid a lookup through the folder name `infra`.
    code = "from inferstack.infra.review.diff import replace_triggers; print(len(replace_triggers()))"
    done = subprocess.run([sys.executable, "-P", "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
