"""Inference-gateway rules: a public listener lists its clients, and any listener outside the cluster has TLS.

Envoy Gateway creates the load balancer from the EnvoyProxy's `envoyService` (LoadBalancer unless it says
ClusterIP), so the rules read the EnvoyProxy a Gateway names, not a Service in the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import ip_network
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from inferstack.policies.props import as_list, dig
from inferstack.policies.rule import Report, resource_rule, stack_rule
from inferstack.provider_types import K8s

# The annotations that keep a cloud load balancer inside the VPC (the clouds' internal-LB annotations).
INTERNAL_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "networking.gke.io/load-balancer-type": "Internal",
}
AWS_SSL_CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
AWS_SSL_PORTS = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"
# Broader than a /8 is "the internet" in all but name (the spec's rule too).
BROADEST_PREFIX = 8


def _service(props: Mapping[str, Any]) -> Mapping[str, Any]:
    service = dig(props, "spec", "provider", "kubernetes", "envoyService")
    return service if isinstance(service, Mapping) else {}


def outside_cluster(service: Mapping[str, Any]) -> bool:
    """Whether Envoy Gateway puts a load balancer in front of the proxies (its default Service type)."""
    return service.get("type", "LoadBalancer") == "LoadBalancer"


def is_internal(service: Mapping[str, Any]) -> bool:
    """Whether the proxies' load balancer carries a cloud's internal-only annotation."""
    annotations = service.get("annotations") or {}
    return any(str(annotations.get(key, "")).lower() == value.lower() for key, value in INTERNAL_ANNOTATIONS.items())


def _check_public_ranges(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type != K8s.ENVOY_PROXY:
        return
    service = _service(args.props)
    if not outside_cluster(service) or is_internal(service):
        return
    ranges = as_list(service.get("loadBalancerSourceRanges"))
    if not ranges:
        report("the gateway's public load balancer admits every address (no loadBalancerSourceRanges)")
    for cidr in ranges:
        try:
            broad = ip_network(str(cidr), strict=False).prefixlen < BROADEST_PREFIX
        except ValueError:
            broad = True
        if broad:
            report(f"the gateway's public load balancer admits {cidr}, (almost) the whole internet")


public_listener_source_ranges = resource_rule(
    "k8s-gateway-public-source-ranges",
    "A public inference gateway lists its clients' CIDRs (never 0.0.0.0/0).",
    _check_public_ranges,
    remediation="Set gateway.source_ranges to your clients' CIDRs, or gateway.exposure: internal.",
    severity=Severity.CRITICAL,
)


def _tls_ports(service: Mapping[str, Any]) -> set[int]:
    annotations = service.get("annotations") or {}
    if not annotations.get(AWS_SSL_CERT):
        return set()
    ports = str(annotations.get(AWS_SSL_PORTS, "*"))
    return {-1} if ports == "*" else {int(p) for p in ports.split(",") if p.strip().isdigit()}


def _check_listener_tls(args: StackValidationArgs, report: Report) -> None:
    proxies = {
        (dig(r.props, "metadata", "namespace"), dig(r.props, "metadata", "name")): _service(r.props)
        for r in args.resources
        if r.resource_type == K8s.ENVOY_PROXY
    }
    for resource in args.resources:
        if resource.resource_type != K8s.GATEWAY:
            continue
        namespace = dig(resource.props, "metadata", "namespace")
        ref = dig(resource.props, "spec", "infrastructure", "parametersRef", "name")
        service = proxies.get((namespace, ref), {})
        if not outside_cluster(service):
            continue
        tls_ports = _tls_ports(service)
        for item in as_list(dig(resource.props, "spec", "listeners")):
            protocol, port = dig(item, "protocol"), dig(item, "port")
            if protocol in ("HTTPS", "TLS") or port in tls_ports or -1 in tls_ports:
                continue
            report(
                f"gateway listener {dig(item, 'name')} ({protocol} :{port}) faces a load balancer without TLS",
                resource.urn,
            )


listener_tls = stack_rule(
    "k8s-gateway-listener-tls",
    "Every inference-gateway listener reachable from outside the cluster terminates TLS (client keys cross it).",
    _check_listener_tls,
    remediation="Set gateway.tls (a kubernetes.io/tls Secret, or acm_certificate_arn on AWS), or exposure: cluster.",
    severity=Severity.CRITICAL,
)

RULES = [public_listener_source_ranges, listener_tls]
