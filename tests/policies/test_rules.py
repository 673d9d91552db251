"""Every rule of the pack has its compliant example and a failing mutation, metadata, and a default enforcement."""

from __future__ import annotations

from inferstack.infra.review.policy_check import evaluate, resolve_config
from inferstack.policies.pack import ALL_RULES
from tests.policies import (
    test_audit,
    test_aws,
    test_cost,
    test_fleet,
    test_gateway,
    test_gcp,
    test_hardening,
    test_kubernetes,
    test_monitoring,
    test_wake,
)
from tests.policies.support import RULES, mutate, plan_of

RULE_FILES = (
    test_aws,
    test_gcp,
    test_kubernetes,
    test_fleet,
    test_cost,
    test_audit,
    test_hardening,
    test_monitoring,
    test_gateway,
    test_wake,
)


def test_every_rule_has_a_compliant_example_and_a_failing_mutation() -> None:
    good = [rule for module in RULE_FILES for rule in module.GOOD]
    assert sorted(good) == sorted(RULES), "each rule is exemplified in exactly one test file"
    assert {m[0] for module in RULE_FILES for m in module.MUTATIONS if m[5]} == set(RULES)


def test_every_rule_has_severity_remediation_and_description() -> None:
    for rule in ALL_RULES:
        assert rule.description and rule.remediation_steps and rule.severity, rule.name


def test_security_rules_are_mandatory_by_default() -> None:
    advisory = {rule.name for rule in ALL_RULES if resolve_config(rule).enforcement.value != "mandatory"}
    # Not security rules: tagging, and keeping metrics in production (which validation already enforces).
    assert advisory == {"required-tags", "prometheus-persistent-in-production"}


def test_config_can_change_enforcement() -> None:
    bad = mutate(test_aws.GOOD["aws-imdsv2-hop-limit-1"], 0, ("metadataOptions", "httpTokens"), "optional")
    rule = RULES["aws-imdsv2-hop-limit-1"]
    (finding,) = evaluate(plan_of(bad), {"aws-imdsv2-hop-limit-1": "advisory"}, rules=[rule])
    assert finding.enforcement == "advisory"
    assert evaluate(plan_of(bad), {"all": "disabled"}, rules=[rule]) == []
