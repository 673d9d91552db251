"""Stack inventories: what each shipped stack must plan, checked against a reviewed file under tests/inventory/.

An inventory (tests/inventory/<stack>.yaml) holds:

- `counts`: how many resources of each type the plan has (all types: a new or vanished resource fails);
- `expect`: resources (by type, and name when given) whose inputs must contain these values (subset match:
  dicts by key, lists element by element);
- `absent`: dotted input paths that must not be set on the matching resources (e.g. `vpcConfig.publicAccessCidrs`).

`python -m tests.inventory_check STACK` rewrites the counts and refreshes the values of the `expect` keys already
listed (the choice of keys and `absent` stay as reviewed); the diff is a change to review, not a reflex.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from inferstack.infra.offline.plan import Plan, PlannedResource
from inferstack.infra.offline.stacks import load_stack, plan_spec
from inferstack.infra.project import read_project

INVENTORY_DIR = Path(__file__).resolve().parent / "inventory"
SHIPPED = read_project(Path(__file__).resolve().parent.parent / "Pulumi.yaml")
_MISSING = object()


def inventory_path(stack: str) -> Path:
    """Where a stack's inventory lives."""
    return INVENTORY_DIR / f"{stack}.yaml"


def regenerate_command(stack: str) -> str:
    """The command that rewrites a stack's inventory from its current plan."""
    return f".venv/bin/python -m tests.inventory_check {stack}"


def plan_stack(stack: str) -> Plan:
    """Plan a shipped stack under the offline engine, as `inferstack plan` does (placeholder secrets)."""
    loaded = load_stack(stack, SHIPPED)
    return plan_spec(loaded.name, loaded.spec, loaded.provider_config)


def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _matches(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_matches(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return actual == expected


def _lookup(inputs: dict[str, Any], dotted: str) -> Any:
    value: Any = inputs
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _selected(plan: Plan, entry: dict[str, Any]) -> list[PlannedResource]:
    return [
        resource for resource in plan.of_type(entry["type"]) if "name" not in entry or resource.name == entry["name"]
    ]


def inventory_problems(plan: Plan, inventory: dict[str, Any]) -> list[str]:
    """Every difference between a plan and an inventory, as readable lines (empty when they agree)."""
    problems: list[str] = []
    counts = plan.counts_by_type()
    expected_counts: dict[str, int] = inventory.get("counts", {})
    for type_token in sorted(set(counts) | set(expected_counts)):
        got, want = counts.get(type_token, 0), expected_counts.get(type_token, 0)
        if got != want:
            problems.append(f"count of {type_token}: planned {got}, inventory says {want}")
    for entry in inventory.get("expect", []):
        label = f"{entry['type']} {entry.get('name', '(every one)')}"
        found = _selected(plan, entry)
        if not found:
            problems.append(f"{label}: not in the plan")
        for resource in found:
            if not _matches(resource.inputs, entry.get("inputs", {})):
                problems.append(f"{label}: inputs differ from the inventory's expect entry")
    for entry in inventory.get("absent", []):
        label = f"{entry['type']} {entry.get('name', '(every one)')}"
        found = _selected(plan, entry)
        if not found:
            problems.append(f"{label}: not in the plan")
        for resource in found:
            for key in entry["keys"]:
                if _lookup(resource.inputs, key) is not _MISSING:
                    problems.append(f"{resource.type} {resource.name}: {key} must not be set")
    return problems


def check_inventory(plan: Plan, inventory_path: Path) -> None:
    """Fail (AssertionError) listing every difference between the plan and the inventory file."""
    inventory = yaml.safe_load(inventory_path.read_text(encoding="utf-8")) if inventory_path.exists() else {}
    problems = inventory_problems(plan, inventory or {})
    if problems:
        lines = "\n  ".join(problems)
        raise AssertionError(
            f"{plan.stack} no longer matches {inventory_path}:\n  {lines}\n"
            f"If the change is intended, regenerate and review the diff: {regenerate_command(plan.stack)}"
        )


def _project(actual: Any, template: Any) -> Any:
    """The plan's value cut to the shape of the template: the keys a reviewer chose, with current values."""
    if isinstance(template, dict) and isinstance(actual, dict):
        return {key: _project(actual[key], value) for key, value in template.items() if key in actual}
    if isinstance(template, list) and isinstance(actual, list) and len(template) == len(actual):
        return [_project(a, t) for a, t in zip(actual, template, strict=True)]
    return actual


def _common(values: list[Any]) -> Any:
    """What every value agrees on: shared dict keys recursively, else the value if all are equal."""
    if values and all(isinstance(value, dict) for value in values):
        shared = {}
        for key in values[0]:
            if all(key in value for value in values):
                agreed = _common([value[key] for value in values])
                if agreed is not _MISSING:
                    shared[key] = agreed
        return shared
    return values[0] if values and all(value == values[0] for value in values) else _MISSING


def regenerate(plan: Plan, path: Path) -> dict[str, Any]:
    """The inventory rewritten from a plan: fresh counts, refreshed expect values, absent kept.

    An entry without a name applies to every resource of its type: it keeps only the values they all share.
    """
    old = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
    expect = []
    for entry in old.get("expect", []):
        found = _selected(plan, entry)
        refreshed = dict(entry)
        if found:
            projected = [_project(resource.inputs, entry.get("inputs", {})) for resource in found]
            agreed = _common(projected)
            refreshed["inputs"] = agreed if agreed is not _MISSING else {}
        expect.append(refreshed)
    return {
        "stack": plan.stack,
        "counts": plan.counts_by_type(),
        "expect": expect,
        "absent": old.get("absent", []),
    }


def main(argv: list[str]) -> int:
    """Regenerate the inventory of each stack named on the command line."""
    if not argv:
        print("usage: python -m tests.inventory_check STACK [STACK ...]", file=sys.stderr)
        return 2
    for stack in argv:
        path = inventory_path(stack)
        data = regenerate(plan_stack(stack), path)
        header = f"# Inventory of stack {stack}: reviewed, regenerated with `{regenerate_command(stack)}`.\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + yaml.safe_dump(data, sort_keys=False, width=110), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
