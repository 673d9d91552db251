"""Scale-to-zero rules: a ScaledObject that wakes through the KEDA HTTP add-on is wired end to end.

The pieces live in four objects a mock cannot connect: the ScaledObject's external-push trigger names an
InterceptorRoute, the route names a Service, the route's readiness timeout bounds the held request, and a
NetworkPolicy must admit the interceptor pods or every held request times out (catalog k8s_addons.yaml,
keda-add-ons-http: trigger metadata `interceptorRoute`, interceptor pod labels).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from inferstack.planning.wake import INTERCEPTOR_LABELS
from inferstack.policies.props import as_list, dig
from inferstack.policies.rule import Report, stack_rule
from inferstack.provider_types import K8s


def _named(resources: list[Any], type_: str) -> dict[tuple[str, str], Mapping[str, Any]]:
    out: dict[tuple[str, str], Mapping[str, Any]] = {}
    for resource in resources:
        if resource.resource_type == type_:
            meta = resource.props.get("metadata") or {}
            out[(str(meta.get("namespace")), str(meta.get("name")))] = resource.props
    return out


def _admits_interceptor(policy: Mapping[str, Any]) -> bool:
    for rule in as_list(dig(policy, "spec", "ingress")):
        for source in as_list(rule.get("from") if isinstance(rule, Mapping) else None):
            labels = dig(source, "podSelector", "matchLabels") or {}
            if all(labels.get(key) == value for key, value in INTERCEPTOR_LABELS.items()):
                return True
    return False


def _check_wake(args: StackValidationArgs, report: Report) -> None:
    routes = _named(args.resources, K8s.INTERCEPTOR_ROUTE)
    services = _named(args.resources, K8s.SERVICE)
    policies = _named(args.resources, K8s.NETWORK_POLICY)
    for (namespace, name), scaled in _named(args.resources, K8s.SCALED_OBJECT).items():
        for trigger in as_list(dig(scaled, "spec", "triggers")):
            route_name = dig(trigger, "metadata", "interceptorRoute")
            if not isinstance(trigger, Mapping) or trigger.get("type") != "external-push" or not route_name:
                continue
            route = routes.get((namespace, str(route_name)))
            if route is None:
                report(f"ScaledObject {namespace}/{name} wakes through InterceptorRoute {route_name}, which is missing")
                continue
            target = dig(route, "spec", "target", "service")
            if (namespace, str(target)) not in services:
                report(f"InterceptorRoute {namespace}/{route_name} sends held requests to Service {target}: missing")
            if not dig(route, "spec", "timeouts", "readiness"):
                report(f"InterceptorRoute {namespace}/{route_name} holds requests with no readiness bound")
            if not any(ns == namespace and _admits_interceptor(p) for (ns, _), p in policies.items()):
                report(f"no NetworkPolicy in {namespace} admits the KEDA HTTP interceptor: held requests time out")


wake_wired = stack_rule(
    "scale-to-zero-wake-wired",
    "A ScaledObject woken by the KEDA HTTP add-on names an InterceptorRoute that exists, routes to an existing "
    "Service with a readiness bound, and whose interceptor a NetworkPolicy admits.",
    _check_wake,
    remediation="Build the model with InferenceService: k8s/manifests/wake.py makes route, Service, policy together.",
    severity=Severity.MEDIUM,
)

RULES = [wake_wired]
