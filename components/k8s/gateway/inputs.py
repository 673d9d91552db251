"""What the gateway's objects are built from (plain values only), and the names every builder shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inferstack.catalog.k8s_addons import k8s_addons
from inferstack.planning.gateway import RouteTarget, route_table, wake_routes
from inferstack.spec.gateway_parts import GatewaySpec
from inferstack.spec.models import EnvironmentSpec

NAMESPACE = "llm-gateway"
GATEWAY = "llm"
GATEWAY_CLASS = "inferstack-llm"
CLIENT_KEYS_SECRET = "client-keys"
# The header the API-key filter writes the matching client's name into; the rate limits select on it.
CLIENT_HEADER = "x-inferstack-client"
# OpenAI clients send `Authorization: Bearer <key>`; Envoy Gateway's API-key auth compares the whole header value
# and does not strip a scheme (envoyproxy/gateway v1.8.3 site/content/en/latest/tasks/security/apikey-auth.md), so
# each stored credential is the full header value.
AUTH_HEADER = "authorization"
BEARER = "Bearer "
# Envoy Gateway labels every proxy pod it runs with these (internal/infrastructure/kubernetes/proxy/resource.go
# EnvoyAppLabel, v1.8.3) and exposes Envoy's stats on the container port named metrics, 19001 (bootstrap.go).
PROXY_LABELS = {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy"}
PROXY_METRICS_PATH = "/stats/prometheus"
HTTPS_PORT = 443
HTTP_PORT = 80


def controller_namespace() -> str:
    """Where Envoy Gateway runs its controller, the proxies and the rate-limit service (the chart's namespace)."""
    return k8s_addons().charts["envoy-gateway"].namespace


def proxy_peer() -> dict[str, Any]:
    """NetworkPolicy peer: the gateway's Envoy proxies, in Envoy Gateway's namespace."""
    return {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": controller_namespace()}},
        "podSelector": {"matchLabels": dict(PROXY_LABELS)},
    }


@dataclass(frozen=True)
class ClientLimits:
    """One client's name and its limits (its key is a Pulumi secret, never here)."""

    name: str
    tokens_per_minute: int | None
    requests_per_minute: int | None


@dataclass(frozen=True)
class ModelPort:
    """One served model as the gateway reaches it: its key, namespace, engine port and pod labels."""

    key: str
    namespace: str
    port: int
    labels: Mapping[str, str]


@dataclass(frozen=True)
class GatewayInputs:
    """Everything the gateway's objects are built from."""

    spec: GatewaySpec
    models: tuple[ModelPort, ...]
    routes: Mapping[str, tuple[RouteTarget, ...]]
    # The cloud's internal load-balancer annotations (empty on an existing cluster).
    internal_lb_annotations: Mapping[str, str] = field(default_factory=dict)
    # Waking models (key -> the names routed to the interceptor for them; planning/gateway.py wake_routes).
    waking: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def clients(self) -> tuple[ClientLimits, ...]:
        """The clients, sorted by name."""
        return tuple(
            ClientLimits(name, client.tokens_per_minute, client.requests_per_minute)
            for name, client in sorted(self.spec.clients.items())
        )

    @property
    def limited(self) -> bool:
        """Whether any client has a limit (then the rate-limit service and its Redis run)."""
        return any(c.tokens_per_minute or c.requests_per_minute for c in self.clients)

    @property
    def outside_cluster(self) -> bool:
        """Whether the listener is reachable from outside the cluster (through a load balancer)."""
        return self.spec.exposure != "cluster"

    def model(self, key: str) -> ModelPort:
        """One model by key."""
        return next(model for model in self.models if model.key == key)


def gateway_inputs(
    spec: EnvironmentSpec, models: tuple[ModelPort, ...], internal_lb_annotations: Mapping[str, str]
) -> GatewayInputs:
    """The gateway's inputs from the checked spec and the models' ports."""
    return GatewayInputs(spec.gateway, models, route_table(spec), dict(internal_lb_annotations), wake_routes(spec))
