"""What a change does to the resources that read it: replacements that cascade, node groups that roll, and
protected resources a change would have to destroy.

A Plan records, per input of each resource, the URNs that input was computed from (the SDK's property
dependencies). When a resource is replaced, its id and outputs are new, so every input computed from it changes
too: Pulumi's preview shows those dependents as updated, or replaced when the input forces a replacement. Some
in-place updates also change an output others read (a launch template's latest version), and some updates are
disruptive although in place (an EKS node group replaces every node, one at a time).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.provider_types import Aws

# In-place updates that change an output other resources read: an updated launch template gets a new version
# (`latestVersion`), which the node group that names it picks up (terraform-provider-aws: aws_launch_template
# `latest_version` is computed and bumped on every update).
OUTPUTS_CHANGED_BY_UPDATE: Mapping[str, tuple[str, ...]] = {Aws.LAUNCH_TEMPLATE: ("latestVersion",)}

# In-place updates that still replace running capacity: EKS updates a managed node group's launch template
# version or release version by a rolling update that drains and replaces every node (EKS "Updating a managed
# node group", update strategy: surge new nodes, then cordon and drain the old ones).
ROLLING_PATHS: Mapping[str, tuple[str, ...]] = {Aws.EKS_NODE_GROUP: ("launchTemplate", "releaseVersion", "version")}


@dataclass
class Fate:
    """What the diff has decided for one resource so far: a kind, its changed paths and why."""

    kind: str
    paths: list[str] = field(default_factory=list)
    because: list[str] = field(default_factory=list)


def dependents_of(plan: Plan) -> dict[str, list[tuple[PlannedResource, str]]]:
    """URN -> the (resource, input key) pairs of `plan` whose input was computed from that resource."""
    found: dict[str, list[tuple[PlannedResource, str]]] = {}
    for resource in plan.resources:
        for key, urns in resource.options.property_dependencies.items():
            for urn in urns:
                found.setdefault(urn, []).append((resource, key))
    return found


def propagate(
    new: Plan,
    fates: dict[str, Fate],
    forces_replacement: Callable[[str, list[str]], bool | None],
) -> None:
    """Carry replacements (and output-changing updates) to every resource whose inputs read them, in place."""
    dependents = dependents_of(new)
    by_urn = {resource.urn: resource for resource in new.resources}
    queue = deque(urn for urn, fate in sorted(fates.items()) if _changes_outputs(by_urn[urn], fate))
    while queue:
        source = by_urn[queue.popleft()]
        source_fate = fates[source.urn]
        what = "replacement" if source_fate.kind == "replace" else "update"
        for dependent, key in dependents.get(source.urn, []):
            fate = fates.setdefault(dependent.urn, Fate("none"))
            if fate.kind in ("add", "replace") or key in fate.paths:
                continue
            fate.paths.append(key)
            fate.because.append(f"{key} follows the {what} of {source.name}")
            replaced = forces_replacement(dependent.type, [key])
            before = fate.kind
            if replaced:
                fate.kind = "replace"
            elif fate.kind in ("none", "update"):
                fate.kind = "update (replacement unknown)" if replaced is None else "update"
            if fate.kind != before and _changes_outputs(dependent, fate):
                queue.append(dependent.urn)


def _changes_outputs(resource: PlannedResource, fate: Fate) -> bool:
    if fate.kind == "replace":
        return True
    return fate.kind == "update" and resource.type in OUTPUTS_CHANGED_BY_UPDATE


def rolling_reason(resource: PlannedResource, fate: Fate) -> str | None:
    """Why an in-place update still replaces running nodes (or None)."""
    paths = ROLLING_PATHS.get(resource.type, ())
    if fate.kind.startswith("update") and any(p == r or p.startswith(f"{r}.") for p in fate.paths for r in paths):
        return "rolls every node: EKS drains and replaces the group's nodes one at a time"
    return None


def blocked_reason(old: PlannedResource | None, new: PlannedResource | None, kind: str) -> str | None:
    """Why `pulumi up` would stop at this change: it destroys a protected resource (or None)."""
    if kind == "remove" and old is not None and old.protect:
        return "blocked: protected, pulumi up refuses to delete it (unprotect it first, on purpose)"
    if kind == "replace" and ((new is not None and new.protect) or (old is not None and old.protect)):
        return "blocked: protected, pulumi up refuses to replace it (a replacement deletes it)"
    return None
