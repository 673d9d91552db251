"""Pure decisions of the inference gateway: whether a stack has one, and which models serve which name.

A name served by one model routes to that model's InferencePool, whose endpoint picker chooses the replica;
a name shared by several models (two revisions during a canary) is split between them by weight.
"""

from __future__ import annotations

from dataclasses import dataclass

from inferstack.planning.served_names import served_names
from inferstack.spec.gateway_parts import RouteSpec
from inferstack.spec.models import EnvironmentSpec

DEFAULT_ROUTE = RouteSpec()


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
