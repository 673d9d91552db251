"""The gateway's refusals: each names the field and the fix, and a valid gateway passes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from inferstack.spec import SpecError
from inferstack.validation import parse_environment
from tests.conftest import shipped_stacks

Doc = dict[str, Any]


def stack(name: str) -> Doc:
    text = shipped_stacks()[name].read_text(encoding="utf-8")
    return copy.deepcopy(yaml.safe_load(text)["config"]["inferstack:environment"])


def issues(doc: Doc) -> dict[str, str]:
    with pytest.raises(SpecError) as caught:
        parse_environment(doc, "test")
    return {issue.path: str(issue) for issue in caught.value.issues}


def public_without_ranges(doc: Doc) -> None:
    doc["gateway"]["exposure"] = "public"


def public_to_the_world(doc: Doc) -> None:
    doc["gateway"] |= {"exposure": "public", "source_ranges": ["0.0.0.0/0"]}


def no_tls(doc: Doc) -> None:
    del doc["gateway"]["tls"]


def two_certificates(doc: Doc) -> None:
    doc["gateway"]["tls"]["secret"] = "gw-tls"


def no_clients(doc: Doc) -> None:
    doc["gateway"]["clients"] = {}


def model_load_balancer(doc: Doc) -> None:
    doc["models"]["small"]["load_balancer"] = {"internal": True}


def model_engine_key(doc: Doc) -> None:
    doc["models"]["small"]["api_key_secret"] = "smallKey"


def all_weights_zero(doc: Doc) -> None:
    doc["models"]["large"]["route"] = {"name": "shared", "weight": 0}
    doc["models"]["small"]["route"] = {"name": "shared", "weight": 0}


def rule_names_collide(doc: Doc) -> None:
    doc["models"]["large"]["route"] = {"name": "Llama.8B"}
    doc["models"]["small"]["route"] = {"name": "llama-8b"}


CASES: dict[str, tuple[Callable[[Doc], None], dict[str, str]]] = {
    "public needs source ranges": (public_without_ranges, {"environment.gateway.source_ranges": "whole internet"}),
    "never 0.0.0.0/0": (public_to_the_world, {"environment.gateway.source_ranges[0]": "narrow client CIDRs"}),
    "TLS outside the cluster": (no_tls, {"environment.gateway.tls": "exposure: cluster"}),
    "one certificate": (two_certificates, {"environment.gateway.tls": "exactly one of secret, acm_certificate_arn"}),
    "a client key": (no_clients, {"environment.gateway.clients": "pulumi config set --secret"}),
    "no bypass": (model_load_balancer, {"environment.models.small.load_balancer": "remove load_balancer"}),
    "no engine key": (model_engine_key, {"environment.models.small.api_key_secret": "gateway.clients"}),
    "distinct rule names": (rule_names_collide, {"environment.models.small.route.name": "differ in more than case"}),
    "some weight": (
        all_weights_zero,
        {
            "environment.models.large.route.weight": "positive weight",
            "environment.models.small.route.weight": "positive",
        },
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_refusal_names_the_field_and_the_fix(case: str) -> None:
    mutate, expected = CASES[case]
    doc = stack("aws-prod")
    mutate(doc)
    found = issues(doc)
    assert set(found) == set(expected), found
    for path, fix in expected.items():
        assert fix in found[path]


def test_an_acm_certificate_is_refused_off_aws() -> None:
    doc = stack("gcp-prod")
    doc["gateway"]["tls"] = {"acm_certificate_arn": stack("aws-prod")["gateway"]["tls"]["acm_certificate_arn"]}
    found = issues(doc)
    assert set(found) == {"environment.gateway.tls.acm_certificate_arn"}
    assert "tls.secret" in found["environment.gateway.tls.acm_certificate_arn"]


def test_gateway_settings_without_a_gateway_are_refused() -> None:
    doc = stack("aws-dev")  # one model: no gateway by default
    doc["gateway"] = {"clients": {"app": {"api_key_secret": "appKey"}}}
    doc["models"]["chat"]["route"] = {"weight": 10}
    assert set(issues(doc)) == {"environment.gateway.clients", "environment.models.chat.route"}


def test_an_existing_cluster_keeps_the_gateway_in_the_cluster() -> None:
    doc = stack("local")
    doc["gateway"] = {"enabled": True, "tls": {"secret": "gw-tls"}, "clients": {"app": {"api_key_secret": "appKey"}}}
    assert set(issues(doc)) == {"environment.gateway.exposure"}
    doc["gateway"] |= {"exposure": "cluster"}
    assert parse_environment(doc, "local").gateway.exposure == "cluster"


def test_a_public_gateway_with_ranges_and_tls_is_valid() -> None:
    doc = stack("aws-prod")
    doc["gateway"] |= {"exposure": "public", "source_ranges": ["203.0.113.0/24"]}
    assert [str(c) for c in parse_environment(doc, "test").gateway.source_ranges] == ["203.0.113.0/24"]


def test_a_plaintext_key_in_the_spec_is_refused_at_its_path() -> None:
    doc = stack("aws-prod")
    doc["gateway"]["clients"]["chat-app"]["api_key_secret"] = "sk-" + "proj-" + "A1b2C3d4E5f6G7h8I9j0" * 3
    found = issues(doc)
    assert "environment.gateway.clients.chat-app.api_key_secret" in found
    assert "sk-proj" not in found["environment.gateway.clients.chat-app.api_key_secret"]
