"""The inferstack policy pack's contents: every rule, by domain, and the pack's name."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from inferstack.policies import aws, cost, fleet, gcp, kubernetes, monitoring

PACK_NAME = "inferstack"
ALL_RULES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    *aws.RULES,
    *gcp.RULES,
    *kubernetes.RULES,
    *fleet.RULES,
    *cost.RULES,
    *monitoring.RULES,
]
