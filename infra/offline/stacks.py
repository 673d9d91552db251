"""A stack offline, as every command sees it: its file found in the project, validated, and planned.

Functions here return data or raise (ProjectError, SpecError, OfflineEngineError, PlanFileError); turning those
into messages and exit codes is the CLI's job. The Pulumi SDK is imported only when something is planned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inferstack.infra.project import Project, resolve_stack, stack_name_of

if TYPE_CHECKING:
    from inferstack.infra.offline.plan import Plan
    from inferstack.spec import EnvironmentSpec


class PlanFileError(ValueError):
    """A file given as a Plan JSON that cannot be read as one."""


@dataclass(frozen=True)
class LoadedStack:
    """A validated stack: its name, its file, its spec, each value chosen for `auto` and its warnings."""

    name: str
    path: Path
    spec: EnvironmentSpec
    choices: list[Any] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)
    provider_config: dict[str, str] = field(default_factory=dict)


def load_stack(stack: str, project: Project | None) -> LoadedStack:
    """Resolve a STACK argument (a stack name in the project, or a path) and validate its file."""
    from inferstack.validation.load import load_stack_file_checked

    path = resolve_stack(stack, project)
    checked = load_stack_file_checked(path)
    return LoadedStack(
        stack_name_of(path),
        path,
        checked.spec,
        list(checked.choices),
        list(checked.warnings),
        dict(checked.provider_config),
    )


def plan_spec(stack_name: str, spec: EnvironmentSpec, provider_config: Mapping[str, str] | None = None) -> Plan:
    """Run the program for a validated spec under the offline engine, with placeholder secrets.

    Every resource and invoke must use an explicit provider (the program creates them from the spec), so no
    ambient region or project can change what a deploy creates. `provider_config` is the stack's provider
    settings (`gcp:project`, …), which the program reads as `pulumi up` would.
    """
    from inferstack.infra.offline.engine import run_offline
    from inferstack.infra.offline.offline_config import offline_secret_config
    from inferstack.infra.program import build

    secrets = offline_secret_config(spec)
    config = {**(provider_config or {}), **secrets}
    return run_offline(
        lambda: build(spec), stack=stack_name, config=config, secret_keys=list(secrets), explicit_providers=True
    )


def read_plan(path: Path) -> Plan:
    """A Plan read back from the JSON that `inferstack plan --json` writes; a PlanFileError says what is wrong."""
    import json

    from inferstack.infra.offline.plan import JSON_FIELDS, Plan, PlannedResource

    def refuse_constant(name: str) -> float:
        raise ValueError(f"{name} is not JSON")

    try:
        data = json.loads(path.read_bytes().decode("utf-8"), parse_constant=refuse_constant)
    except OSError as error:
        raise PlanFileError(f"{path}: cannot be read ({error.strerror}) — check the path") from None
    except (ValueError, RecursionError) as error:
        raise PlanFileError(f"{path}: not a readable Plan JSON file ({error}) — write it with plan --json") from None
    problem = _plan_problem(data, JSON_FIELDS)
    if problem:
        raise PlanFileError(f"{path}: not a Plan JSON file: {problem} — write it with plan --json")
    return Plan(
        project=data["project"],
        stack=data["stack"],
        resources=[PlannedResource(**{key: item[key] for key in JSON_FIELDS}) for item in data["resources"]],
        outputs=data["outputs"],
    )


# The documented type of each resource field (DESIGN.md, the Plan JSON); None where null is allowed.
_RESOURCE_TYPES: dict[str, tuple[type | None, ...]] = {
    "urn": (str,),
    "type": (str,),
    "name": (str,),
    "parent": (str, None),
    "custom": (bool,),
    "id": (str, None),
    "inputs": (dict,),
}


def _plan_problem(data: object, fields: tuple[str, ...]) -> str:
    """What makes decoded JSON not a Plan (empty when it is one)."""
    if not isinstance(data, dict):
        return f"the top level is {type(data).__name__}, not an object"
    for key, kind in (("project", str), ("stack", str), ("resources", list), ("outputs", dict)):
        if not isinstance(data.get(key), kind):
            return f"{key!r} is missing or not {kind.__name__}"
    for index, item in enumerate(data["resources"]):
        if not isinstance(item, dict):
            return f"resources[{index}] is not an object"
        for key in fields:
            allowed = _RESOURCE_TYPES[key]
            value = item.get(key)
            if not (value is None and None in allowed) and not isinstance(value, tuple(t for t in allowed if t)):
                return f"resources[{index}].{key} is missing or of the wrong type"
    return ""
