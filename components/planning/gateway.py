"""Pure decisions of the inference gateway: whether a stack has one, and which models serve which name.

A name served by one model routes to that model's InferencePool, whose endpoint picker chooses the replica;
a name shared by several models (two revisions during a canary) is split between them by weight. A name served by
one model that sleeps at zero and wakes routes to the KEDA HTTP add-on's interceptor instead, which holds the request
while a replica starts (an InferencePool with no endpoints answers 503 at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from inferstack.planning.served_names import served_names
from inferstack.planning.wake import wakes
from inferstack.spec.gateway_parts import RouteSpec
from inferstack.spec.models import EnvironmentSpec

DEFAULT_ROUTE = RouteSpec()
# The header AI Gateway writes the request body's `model` into before routing (its examples, v1.1.0) and forwards
# upstream (envoyproxy/ai-gateway issue #1872, 2026-02-17: the backend receives it): the interceptor matches it.
MODEL_HEADER = "x-ai-eg-model"


@dataclass(frozen=True)
class RouteTarget:
    """One model behind a served name, and its share of that name's traffic."""

    key: str
    weight: int


def gateway_enabled(spec: EnvironmentSpec) -> bool:
    """The spec's `gateway.enabled`, or by default: on when the stack serves more than one model."""
    if spec.gateway.enabled is not None:
        return spec.gateway.enabled
    return len(spec.models) > 1


def rule_name(served_name: str) -> str:
    """The route rule of a served name: a lowercase DNS label (Gateway API SectionName), unique per route."""
    # A served name may hold / . : and capitals (hub ids); the rule name may not.
    label = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in served_name.lower()).strip("-")
    return label[:63].rstrip("-") or "model"


def route_table(spec: EnvironmentSpec) -> dict[str, tuple[RouteTarget, ...]]:
    """Served name -> the models answering it with their weights, sorted by name, then by model key."""
    table: dict[str, list[RouteTarget]] = {}
    for key, model in sorted(spec.models.items()):
        weight = (model.route or DEFAULT_ROUTE).weight
        for name in served_names(key, model):
            table.setdefault(name, []).append(RouteTarget(key, weight))
    return {name: tuple(targets) for name, targets in sorted(table.items())}


def wake_routes(spec: EnvironmentSpec) -> dict[str, tuple[str, ...]]:
    """Model key -> the names the gateway sends to the interceptor for it: its unshared names, when it wakes.

    Empty without a gateway. A name shared in a weighted split still goes to the models' Services (the split needs
    one backend per revision), so a waking model in a split is not woken through that name (validation warns).
    """
    if not gateway_enabled(spec):
        return {}
    names: dict[str, list[str]] = {}
    for name, targets in route_table(spec).items():
        if len(targets) == 1 and wakes(spec.models[targets[0].key]):
            names.setdefault(targets[0].key, []).append(name)
    return {key: tuple(found) for key, found in sorted(names.items())}
