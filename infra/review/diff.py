"""Comparing two Plans: what a change adds, removes, updates in place, and what it would replace.

Resources are matched by identity (type, name, parent type) and through their aliases, as Pulumi matches
them; an update touching a property the provider cannot change in place is a replacement (a delete and a
create), read from the table in `replace_triggers.yaml`. Inputs under a resource's ignore_changes are not
compared, as Pulumi does not; a replacement of a resource with a fixed name says how it will go (fixed_names.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

import yaml

from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.infra.review.fixed_names import FAILS, replacement_note
from inferstack.infra.review.identity import Identity, former_identities, identity_of
from inferstack.infra.review.propagation import Fate, blocked_reason, propagate, rolling_reason
from inferstack.infra.review.version_steps import version_step_reason

Kind = Literal["add", "remove", "update", "replace", "update (replacement unknown)"]


@dataclass(frozen=True, order=True)
class Change:
    """One resource's fate in the change, with the input paths that differ."""

    kind: Kind
    identity: Identity
    paths: tuple[str, ...] = ()
    renamed_from: Identity | None = None
    # Why it changes beyond its own inputs (a replacement it follows, nodes it rolls) or why it is blocked.
    because: tuple[str, ...] = ()

    @property
    def blocked(self) -> bool:
        """Whether `pulumi up` would refuse this change (it destroys a protected resource)."""
        return any(reason.startswith("blocked:") for reason in self.because)

    @property
    def fails(self) -> bool:
        """Whether this replacement cannot work as planned (a name the cloud keeps, a configuration written twice)."""
        return any(reason.startswith(FAILS) for reason in self.because)


@cache
def _trigger_table() -> dict[str, Any]:
    # Through the package name (not the folder name), so it is found from a wheel as from the source tree.
    text = resources.files("inferstack.infra.review").joinpath("replace_triggers.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def replace_triggers() -> dict[str, tuple[str, ...]]:
    """Per resource type, the input paths whose change forces a replacement."""
    return {type_: tuple(paths) for type_, paths in _trigger_table()["types"].items()}


def not_curated() -> dict[str, str]:
    """Resource types deliberately left out of the trigger table, each with the reason."""
    return dict(_trigger_table().get("not_curated") or {})


def changed_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted paths where two input trees differ (lists are compared whole)."""
    if isinstance(old, dict) and isinstance(new, dict):
        paths: list[str] = []
        for key in sorted(set(old) | set(new)):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in old or key not in new:
                paths.append(path)
            else:
                paths += changed_paths(old[key], new[key], path)
        return paths
    return [] if old == new else [prefix or "(value)"]


def ignored(resource: PlannedResource, path: str) -> bool:
    """Whether Pulumi ignores a change at `path` (the resource's ignoreChanges): the old value stays."""
    return any(path == name or path.startswith(f"{name}.") for name in resource.options.ignore_changes)


def _forces_replacement(type_: str, paths: list[str]) -> bool | None:
    triggers = replace_triggers().get(type_)
    if triggers is None:
        return None
    return any(path == trigger or path.startswith(f"{trigger}.") for path in paths for trigger in triggers)


def diff_plans(old: Plan, new: Plan) -> list[Change]:
    """Every difference between two Plans, sorted by kind and identity.

    A replacement carries over to every resource whose inputs were computed from the replaced one, as
    Pulumi's preview shows; `because` says why a resource changes when its own inputs did not.
    """
    old_by_id = {identity_of(r): r for r in old.resources}
    formers = former_identities(new)
    matched: dict[str, PlannedResource] = {}
    renames: dict[str, Identity] = {}
    fates: dict[str, Fate] = {}
    for resource in new.resources:
        current = identity_of(resource)
        previous, renamed = _match(current, formers[resource.urn], old_by_id)
        if previous is None:
            fates[resource.urn] = Fate("add")
            continue
        matched[resource.urn] = previous
        if renamed:
            renames[resource.urn] = renamed
        paths = [path for path in changed_paths(previous.inputs, resource.inputs) if not ignored(resource, path)]
        if not paths:
            fates[resource.urn] = Fate("none")  # a rename alone is an update of state, nothing another reads
            continue
        replaced = _forces_replacement(resource.type, paths)
        kind = "update (replacement unknown)" if replaced is None else "replace" if replaced else "update"
        fates[resource.urn] = Fate(kind, list(paths))
    propagate(new, fates, _forces_replacement)
    changes: list[Change] = []
    for resource in new.resources:
        fate = fates[resource.urn]
        if fate.kind == "none":
            if resource.urn in renames:
                changes.append(Change("update", identity_of(resource), (), renames[resource.urn]))
            continue
        because = list(fate.because)
        before = matched.get(resource.urn)
        order = replacement_note(before, resource) if fate.kind == "replace" else None
        version = version_step_reason(before, resource) if fate.kind.startswith("update") else None
        for reason in (rolling_reason(resource, fate), blocked_reason(before, resource, fate.kind), order, version):
            if reason:
                because.append(reason)
        kind = cast(Kind, fate.kind)
        changes.append(
            Change(kind, identity_of(resource), tuple(fate.paths), renames.get(resource.urn), tuple(because))
        )
    seen = {identity_of(previous) for previous in matched.values()}
    for ident, previous in old_by_id.items():
        if ident not in seen:
            reason = blocked_reason(previous, None, "remove")
            changes.append(Change("remove", ident, because=(reason,) if reason else ()))
    return sorted(changes)


def _match(
    current: Identity, formers: set[Identity], old_by_id: dict[Identity, PlannedResource]
) -> tuple[PlannedResource | None, Identity | None]:
    if current in old_by_id:
        return old_by_id[current], None
    for former in sorted(formers):
        if former in old_by_id:
            return old_by_id[former], former
    return None, None
