"""Running the policy pack offline over a Plan, exactly as the CrossGuard host would call each rule.

Resource rules get each resource's inputs as props (camelCase, numbers as floats) and its explicit provider;
stack rules get every resource, with dependencies read from the Plan's wiring (an input that holds another
resource's id or URN depends on it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from inferstack.environment import TYPE_TOKEN as ENVIRONMENT_TYPE
from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.policies.pack import ALL_RULES

Rule = ResourceValidationPolicy | StackValidationPolicy
PACK_DEFAULT = EnforcementLevel.MANDATORY


class PolicyConfigError(ValueError):
    """A policy config file that cannot be used; the message names the file, the key and the fix."""


@dataclass(frozen=True, order=True)
class Finding:
    """One violation: which rule, on which resource, what is wrong and how to fix it."""

    enforcement: str
    rule: str
    resource: str
    resource_type: str
    message: str
    remediation: str
    severity: str


@dataclass(frozen=True)
class RuleConfig:
    """A rule's effective enforcement level and parameters."""

    enforcement: EnforcementLevel
    params: dict[str, Any]


def load_policy_config(path: Path) -> dict[str, Any]:
    """Read a policy config file in the Pulumi CLI's `--policy-pack-config` format (JSON; YAML also accepted)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except OSError as exc:
        raise PolicyConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except (ValueError, yaml.YAMLError) as exc:
        raise PolicyConfigError(f"{path}: not valid JSON/YAML ({exc})") from None
    if not isinstance(data, dict):
        raise PolicyConfigError(f"{path}: must map rule names (or 'all') to a level or an object")
    known = {rule.name for rule in ALL_RULES} | {"all"}
    for key, value in data.items():
        if key not in known:
            raise PolicyConfigError(f"{path}: unknown rule {key!r}; known rules: {', '.join(sorted(known))}")
        level = value if isinstance(value, str) else value.get("enforcementLevel") if isinstance(value, dict) else None
        if not isinstance(value, str | dict) or (level is not None and level not in _LEVELS):
            raise PolicyConfigError(f"{path}: {key}: use one of {', '.join(_LEVELS)} or an object of parameters")
    return data


_LEVELS = {level.value: level for level in EnforcementLevel}
# Rules with a `production` parameter: the Plan's spec answers it.
PRODUCTION_RULES = (
    "no-spot-in-production",
    "log-retention-production",
    "aws-eks-control-plane-logs-production",
    "bucket-access-logs-production",
    "gcp-gke-visibility-and-admission",
    "prometheus-persistent-in-production",
)


def default_policy_config(plan: Plan) -> dict[str, Any]:
    """Rule parameters the Plan's environment spec already answers (so a production stack is checked as one)."""
    specs = [r.inputs.get("spec") for r in plan.resources if r.type == ENVIRONMENT_TYPE]
    production = any(isinstance(spec, dict) and spec.get("production") is True for spec in specs)
    return {name: {"production": production} for name in PRODUCTION_RULES}


def resolve_config(rule: Rule, *configs: Mapping[str, Any]) -> RuleConfig:
    """Merge configs (later wins): rule-specific level over `all`, over the rule's own, over the pack's."""
    level = rule.enforcement_level or PACK_DEFAULT
    params: dict[str, Any] = {}
    for config in configs:
        if isinstance(config.get("all"), str):
            level = _LEVELS[config["all"]]
        value = config.get(rule.name)
        if isinstance(value, str):
            level = _LEVELS[value]
        elif isinstance(value, dict):
            level = _LEVELS.get(value.get("enforcementLevel", ""), level)
            params.update({k: v for k, v in value.items() if k != "enforcementLevel"})
    return RuleConfig(level, params)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _options(resource: PlannedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.parent,
    )


def _providers(plan: Plan) -> dict[str, PolicyProviderResource]:
    found = {}
    for resource in plan.resources:
        if resource.type.startswith("pulumi:providers:"):
            reference = f"{resource.urn}::{resource.id}"
            found[reference] = PolicyProviderResource(resource.type, resource.inputs, resource.urn, resource.name)
    return found


def _stack_resources(plan: Plan) -> list[PolicyResource]:
    by_key: dict[str, PlannedResource] = {}
    for resource in plan.resources:
        by_key[resource.urn] = resource
        if resource.id:
            by_key[resource.id] = resource
    policy_resources: dict[str, PolicyResource] = {}
    for resource in plan.resources:
        policy_resources[resource.urn] = PolicyResource(
            resource.type, resource.inputs, resource.urn, resource.name, _options(resource), None, None, [], {}
        )
    for resource in plan.resources:
        target = policy_resources[resource.urn]
        target.parent = policy_resources.get(resource.parent or "")
        referenced = {by_key[s].urn for s in _strings(resource.inputs) if s in by_key and by_key[s].urn != resource.urn}
        target.dependencies = [policy_resources[urn] for urn in sorted(referenced)]
    return list(policy_resources.values())


def evaluate(plan: Plan, *configs: Mapping[str, Any], rules: Iterable[Rule] = ALL_RULES) -> list[Finding]:
    """Every finding of every enabled rule over the Plan, mandatory first, then by rule and resource."""
    findings: list[Finding] = []
    providers = _providers(plan)
    custom = [resource for resource in plan.resources if resource.custom]
    stack_resources: list[PolicyResource] | None = None
    names = {resource.urn: resource for resource in plan.resources}
    for rule in rules:
        config = resolve_config(rule, *configs)
        if config.enforcement == EnforcementLevel.DISABLED:
            continue

        def record(
            message: str, urn: str | None = None, rule: Rule = rule, level: EnforcementLevel = config.enforcement
        ) -> None:
            resource = names.get(urn or "")
            findings.append(
                Finding(
                    enforcement=level.value,
                    rule=rule.name,
                    resource=resource.name if resource else "(stack)",
                    resource_type=resource.type if resource else "",
                    message=message,
                    remediation=rule.remediation_steps or "",
                    severity=rule.severity.value if rule.severity else "",
                )
            )

        if isinstance(rule, ResourceValidationPolicy):
            for resource in custom:
                args = ResourceValidationArgs(
                    resource.type,
                    resource.inputs,
                    resource.urn,
                    resource.name,
                    _options(resource),
                    providers.get(resource.provider or ""),
                    config.params,
                )
                rule.validate(args, lambda message, _urn=None, urn=resource.urn: record(message, urn))
        else:
            if stack_resources is None:
                stack_resources = _stack_resources(plan)
            rule.validate(StackValidationArgs(stack_resources, config.params), record)
    return sorted(
        findings, key=lambda f: (f.enforcement != EnforcementLevel.MANDATORY.value, f.rule, f.resource, f.message)
    )


def mandatory(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that block a deploy."""
    return [finding for finding in findings if finding.enforcement == EnforcementLevel.MANDATORY.value]
