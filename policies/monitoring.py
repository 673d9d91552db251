"""Monitoring rules: a production stack keeps its metrics (Prometheus on a persistent volume, a real retention)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from inferstack.policies.props import dig
from inferstack.policies.rule import Report, param, resource_rule
from inferstack.provider_types import K8s

PROMETHEUS_CHART = "kube-prometheus-stack"
# Fewer days than this cannot answer "was it like this last week?" after an incident.
MIN_PRODUCTION_RETENTION_DAYS = 7


def _retention_days(retention: object) -> float | None:
    # Prometheus durations the stack writes: <n>d, <n>h or <n>w.
    if not isinstance(retention, str) or len(retention) < 2 or not retention[:-1].isdigit():
        return None
    per_day = {"d": 1.0, "h": 1 / 24, "w": 7.0}.get(retention[-1])
    return None if per_day is None else int(retention[:-1]) * per_day


def _check_prometheus(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != K8s.HELM_RELEASE or args.props.get("chart") != PROMETHEUS_CHART:
        return
    if not param(args, prometheus_persistent_in_production, "production"):
        return
    spec = dig(args.props, "values", "prometheus", "prometheusSpec") or {}
    if not dig(spec, "storageSpec", "volumeClaimTemplate"):
        report("Prometheus keeps its data in the pod: a restart loses every metric the alerts and reviews read")
    days = _retention_days(spec.get("retention"))
    if days is not None and days < MIN_PRODUCTION_RETENTION_DAYS:
        report(f"Prometheus retention {spec.get('retention')} is under {MIN_PRODUCTION_RETENTION_DAYS} days")


prometheus_persistent_in_production = resource_rule(
    "prometheus-persistent-in-production",
    "A production stack's Prometheus stores its data on a persistent volume and keeps at least a week.",
    _check_prometheus,
    remediation="Remove monitoring.persistent_storage: false and set monitoring.retention_days to 7 or more.",
    severity=Severity.MEDIUM,
    # Advisory: stack files cannot turn the volume off in production (validation refuses it); this reports
    # programs that build the add-ons themselves, where losing metrics is a finding, not a blocked deploy.
    enforcement=EnforcementLevel.ADVISORY,
    config={
        "production": {
            "type": "boolean",
            "default": False,
            "description": "Whether the stack is production (inferstack plan sets it from the spec).",
        }
    },
)

RULES = [prometheus_persistent_in_production]
