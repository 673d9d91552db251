"""What a replacement does to a resource whose physical name the program fixed: a gap, or a failure.

Pulumi replaces by creating the new resource first, then deleting the old one, unless the provider or the
program asks for the reverse. A fixed name changes that picture (the rules and their sources are in
`fixed_names.yaml`): the bridge deletes an explicitly named resource first, which leaves a gap until the new one
is ready; a name the cloud never frees, or a per-parent configuration created twice, cannot be replaced as
planned at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from inferstack.infra.offline.plan import PlannedResource

# Why-notes that mean `pulumi up` will not do what the plan says start with this.
FAILS = "fails:"
DELETES_FIRST = "deletes first:"


@dataclass(frozen=True)
class NamedBy:
    """How one resource type is named: the input holding the physical name and what Pulumi does with it."""

    name: str
    # Inputs that, with the name, identify the physical resource (a key's ring): another scope, another resource.
    scope: tuple[str, ...] = ()
    autonamed: bool = False
    never_freed: bool = False
    singleton: bool = False


@cache
def fixed_names() -> tuple[dict[str, NamedBy], NamedBy]:
    """The per-type naming table, and the rule for every other Kubernetes object."""
    # Through the package name, so it is found from a wheel as from the source tree.
    text = resources.files("inferstack.infra.review").joinpath("fixed_names.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {type_: _rule(rule) for type_, rule in data["types"].items()}, _rule(data["kubernetes"])


def _rule(data: dict[str, Any]) -> NamedBy:
    return NamedBy(**{**data, "scope": tuple(data.get("scope", ()))})


def named_by(type_: str) -> NamedBy | None:
    """The naming rule of a resource type, if inferstack names it itself."""
    table, kubernetes = fixed_names()
    if type_ in table:
        return table[type_]
    return kubernetes if type_.startswith("kubernetes:") and not type_.startswith("kubernetes:helm.sh/") else None


def _at(inputs: dict[str, Any], path: str) -> Any:
    node: Any = inputs
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def replacement_note(old: PlannedResource | None, new: PlannedResource) -> str | None:
    """For a replaced resource: how its fixed name makes the replacement go (None when nothing is fixed)."""
    rule = named_by(new.type)
    name = _at(new.inputs, rule.name) if rule else None
    if rule is None or not isinstance(name, str):
        return None  # a generated or prefixed name: the new one is created first, under a new name
    same_name = old is not None and all(_at(old.inputs, p) == _at(new.inputs, p) for p in (rule.name, *rule.scope))
    if rule.never_freed and same_name:
        return f"{FAILS} the name {name} is never freed after deletion, so the replacement cannot take it"
    first = new.options.delete_before_replace or rule.autonamed
    if rule.singleton and same_name and not first:
        return (
            f"{FAILS} one configuration per {name}: the replacement writes it, then deleting the old one removes it"
            " (set delete_before_replace)"
        )
    if first:
        why = "delete_before_replace is set" if new.options.delete_before_replace else "its name is fixed"
        return f"{DELETES_FIRST} {why}, so the old one is deleted before its replacement exists (a gap)"
    return None
