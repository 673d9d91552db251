"""The inferstack policy pack's contents: every rule, by domain, and the pack's name."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from inferstack.policies import audit, aws, cost, fleet, gateway, gcp, hardening, kubernetes, monitoring, wake

PACK_NAME = "inferstack"
ALL_RULES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    *aws.RULES,
    *gcp.RULES,
    *kubernetes.RULES,
    *fleet.RULES,
    *cost.RULES,
    *audit.RULES,
    *hardening.RULES,
    *monitoring.RULES,
    *gateway.RULES,
    *wake.RULES,
]
