"""The inference gateway's cross-field rules: exposure, TLS, client keys and the routes of its models.

A listener outside the cluster (an internal or public load balancer) carries TLS: API keys cross it in a
header. Public exposure lists its clients' CIDRs, never 0.0.0.0/0. The gateway authenticates every request
with a client key, so a gateway with no client is refused rather than opened to anyone who reaches it.
There is no Google-managed certificate option: those attach only to Google's target HTTPS/SSL proxies, not to the
passthrough load balancer a LoadBalancer Service gets (Certificate Manager overview, "Supported load balancers",
read 2026-12-02), so GCP stacks name a TLS Secret.
"""

from __future__ import annotations

from collections.abc import Iterable

from inferstack.planning.gateway import gateway_enabled, route_table, rule_name
from inferstack.planning.served_names import served_names
from inferstack.spec.errors import SpecIssue
from inferstack.spec.models import EnvironmentSpec
from inferstack.validation.common import BROADEST_CLIENT_PREFIX, field_path

GATEWAY = "gateway"


def check_gateway(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    """Every rule of `gateway:` and of the models' `route:`, each problem reported."""
    gateway = spec.gateway
    if not gateway_enabled(spec):
        yield from _unused(spec)
        return
    yield from _exposure(spec)
    yield from _tls(spec)
    if not gateway.clients:
        yield SpecIssue(
            field_path(GATEWAY, "clients"),
            "the gateway checks a client key on every request, and no client is listed",
            "add a client: clients: {team: {api_key_secret: teamApiKey}} and run "
            "`pulumi config set --secret teamApiKey <key>`; or set enabled: false",
        )
    for key, model in sorted(spec.models.items()):
        if model.load_balancer is not None:
            yield SpecIssue(
                field_path("models", key, "load_balancer"),
                "the gateway is the stack's endpoint; a model's own load balancer would bypass its keys and limits",
                "remove load_balancer (clients call the gateway), or set gateway.enabled: false",
            )
        if model.api_key_secret is not None:
            yield SpecIssue(
                field_path("models", key, "api_key_secret"),
                "the gateway checks client keys and removes them before the engine; an engine key would refuse it",
                "remove api_key_secret and list the key under gateway.clients",
            )
    rules: dict[str, list[str]] = {}
    for name in route_table(spec):
        rules.setdefault(rule_name(name), []).append(name)
    for rule, names in sorted(rules.items()):
        if len(names) > 1:
            keys = sorted(k for k, m in spec.models.items() if set(served_names(k, m)) & set(names))
            yield SpecIssue(
                field_path("models", keys[-1], "route", "name"),
                f"the served names {', '.join(map(repr, names))} all become the route rule {rule!r}",
                "give the models names that differ in more than case and punctuation",
            )
    for name, targets in route_table(spec).items():
        if len(targets) > 1 and not any(target.weight for target in targets):
            for target in targets:
                yield SpecIssue(
                    field_path("models", target.key, "route", "weight"),
                    f"every model serving {name!r} has weight 0, so the name would get no traffic",
                    "give at least one of them a positive weight",
                )


def _exposure(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    gateway = spec.gateway
    if gateway.exposure == "public" and not gateway.source_ranges:
        yield SpecIssue(
            field_path(GATEWAY, "source_ranges"),
            "a public gateway with no source ranges is open to the whole internet",
            "list your clients' CIDRs, or use exposure: internal",
        )
    for index, cidr in enumerate(gateway.source_ranges):
        if cidr.prefixlen < BROADEST_CLIENT_PREFIX:
            yield SpecIssue(
                field_path(GATEWAY, "source_ranges", index),
                f"{cidr} opens the gateway to (almost) the whole internet",
                f"list narrow client CIDRs (/{BROADEST_CLIENT_PREFIX} or narrower)",
            )
    if spec.cloud == "kubernetes" and gateway.exposure != "cluster":
        yield SpecIssue(
            field_path(GATEWAY, "exposure"),
            f"on an existing cluster inferstack knows no annotation that keeps a load balancer {gateway.exposure}",
            "use exposure: cluster and front it with your cluster's own ingress",
        )


def _tls(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    gateway, path = spec.gateway, field_path(GATEWAY, "tls")
    tls = gateway.tls
    if tls is None:
        if gateway.exposure != "cluster":
            yield SpecIssue(
                path,
                f"an {gateway.exposure} gateway listens outside the cluster, and client keys would cross it in clear",
                "set tls: {secret: <kubernetes.io/tls Secret>} (or acm_certificate_arn on aws), or exposure: cluster",
            )
        return
    if (tls.secret is None) == (tls.acm_certificate_arn is None):
        yield SpecIssue(path, "names no certificate or two of them", "set exactly one of secret, acm_certificate_arn")
    if tls.acm_certificate_arn is not None and spec.cloud != "aws":
        yield SpecIssue(
            field_path(GATEWAY, "tls", "acm_certificate_arn"),
            f"an ACM certificate attaches to AWS load balancers only, and this stack runs on {spec.cloud}",
            "use tls.secret with a kubernetes.io/tls Secret (cert-manager can keep it renewed)",
        )
    if tls.acm_certificate_arn is not None and gateway.exposure == "cluster":
        yield SpecIssue(
            field_path(GATEWAY, "tls", "acm_certificate_arn"),
            "an ACM certificate lives on the load balancer, and exposure: cluster has none",
            "use tls.secret, or exposure: internal",
        )


def _unused(spec: EnvironmentSpec) -> Iterable[SpecIssue]:
    gateway = spec.gateway
    fix = "set gateway.enabled: true, or remove it"
    why = "only the gateway reads it, and this stack has none (one model, or enabled: false)"
    if gateway.clients:
        yield SpecIssue(field_path(GATEWAY, "clients"), why, fix)
    for key, model in sorted(spec.models.items()):
        if model.route is not None:
            yield SpecIssue(field_path("models", key, "route"), why, fix)
