"""Credentials in a stack file are refused with their YAML path, and no message ever repeats them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from inferstack.spec import SpecError
from inferstack.validation import load_stack_file, parse_environment
from tests.conftest import shipped_stacks
from tests.spec.test_credentials import SAMPLES

TOKEN = SAMPLES["a Hugging Face token"]
REVOKE = "then revoke it: it is in the file's history"
FREE_TEXT = f"remove it; credentials go in Pulumi secrets named by api_key_secret or hub_token_secret; {REVOKE}"
LOOKS_LIKE = "holds what looks like {} (value not shown); a stack file names secrets, it never holds them"


def stack_data(stack: str) -> dict[str, Any]:
    """A fresh copy of a shipped stack file's data."""
    return copy.deepcopy(yaml.safe_load(shipped_stacks()[stack].read_text(encoding="utf-8")))


def problems(doc: dict[str, Any], config: dict[str, object] | None = None) -> list[str]:
    """Every issue of a document, as printed; none of them may quote the planted credential."""
    with pytest.raises(SpecError) as raised:
        parse_environment(doc, "dev", config)
    assert all(sample not in str(raised.value) for sample in SAMPLES.values())
    return [str(issue) for issue in raised.value.issues]


@pytest.mark.parametrize("field", ["hub_token_secret", "api_key_secret"])
def test_a_credential_in_a_secret_name_field_is_refused(field: str) -> None:
    doc = stack_data("aws-dev")["config"]["inferstack:environment"]
    doc["models"]["chat"][field] = TOKEN
    key = {"hub_token_secret": "hubToken", "api_key_secret": "apiKey"}[field]
    assert problems(doc) == [
        f"environment.models.chat.{field}: {LOOKS_LIKE.format('a Hugging Face token')} — "
        f"run `pulumi config set --secret {key} <value>` and write {field}: {key}; {REVOKE}"
    ]


@pytest.mark.parametrize(
    ("stack", "where", "path"),
    [
        ("aws-dev", ("tags", "team"), "environment.tags.team"),
        ("aws-dev", ("node_pools", "l4", "labels", "owner"), "environment.node_pools.l4.labels.owner"),
        ("aws-dev", ("models", "chat", "served_name"), "environment.models.chat.served_name"),
        ("aws-dev", ("cluster", "admins"), "environment.cluster.admins[0]"),
        ("local", ("cluster", "kubeconfig_context"), "environment.cluster.kubeconfig_context"),
    ],
)
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_credential_in_a_free_text_field_is_refused(stack: str, where: tuple[str, ...], path: str, kind: str) -> None:
    doc = stack_data(stack)["config"]["inferstack:environment"]
    parent = doc
    for part in where[:-1]:
        parent = parent.setdefault(part, {})
    parent[where[-1]] = [SAMPLES[kind]] if where[-1] == "admins" else SAMPLES[kind]
    found = problems(doc)
    assert f"{path}: {LOOKS_LIKE.format(kind)} — {FREE_TEXT}" in found


def test_a_credential_as_a_tag_key_is_reported_without_quoting_the_key() -> None:
    doc = stack_data("aws-dev")["config"]["inferstack:environment"]
    doc["tags"] = {SAMPLES["an AWS access key"]: "x"}
    assert f"environment.tags: a key {LOOKS_LIKE.format('an AWS access key')} — {FREE_TEXT}" in problems(doc)


def test_a_private_key_that_breaks_a_field_pattern_is_not_quoted() -> None:
    doc = stack_data("aws-dev")["config"]["inferstack:environment"]
    doc["models"]["chat"]["hub_token_secret"] = SAMPLES["a private key"]
    assert problems(doc) == [
        f"environment.models.chat.hub_token_secret: {LOOKS_LIKE.format('a private key')} — remove it (Stack config "
        f"key of a Pulumi secret holding the hub token; default: none (public model).); {REVOKE}"
    ]


def test_a_plaintext_value_for_a_named_secret_key_is_refused(tmp_path: Path) -> None:
    data = stack_data("aws-prod")
    data["config"]["inferstack:hubToken"] = "not-shaped-like-a-token-but-plain"
    path = tmp_path / "Pulumi.aws-prod.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_stack_file(path)
    assert [str(issue) for issue in raised.value.issues] == [
        "config.inferstack:hubToken: is a plaintext value (not shown), but environment.models.small.hub_token_secret "
        "names it as a secret — remove the line and run `pulumi config set --secret hubToken <value>` "
        f"(it writes secure: …); {REVOKE}"
    ]
    assert "not-shaped-like" not in str(raised.value)


def test_an_encrypted_value_for_a_named_secret_key_is_accepted(tmp_path: Path) -> None:
    data = stack_data("aws-prod")
    data["config"]["inferstack:hubToken"] = {"secure": "v1:AAABBBCCC"}
    path = tmp_path / "Pulumi.aws-prod.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_stack_file(path).models["small"].hub_token_secret == "hubToken"


def test_a_credential_in_any_plaintext_config_value_is_refused() -> None:
    data = stack_data("aws-dev")
    config = {**data["config"], "aws:accessKey": SAMPLES["an AWS access key"]}
    assert problems(config["inferstack:environment"], config) == [
        f"config.aws:accessKey: holds what looks like an AWS access key in plaintext (value not shown) — remove the "
        f"line and run `pulumi config set --secret aws:accessKey <value>`; {REVOKE}"
    ]
