"""How a rule is declared: a CrossGuard policy plus the metadata every rule must carry.

Rules are plain module-level objects so that they import without starting the policy server; only
`policies/__main__.py` builds the `PolicyPack`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RuleMeta:
    """What every rule carries besides its check: remediation, severity, enforcement and parameters."""

    remediation: str
    severity: Severity = Severity.HIGH
    enforcement: EnforcementLevel = MANDATORY
    config: Mapping[str, dict[str, Any]] | None = None

    def policy_args(self) -> dict[str, Any]:
        """The keyword arguments both CrossGuard policy classes take for this metadata."""
        return {
            "enforcement_level": self.enforcement,
            "severity": self.severity,
            "remediation_steps": self.remediation,
            "config_schema": PolicyConfigSchema(properties=dict(self.config)) if self.config else None,
        }


def resource_rule(name: str, description: str, validate: ResourceCheck, **meta: Any) -> ResourceValidationPolicy:
    """A per-resource rule; `meta` are RuleMeta's fields (remediation required)."""
    return ResourceValidationPolicy(name, description, validate, **RuleMeta(**meta).policy_args())


def stack_rule(name: str, description: str, validate: StackCheck, **meta: Any) -> StackValidationPolicy:
    """A whole-stack rule; `meta` are RuleMeta's fields (remediation required)."""
    return StackValidationPolicy(name, description, validate, **RuleMeta(**meta).policy_args())


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
