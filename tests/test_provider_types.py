"""Every token in the provider type table is the one its SDK class registers, and the tables that name types
elsewhere (the replace-trigger YAML, the mocks, the cost model, the policy rules) name only tokens of it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from inferstack.infra.offline.engine import run_offline
from inferstack.infra.offline.mock_table import RESOURCE_TABLE
from inferstack.planning.cost import PRICERS
from inferstack.policies.props import POD_SPEC_PATHS
from inferstack.provider_types import ALL_TYPES, CUSTOM_RESOURCES, K8s

REPO = Path(__file__).resolve().parent.parent
SDK_PACKAGES = {"aws": "pulumi_aws", "gcp": "pulumi_gcp", "kubernetes": "pulumi_kubernetes"}
TOKEN = re.compile(r"^(?P<provider>[a-z]+):(?P<module>[^:]+):(?P<name>[A-Za-z0-9]+)$")


def sdk_class(token: str) -> type:
    """The SDK class a token belongs to, found the way Pulumi's code generator lays packages out.

    `aws:ec2/vpc:Vpc` is pulumi_aws.ec2.Vpc; `kubernetes:networking.k8s.io/v1:NetworkPolicy` is
    pulumi_kubernetes.networking.v1.NetworkPolicy; `pulumi:providers:aws` is pulumi_aws.Provider.
    """
    match = TOKEN.match(token)
    assert match, f"not a type token: {token}"
    provider, module, name = match.group("provider", "module", "name")
    if provider == "pulumi" and module == "providers":
        return importlib.import_module(SDK_PACKAGES[name]).Provider
    if provider == "kubernetes":
        group, version = module.split("/")
        path = f"pulumi_kubernetes.{group.split('.')[0]}.{version}"
    else:
        path = f"{SDK_PACKAGES[provider]}.{module.split('/')[0]}"
    return getattr(importlib.import_module(path), name)


@pytest.mark.parametrize("token", sorted(ALL_TYPES - CUSTOM_RESOURCES))
def test_each_token_is_its_sdk_class_token(token: str) -> None:
    assert pulumi.get_type_token(sdk_class(token)) == token


def test_custom_resource_tokens_are_what_the_sdk_registers() -> None:
    def program() -> None:
        for token in sorted(CUSTOM_RESOURCES):
            api_version, kind = token.removeprefix("kubernetes:").rsplit(":", 1)
            k8s.apiextensions.CustomResource(kind.lower(), api_version=api_version, kind=kind)

    plan = run_offline(program, stack="test")
    assert {resource.type for resource in plan.resources} == set(CUSTOM_RESOURCES)


def test_a_typo_is_caught() -> None:
    with pytest.raises(AttributeError):
        sdk_class("aws:ec2/vpc:Vcp")
    assert pulumi.get_type_token(sdk_class("aws:ec2/vcp:Vpc")) != "aws:ec2/vcp:Vpc"


def test_replace_triggers_name_only_known_types() -> None:
    table = yaml.safe_load((REPO / "infra" / "review" / "replace_triggers.yaml").read_text(encoding="utf-8"))
    assert set(table["types"]) - ALL_TYPES == set()


@pytest.mark.parametrize(
    ("table", "types"),
    [("mocks", set(RESOURCE_TABLE)), ("cost", set(PRICERS)), ("pod specs", set(POD_SPEC_PATHS))],
)
def test_other_tables_name_only_known_types(table: str, types: set[str]) -> None:
    assert types - ALL_TYPES == set(), table


def test_every_workload_kind_has_a_token() -> None:
    from inferstack.k8s.objects import CUSTOM, TYPED

    # What k8s/objects.py registers must be in the table, or the mocks and rules cannot name it.
    registered = {f"kubernetes:{'core/v1' if v == 'v1' else v}:{kind}" for v, kind in {*TYPED, *CUSTOM}}
    assert registered <= set(K8s)
