"""Resource identities: what Pulumi matches between two runs, so a refactor never destroys and recreates.

Pulumi keeps a resource across a change when its URN is the same: its type, its name and its parents' types.
An identity that disappears without an alias pointing back to it is a delete plus a create — for a bucket or
a key that is data loss. `python -m inferstack.infra.review.identity STACK` prints a stack's identities in the
format of the files under tests/identities/.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from inferstack.infra.offline.plan import Plan, PlannedResource


@dataclass(frozen=True, order=True)
class Identity:
    """The parts of a URN that survive a run: type, name and the parent's type (None at the top)."""

    type: str
    name: str
    parent_type: str | None

    def line(self) -> str:
        """The identity as one line of an identities file."""
        return f"{self.type} {self.name} {self.parent_type or '-'}"

    @classmethod
    def parse(cls, line: str) -> Identity:
        """Read one line of an identities file."""
        type_, name, parent = line.split()
        return cls(type_, name, None if parent == "-" else parent)


def _urn_parts(urn: str) -> tuple[str, str, str | None]:
    """(type, name, parent type) from a URN 'urn:pulumi:stack::project::parent$…$type::name'."""
    type_chain, name = urn.split("::")[2], urn.split("::", 3)[3]
    types = type_chain.split("$")
    parent = types[-2] if len(types) > 1 and types[-2] != "pulumi:pulumi:Stack" else None
    return types[-1], name, parent


def identity_of(resource: PlannedResource) -> Identity:
    """A resource's identity, read from its URN."""
    return Identity(*_urn_parts(resource.urn))


def alias_identities(resource: PlannedResource) -> set[Identity]:
    """The former identities a resource's aliases claim."""
    current = identity_of(resource)
    found = set()
    for alias in resource.aliases:
        if alias.get("urn"):
            found.add(Identity(*_urn_parts(alias["urn"])))
            continue
        parent: Any = current.parent_type
        if alias.get("noParent"):
            parent = None
        elif alias.get("parentUrn"):
            parent = _urn_parts(alias["parentUrn"])[0]
        found.add(Identity(alias.get("type") or current.type, alias.get("name") or current.name, parent))
    return found


def former_identities(plan: Plan) -> dict[str, set[Identity]]:
    """Per URN, every former identity Pulumi would match the resource by: its own aliases, and its parent's.

    The engine (not the SDK: under alias specs, which the mock monitor also claims, the SDK sends only a
    resource's own aliases) derives a child's aliases from its parent's: the child under each former parent,
    its name's parent prefix swapped for the former parent's name. Without this, a renamed component would look
    as if it destroyed every child.
    """
    by_urn = {resource.urn: resource for resource in plan.resources}
    found: dict[str, set[Identity]] = {}

    def former(resource: PlannedResource) -> set[Identity]:
        if resource.urn in found:
            return found[resource.urn]
        own = alias_identities(resource)
        result = set(own)
        parent = by_urn.get(resource.parent) if resource.parent else None
        if parent is not None:
            for old_parent in former(parent):
                for child in (identity_of(resource), *own):
                    name = child.name
                    if name.startswith(parent.name):
                        name = old_parent.name + name[len(parent.name) :]
                    result.add(Identity(child.type, name, old_parent.type))
        found[resource.urn] = result
        return result

    for resource in plan.resources:
        former(resource)
    return found


def identities(plan: Plan) -> list[Identity]:
    """Every identity in a Plan, sorted."""
    return sorted(identity_of(resource) for resource in plan.resources)


def lost_identities(recorded: list[Identity], plan: Plan) -> list[Identity]:
    """Recorded identities the Plan neither keeps nor aliases: those resources would be destroyed."""
    kept = set(identities(plan))
    for former in former_identities(plan).values():
        kept |= former
    return sorted(set(recorded) - kept)


def main(argv: list[str]) -> int:
    """Print the identities of one stack's plan (the content of tests/identities/<stack>.txt)."""
    from inferstack.infra.offline.stacks import load_stack, plan_spec
    from inferstack.infra.project import ProjectError, find_project
    from inferstack.spec import SpecError

    if len(argv) != 1:
        print("usage: python -m inferstack.infra.review.identity STACK", file=sys.stderr)
        return 2
    try:
        loaded = load_stack(argv[0], find_project())
    except (ProjectError, SpecError) as error:
        print(error, file=sys.stderr)
        return 2
    for item in identities(plan_spec(loaded.name, loaded.spec, loaded.provider_config)):
        print(item.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
