"""Finding stack files: a STACK argument is a stack name under stacks/ or a path to a Pulumi.<stack>.yaml."""

from __future__ import annotations

from pathlib import Path

from inferstack.spec import SpecError, SpecIssue

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def stacks_dir() -> Path:
    """The stacks/ directory: the current project's if there is one here, else the one beside this package."""
    local = Path.cwd() / "stacks"
    return local if (Path.cwd() / "Pulumi.yaml").is_file() and local.is_dir() else PROJECT_ROOT / "stacks"


def shipped_stacks() -> dict[str, Path]:
    """Every stack file under stacks/, by stack name."""
    found = {}
    for path in sorted(stacks_dir().glob("Pulumi.*.yaml")):
        found[path.name.removeprefix("Pulumi.").removesuffix(".yaml")] = path
    return found


def resolve_stack(stack: str) -> Path:
    """The stack file a STACK argument names; a SpecError naming the known stacks when there is none."""
    candidate = Path(stack)
    if candidate.suffix in {".yaml", ".yml"} or "/" in stack:
        if candidate.is_file():
            return candidate
        raise SpecError([SpecIssue(stack, "no such stack file", "give a path to an existing Pulumi.<stack>.yaml")])
    known = shipped_stacks()
    if stack in known:
        return known[stack]
    raise SpecError(
        [
            SpecIssue(
                stack,
                f"no stack named {stack!r} in {stacks_dir()}",
                f"known stacks: {', '.join(known) or 'none'}",
            )
        ]
    )
