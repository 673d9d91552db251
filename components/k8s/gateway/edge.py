"""The gateway's edge: its namespace, class, proxy settings, listener, client keys, limits and metrics.

Every request must carry a client key (Envoy Gateway's API-key auth, which forwards the client's name and strips
the key before any backend sees it); the client's name then selects its rate limits. Token limits count the
tokens Envoy AI Gateway reads from each response (`llmRequestCosts` on the route, metadata namespace
io.envoy.ai_gateway), so a client is refused once its tokens of the minute are spent.
"""

from __future__ import annotations

from typing import Any

from inferstack.k8s import pods
from inferstack.k8s.gateway.inputs import (
    AUTH_HEADER,
    CLIENT_HEADER,
    CLIENT_KEYS_SECRET,
    GATEWAY,
    GATEWAY_CLASS,
    HTTP_PORT,
    HTTPS_PORT,
    NAMESPACE,
    PROXY_LABELS,
    PROXY_METRICS_PATH,
    GatewayInputs,
    controller_namespace,
)

# Envoy Gateway's GatewayClass controller name (AI Gateway manifests/envoy-gateway-values.yaml, v1.1.0).
CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"
LABELS = {"app.kubernetes.io/name": "llm-gateway"}
# The in-tree AWS service controller terminates TLS on an NLB listener with these (Kubernetes docs, Service
# annotations for AWS: aws-load-balancer-ssl-cert names the ACM ARN, aws-load-balancer-ssl-ports the TLS ports).
AWS_SSL_CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
AWS_SSL_PORTS = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"
# Where AI Gateway writes the token usage it reads from responses (examples/token_ratelimit, v1.1.0).
COST_NAMESPACE = "io.envoy.ai_gateway"
TOTAL_TOKENS = "llm_total_token"
PROXY_RESOURCES = {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}}


def _meta(name: str, namespace: str | None = NAMESPACE, **extra: Any) -> dict[str, Any]:
    return pods.metadata(name, namespace, LABELS, **extra)


def namespace_object() -> dict[str, Any]:
    """The gateway's namespace (routes, keys, policies): restricted, like the models' namespaces."""
    enforce = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": pods.metadata(NAMESPACE, None, {**LABELS, **enforce})}


def gateway_class_object() -> dict[str, Any]:
    """The GatewayClass Envoy Gateway serves."""
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "metadata": _meta(GATEWAY_CLASS, None),
        "spec": {"controllerName": CONTROLLER_NAME},
    }


def service_annotations(inputs: GatewayInputs) -> dict[str, str]:
    """The proxy Service's annotations: internal load balancer, and the ACM certificate when the LB holds TLS."""
    annotations = dict(inputs.internal_lb_annotations) if inputs.spec.exposure == "internal" else {}
    tls = inputs.spec.tls
    if tls is not None and tls.acm_certificate_arn is not None:
        annotations |= {AWS_SSL_CERT: tls.acm_certificate_arn, AWS_SSL_PORTS: str(HTTPS_PORT)}
    return dict(sorted(annotations.items()))


def envoy_proxy_object(inputs: GatewayInputs) -> dict[str, Any]:
    """How Envoy Gateway runs this gateway's proxies: replicas, resources and the Service in front of them."""
    spec = inputs.spec
    service: dict[str, Any] = {"type": "LoadBalancer" if inputs.outside_cluster else "ClusterIP"}
    if inputs.outside_cluster:
        # Keeps the client address, so the source ranges see real clients.
        service["externalTrafficPolicy"] = "Local"
        if annotations := service_annotations(inputs):
            service["annotations"] = annotations
        if spec.source_ranges:
            service["loadBalancerSourceRanges"] = [str(cidr) for cidr in spec.source_ranges]
    return {
        "apiVersion": "gateway.envoyproxy.io/v1alpha1",
        "kind": "EnvoyProxy",
        "metadata": _meta(GATEWAY),
        "spec": {
            "provider": {
                "type": "Kubernetes",
                "kubernetes": {
                    "envoyDeployment": {"replicas": spec.replicas, "container": {"resources": PROXY_RESOURCES}},
                    "envoyService": service,
                },
            }
        },
    }


def listener(inputs: GatewayInputs) -> dict[str, Any]:
    """The one listener: HTTPS with the spec's Secret, HTTP behind an NLB holding the ACM certificate, or in-cluster."""
    tls = inputs.spec.tls
    allowed = {"namespaces": {"from": "Same"}}
    if tls is not None and tls.secret is not None:
        return {
            "name": "https",
            "protocol": "HTTPS",
            "port": HTTPS_PORT,
            "tls": {"mode": "Terminate", "certificateRefs": [{"group": "", "kind": "Secret", "name": tls.secret}]},
            "allowedRoutes": allowed,
        }
    if tls is not None:
        # TLS ends on the load balancer (AWS_SSL_PORTS); from there to the proxy the traffic stays in the VPC.
        return {"name": "https", "protocol": "HTTP", "port": HTTPS_PORT, "allowedRoutes": allowed}
    return {"name": "http", "protocol": "HTTP", "port": HTTP_PORT, "allowedRoutes": allowed}


def gateway_object(inputs: GatewayInputs) -> dict[str, Any]:
    """The Gateway: one listener, proxies configured by the EnvoyProxy of the same name."""
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": _meta(GATEWAY),
        "spec": {
            "gatewayClassName": GATEWAY_CLASS,
            "infrastructure": {
                "parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy", "name": GATEWAY}
            },
            "listeners": [listener(inputs)],
        },
    }


def _target() -> list[dict[str, str]]:
    return [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY}]


def security_policy_object() -> dict[str, Any]:
    """API-key auth on the whole gateway: the client's name forwarded, its key removed before the backends."""
    return {
        "apiVersion": "gateway.envoyproxy.io/v1alpha1",
        "kind": "SecurityPolicy",
        "metadata": _meta("client-keys"),
        "spec": {
            "targetRefs": _target(),
            "apiKeyAuth": {
                "credentialRefs": [{"group": "", "kind": "Secret", "name": CLIENT_KEYS_SECRET}],
                "extractFrom": [{"headers": [AUTH_HEADER]}],
                "forwardClientIDHeader": CLIENT_HEADER,
                "sanitize": True,
            },
        },
    }


def client_keys_shape(names: list[str]) -> dict[str, Any]:
    """The client-keys Secret with placeholder values: its shape (the component fills in the Pulumi secrets)."""
    return client_keys_object(dict.fromkeys(names, ""))


def client_keys_object(values: dict[str, Any]) -> dict[str, Any]:
    """The Secret Envoy Gateway reads client keys from: data key = client name, value = its Authorization value."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta(CLIENT_KEYS_SECRET),
        "type": "Opaque",
        "stringData": values,
    }


def _selector(client: str) -> list[dict[str, Any]]:
    return [{"headers": [{"name": CLIENT_HEADER, "type": "Exact", "value": client}]}]


def rate_limit_rules(inputs: GatewayInputs) -> list[dict[str, Any]]:
    """One global rule per client limit: requests per minute, and tokens per minute charged from the response."""
    rules: list[dict[str, Any]] = []
    for client in inputs.clients:
        if client.requests_per_minute:
            rules.append(
                {
                    "clientSelectors": _selector(client.name),
                    "limit": {"requests": client.requests_per_minute, "unit": "Minute"},
                }
            )
        if client.tokens_per_minute:
            rules.append(
                {
                    "clientSelectors": _selector(client.name),
                    "limit": {"requests": client.tokens_per_minute, "unit": "Minute"},
                    # Checked on the request (cost 0), charged with the tokens the response reports.
                    "cost": {
                        "request": {"from": "Number", "number": 0},
                        "response": {
                            "from": "Metadata",
                            "metadata": {"namespace": COST_NAMESPACE, "key": TOTAL_TOKENS},
                        },
                    },
                }
            )
    return rules


def rate_limit_object(inputs: GatewayInputs) -> dict[str, Any] | None:
    """The BackendTrafficPolicy holding every client's limits; None when no client has one."""
    rules = rate_limit_rules(inputs)
    if not rules:
        return None
    return {
        "apiVersion": "gateway.envoyproxy.io/v1alpha1",
        "kind": "BackendTrafficPolicy",
        "metadata": _meta("client-limits"),
        "spec": {"targetRefs": _target(), "rateLimit": {"type": "Global", "global": {"rules": rules}}},
    }


def proxy_monitor_object() -> dict[str, Any]:
    """Scrape the gateway's Envoy proxies (request, upstream and rate-limit statistics)."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": pods.metadata("llm-gateway-proxy", controller_namespace(), LABELS),
        "spec": {
            "selector": {"matchLabels": {**PROXY_LABELS, "gateway.envoyproxy.io/owning-gateway-name": GATEWAY}},
            "podMetricsEndpoints": [{"port": "metrics", "path": PROXY_METRICS_PATH, "interval": "15s"}],
        },
    }
