"""The Plan: every resource a program would register, with its inputs and the stack outputs.

Its JSON form is a public contract (see DESIGN.md): readers such as the cost model, the policy pack and
the manifest renderer depend on it, so fields are only ever added.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SECRET = "[secret]"


@dataclass(frozen=True)
class ResourceOptions:
    """The resource options a registration carried, as the engine received them (in memory, not in the JSON).

    They decide how Pulumi treats the resource on later runs (ordering, replacement, deletion), which the inputs
    alone do not show; tests and reviewers read them from here instead of intercepting the engine.
    """

    # URNs the resource waits for: explicit depends_on plus those implied by Output inputs, sorted.
    dependencies: tuple[str, ...] = ()
    # Per input property, the URNs its value came from.
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    delete_before_replace: bool | None = None
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    # "create"/"update"/"delete" -> a duration such as "30m"; only the ones set.
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    retain_on_delete: bool = False
    deleted_with: str | None = None
    # The provider plugin the resource asks for (empty: the SDK's own default).
    version: str | None = None
    plugin_download_url: str | None = None


@dataclass(frozen=True)
class PlannedResource:
    """One registered resource: identity, place in the tree, mock id and inputs (engine camelCase names)."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    id: str | None
    inputs: dict[str, Any] = field(default_factory=dict)
    # The explicit provider ("<urn>::<id>") the resource uses; kept in memory for the policy checks (provider
    # default tags), not part of the JSON contract.
    provider: str | None = None
    # Former identities (Pulumi aliases) that let a rename keep the resource; in memory only, like provider.
    aliases: tuple[dict[str, Any], ...] = ()
    # Whether the resource is protected from deletion (ResourceOptions.protect); in memory only.
    protect: bool = False
    # Every other option the registration carried; in memory only.
    options: ResourceOptions = field(default_factory=ResourceOptions)

    def to_dict(self) -> dict[str, Any]:
        """The resource as the documented JSON object."""
        return {key: value for key, value in asdict(self).items() if key in JSON_FIELDS}


JSON_FIELDS = ("urn", "type", "name", "parent", "custom", "id", "inputs")


@dataclass(frozen=True)
class Plan:
    """What `inferstack plan` returns for one stack."""

    project: str
    stack: str
    resources: list[PlannedResource]
    outputs: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape as plain data."""
        return {
            "project": self.project,
            "stack": self.stack,
            "resources": [resource.to_dict() for resource in self.resources],
            "outputs": self.outputs,
        }

    def to_json(self) -> str:
        """The Plan as stable, pretty-printed, strict JSON (a non-finite number is a ValueError, never `NaN`)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=False, allow_nan=False) + "\n"

    def write(self, path: Path) -> None:
        """Write the Plan's JSON to a file atomically (an OutputError names a path that cannot be written)."""
        from inferstack.infra.files import write_file

        write_file(path, self.to_json())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Read a Plan back from its JSON data."""
        return cls(
            project=data["project"],
            stack=data["stack"],
            resources=[PlannedResource(**resource) for resource in data["resources"]],
            outputs=data["outputs"],
        )

    def of_type(self, type_token: str) -> list[PlannedResource]:
        """The resources of one type, in URN order."""
        return [resource for resource in self.resources if resource.type == type_token]

    def counts_by_type(self) -> dict[str, int]:
        """How many resources of each type, sorted by type."""
        return dict(sorted(Counter(resource.type for resource in self.resources).items()))

    def children_of(self, urn: str | None) -> list[PlannedResource]:
        """The direct children of a resource (None: the top-level resources)."""
        return [resource for resource in self.resources if resource.parent == urn]
