"""The rules of policies/cost.py: the monthly cost at maximum scale within the budget.

A compliant example passes; each single mutation of it fails with its message.
"""

from __future__ import annotations

import pytest

from tests.policies.support import DELETE, Mutation, Resource, check_compliant, check_mutation, mutation_ids

GOOD: dict[str, list[Resource]] = {
    "monthly-cost-within-budget": [
        (
            "inferstack:index:LlmEnvironment",
            "",
            {"spec": {"cloud": "aws", "region": "us-east-1", "zones": ["use1-az1"], "budget": {"monthly_usd": 3000.0}}},
        ),
        (
            "aws:eks/nodeGroup:NodeGroup",
            "ng-1",
            {"instanceTypes": ["g6.xlarge"], "capacityType": "SPOT", "scalingConfig": {"minSize": 0.0, "maxSize": 2.0}},
        ),
    ],
}

MUTATIONS: list[Mutation] = [
    ("monthly-cost-within-budget", 1, ("scalingConfig", "maxSize"), 100.0, {}, "exceeds the budget of $3,000"),
    ("monthly-cost-within-budget", 1, ("capacityType",), "ON_DEMAND", {"monthlyBudgetUsd": 500}, "budget of $500"),
    ("monthly-cost-within-budget", 0, ("spec", "budget"), DELETE, {}, ""),  # no budget: nothing to check
]


@pytest.mark.parametrize("rule", sorted(GOOD))
def test_compliant_resources_pass(rule: str) -> None:
    check_compliant(GOOD, rule)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=mutation_ids(MUTATIONS))
def test_one_mutation_fails_with_its_message(mutation: Mutation) -> None:
    check_mutation(GOOD, mutation)
