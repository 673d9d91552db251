"""Cost rules: the monthly cost at maximum scale stays within the stack's budget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from inferstack.environment import TYPE_TOKEN as ENVIRONMENT_TYPE
from inferstack.planning.cost import price_plan
from inferstack.policies.props import planned
from inferstack.policies.rule import Report, param, stack_rule


def _environment_spec(resources: list[PolicyResource]) -> Mapping[str, Any]:
    for resource in resources:
        spec = resource.props.get("spec") if resource.resource_type == ENVIRONMENT_TYPE else None
        if isinstance(spec, Mapping):
            return spec
    return {}


def _check_budget(args: StackValidationArgs, report: Report) -> None:
    spec = _environment_spec(args.resources)
    budget = param(args, within_budget, "monthlyBudgetUsd") or (spec.get("budget") or {}).get("monthly_usd")
    cloud = param(args, within_budget, "cloud") or spec.get("cloud")
    region = param(args, within_budget, "region") or spec.get("region")
    if not budget or cloud not in ("aws", "gcp") or not region:
        return  # nothing to hold the plan to, or an existing cluster that inferstack does not price
    zones = len(spec.get("zones") or []) or 1
    costs = price_plan([planned(r) for r in args.resources], cloud=str(cloud), region=str(region), default_zones=zones)
    if costs.monthly_max > float(budget):
        biggest = sorted(costs.rows, key=lambda row: row.monthly_max, reverse=True)[:3]
        detail = ", ".join(f"{row.resource} ${row.monthly_max:,.0f}" for row in biggest)
        report(
            f"${costs.monthly_max:,.0f}/month at maximum scale exceeds the budget of ${float(budget):,.0f} ({detail})"
        )


within_budget = stack_rule(
    "monthly-cost-within-budget",
    "The monthly cost at maximum scale (730 h, catalog prices) stays within the stack's budget.",
    _check_budget,
    remediation="Lower node_pools.*.max or replicas, choose cheaper GPUs (inferstack size --compare), or raise "
    "budget.monthly_usd.",
    severity=Severity.MEDIUM,
    config={
        "monthlyBudgetUsd": {
            "type": ["number", "null"],
            "default": None,
            "description": "Budget in USD per month; default: the spec's budget.monthly_usd.",
        },
        "cloud": {"type": ["string", "null"], "default": None, "description": "aws or gcp; default: from the spec."},
        "region": {"type": ["string", "null"], "default": None, "description": "Price region; default: from the spec."},
    },
)

RULES = [within_budget]
