"""How a rule is declared: a CrossGuard policy plus the metadata every rule must carry.

Rules are plain module-level objects so that they import without starting the policy server; only
`policies/__main__.py` builds the `PolicyPack`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

# The engine's ReportViolation takes (message, urn=None); resource rules pass only the message.
Report = Callable[..., None]
ResourceCheck = Callable[[ResourceValidationArgs, Report], None]
StackCheck = Callable[[StackValidationArgs, Report], None]


def resource_rule(
    name: str,
    description: str,
    validate: ResourceCheck,
    *,
    remediation: str,
    severity: Severity = Severity.HIGH,
    enforcement: EnforcementLevel = MANDATORY,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> ResourceValidationPolicy:
    """A per-resource rule with its severity, remediation text and (optional) parameter schema."""
    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        severity=severity,
        remediation_steps=remediation,
        config_schema=PolicyConfigSchema(properties=dict(config)) if config else None,
    )


def stack_rule(
    name: str,
    description: str,
    validate: StackCheck,
    *,
    remediation: str,
    severity: Severity = Severity.HIGH,
    enforcement: EnforcementLevel = MANDATORY,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> StackValidationPolicy:
    """A whole-stack rule with its severity, remediation text and (optional) parameter schema."""
    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        severity=severity,
        remediation_steps=remediation,
        config_schema=PolicyConfigSchema(properties=dict(config)) if config else None,
    )


def param(
    args: ResourceValidationArgs | StackValidationArgs,
    policy: ResourceValidationPolicy | StackValidationPolicy,
    key: str,
) -> Any:
    """A rule parameter: the configured value, else the schema default (the CLI applies it too)."""
    configured = args.get_config()
    if key in configured:
        return configured[key]
    schema = policy.config_schema.properties if policy.config_schema else {}
    return schema.get(key, {}).get("default")
