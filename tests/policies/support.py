"""Shared pieces of the rule tests: a compliant example per rule, one mutation at a time, and the findings.

Each `test_<rule file>.py` holds, for the rules of one file in policies/, the compliant resources (GOOD) and
the single mutations that must fail them (MUTATIONS); the checks below are the same for every file.
"""

from __future__ import annotations

import copy
from typing import Any

from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.infra.review.policy_check import Finding, evaluate
from inferstack.policies.pack import ALL_RULES

DELETE = object()
RULES = {rule.name: rule for rule in ALL_RULES}
# (type, id, inputs) of one planned resource.
Resource = tuple[str, str, dict[str, Any]]
# (rule, resource index, path, new value or DELETE, rule config, expected message fragment; "" means it passes)
Mutation = tuple[str, int, tuple[str | int, ...], Any, dict[str, Any], str]


def plan_of(resources: list[Resource]) -> Plan:
    planned = [
        PlannedResource(
            urn=f"urn:pulumi:test::inferstack::{type_}::r{index}",
            type=type_,
            name=f"r{index}",
            parent=None,
            custom=True,
            id=resource_id or None,
            inputs=inputs,
        )
        for index, (type_, resource_id, inputs) in enumerate(resources)
    ]
    return Plan("inferstack", "test", planned, {})


def findings_of(rule: str, resources: list[Resource], config: dict[str, Any]) -> list[Finding]:
    return evaluate(plan_of(resources), {rule: config} if config else {}, rules=[RULES[rule]])


def mutate(resources: list[Resource], index: int, path: tuple[str | int, ...], value: Any) -> list[Resource]:
    changed = copy.deepcopy(resources)
    node: Any = changed[index][2]
    for step in path[:-1]:
        node = node[step]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


def mutation_ids(mutations: list[Mutation]) -> list[str]:
    return [f"{m[0]}:{'.'.join(map(str, m[2]))}" for m in mutations]


def check_compliant(good: dict[str, list[Resource]], rule: str) -> None:
    assert findings_of(rule, good[rule], {}) == []


def check_mutation(good: dict[str, list[Resource]], mutation: Mutation) -> None:
    rule, index, path, value, config, expected = mutation
    findings = findings_of(rule, mutate(good[rule], index, path, value), config)
    if not expected:
        assert findings == []
        return
    assert findings, f"{rule} did not fire"
    assert any(expected in finding.message for finding in findings), findings
    assert all(finding.rule == rule and finding.remediation for finding in findings)
