"""One OpenAI-compatible endpoint for every model: the environment's inference gateway and each model's route.

Clients name a Pulumi config key holding their API key, like `hub_token_secret`: the key never sits in a stack
file. Rules that relate fields (public needs source ranges, a listener outside the cluster needs TLS, two
models sharing a route name split by weight) live in `inferstack.validation.gateway`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt

from inferstack.spec.base import Cidr, FrozenSpec, Key

SECRET_NAME = r"^[A-Za-z0-9_.:-]+$"
# Gateway API listener/backend weights are int32; a canary needs only a few hundred steps.
MAX_ROUTE_WEIGHT = 1000
MAX_RATE = 100_000_000
MAX_GATEWAY_REPLICAS = 20
Exposure = Literal["cluster", "internal", "public"]


class GatewayTlsSpec(FrozenSpec):
    """Where the gateway's certificate comes from: a TLS Secret, or an ACM certificate on AWS (exactly one)."""

    secret: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$",
        description="Name of a kubernetes.io/tls Secret in the llm-gateway namespace (e.g. cert-manager's); "
        "default: none.",
    )
    acm_certificate_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$",
        description="ACM certificate the AWS load balancer terminates TLS with (aws only); default: none.",
    )


class GatewayClientSpec(FrozenSpec):
    """One client of the gateway: its API key and its limits."""

    api_key_secret: str = Field(
        pattern=SECRET_NAME,
        description="Stack config key of a Pulumi secret holding this client's API key; required.",
    )
    tokens_per_minute: PositiveInt | None = Field(
        default=None, le=MAX_RATE, description="Tokens (prompt + completion) per minute; default: unlimited."
    )
    requests_per_minute: PositiveInt | None = Field(
        default=None, le=MAX_RATE, description="Requests per minute; default: unlimited."
    )


class GatewaySpec(FrozenSpec):
    """The environment's inference gateway: one endpoint routing by the request's `model` field."""

    enabled: bool | None = Field(
        default=None,
        description="Serve every model through one gateway; default: on when the stack serves more than one "
        "model (a one-model stack keeps its own Service).",
    )
    exposure: Exposure = Field(
        default="internal",
        description="cluster (ClusterIP only), internal (VPC load balancer) or public (internet load balancer, "
        "needs source_ranges); default: internal.",
    )
    source_ranges: list[Cidr] = Field(
        default_factory=list,
        description="Client CIDRs the load balancer admits (required for public); default: [] (the VPC only).",
    )
    tls: GatewayTlsSpec | None = Field(
        default=None,
        description="The listener's certificate; required unless exposure is cluster; default: none.",
    )
    clients: dict[Key, GatewayClientSpec] = Field(
        default_factory=dict,
        description="API clients keyed by name, each with its key and limits; required when the gateway is on; "
        "default: {}.",
    )
    replicas: PositiveInt = Field(
        default=2, le=MAX_GATEWAY_REPLICAS, description="Envoy proxy replicas of the gateway; default: 2."
    )


class RouteSpec(FrozenSpec):
    """How the gateway routes to one model: the name clients send and, for a canary, this revision's share."""

    name: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}$",
        description="Model name clients send; models sharing a name split its traffic by weight; "
        "default: served_name, else the model's key.",
    )
    weight: int = Field(
        default=100,
        ge=0,
        le=MAX_ROUTE_WEIGHT,
        description="This model's share of its name's traffic, relative to the others sharing it; default: 100.",
    )
