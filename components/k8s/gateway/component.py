"""InferenceGateway: registers the gateway's objects (built by the pure modules beside it) on the target.

Custom resources wait for the Helm release that installs their CRDs (Envoy Gateway for the Gateway API and its
own kinds, AI Gateway's CRD chart for its routes); the Inference Extension publishes its CRDs as a manifest, not a
chart, so they are registered here from the vendored release file. Client keys are read as Pulumi secrets and
stay secret in the Secret's body; nothing else holds them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pulumi

from inferstack.k8s.gateway import edge, pools, ratelimit, routes
from inferstack.k8s.gateway.inputs import BEARER, GatewayInputs
from inferstack.k8s.objects import register
from inferstack.k8s.secrets import require_secret

TYPE_TOKEN = "inferstack:index:InferenceGateway"
CRDS_FILE = Path(__file__).with_name("inference_crds.json")


@cache
def inference_crds() -> tuple[dict[str, Any], ...]:
    """The Inference Extension's CRDs (InferencePool, InferenceObjective) at the pinned release."""
    return tuple(json.loads(CRDS_FILE.read_text(encoding="utf-8"))["crds"])


def gateway_objects(inputs: GatewayInputs) -> list[dict[str, Any]]:
    """Every object in the gateway's own namespace (and its proxies' monitor), the client Secret's shape included."""
    objects = [
        edge.namespace_object(),
        edge.gateway_class_object(),
        edge.envoy_proxy_object(inputs),
        edge.gateway_object(inputs),
        edge.client_keys_shape([client.name for client in inputs.clients]),
        edge.security_policy_object(),
    ]
    limits = edge.rate_limit_object(inputs)
    if limits is not None:
        objects += [*ratelimit.redis_objects(), limits]
    objects += [
        *routes.split_objects(inputs),
        *routes.wake_objects(inputs),
        routes.route_object(inputs),
        edge.proxy_monitor_object(),
    ]
    return objects


class InferenceGateway(pulumi.ComponentResource):
    """The environment's one endpoint: gateway, routes by model name, client keys and limits, a pool per model."""

    def __init__(
        self,
        name: str,
        inputs: GatewayInputs,
        provider: pulumi.ProviderResource,
        *,
        releases: Sequence[pulumi.Resource] = (),
        namespaces: Mapping[str, pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, {"names": sorted(inputs.routes)}, opts)

        def options(*after: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[*releases, *after])

        self.crds = [
            register(name, crd, crd, pulumi.ResourceOptions(parent=self, provider=provider)) for crd in inference_crds()
        ]
        self.objects: dict[str, pulumi.CustomResource] = {}
        shapes = gateway_objects(inputs)
        self.namespace = register(name, shapes[0], shapes[0], options())
        keys = {client: require_secret(spec.api_key_secret) for client, spec in sorted(inputs.spec.clients.items())}
        for obj in shapes[1:]:
            body: dict[str, Any] = obj
            if obj["kind"] == "Secret":
                # The Authorization header's full value: Envoy Gateway compares it whole (inputs.BEARER).
                body = edge.client_keys_object({c: key.apply(lambda k: BEARER + k) for c, key in keys.items()})
            after = [] if obj["kind"] == "GatewayClass" else [self.namespace]
            self.objects[f"{obj['kind']}/{obj['metadata']['name']}"] = register(name, obj, body, options(*after))
        for model in pools.pooled_models(inputs):
            namespace = (namespaces or {}).get(model.key)
            for obj in pools.pool_objects(model):
                after = [*self.crds, *([namespace] if namespace is not None else [])]
                self.objects[f"{obj['kind']}/{model.namespace}/{obj['metadata']['name']}"] = register(
                    f"{name}-{model.key}", obj, obj, options(*after)
                )
        self.names = sorted(inputs.routes)
        self.register_outputs({"names": self.names})
