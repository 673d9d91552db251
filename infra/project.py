"""The Pulumi project a command works on: found from the current directory (or `--project`), as Pulumi does.

A team runs an installed inferstack inside its own repository, so the project is never derived from where the
package lives. Pulumi's rules: the project file is the nearest `Pulumi.yaml` (or `Pulumi.yml`) at or above the
working directory; stack files are `Pulumi.<stack>.yaml` (the project file's extension) in the project's
`stackConfigDir`, or beside the project file when it names none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
STACK_SUFFIXES = (".yaml", ".yml")
NO_PROJECT = (
    "no Pulumi.yaml found in {where} or any folder above it, so there is no project to find stacks in — run "
    "inferstack inside a Pulumi project or pass --project DIR (a path to a stack file also works)"
)


class ProjectError(ValueError):
    """No project, a broken project file, or a stack the project does not have; the message says what to do."""


@dataclass(frozen=True)
class Project:
    """A Pulumi project on disk: its project file and the folder its stack files live in."""

    file: Path
    name: str
    stack_config_dir: Path

    @property
    def root(self) -> Path:
        """The project folder (the one holding Pulumi.yaml): Pulumi's work dir for this project."""
        return self.file.parent

    def stack_file(self, stack: str) -> Path:
        """Where the stack file of a stack name lives (whether or not it exists)."""
        return self.stack_config_dir / f"Pulumi.{stack}{self.file.suffix}"

    def stacks(self) -> dict[str, Path]:
        """Every stack file of the project, by stack name, sorted by name."""
        found: dict[str, Path] = {}
        if not self.stack_config_dir.is_dir():
            return found
        for path in sorted(self.stack_config_dir.glob(f"Pulumi.*{self.file.suffix}")):
            if path.is_file():
                found[stack_name_of(path)] = path
        return found


def stack_name_of(path: Path) -> str:
    """The stack a stack file is for: `Pulumi.aws-dev.yaml` -> `aws-dev`."""
    name = path.name.removeprefix("Pulumi.")
    for suffix in STACK_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def read_project(project_file: Path) -> Project:
    """The project a `Pulumi.yaml` describes; a ProjectError when it is unreadable or not a mapping."""
    from inferstack.spec.yaml_reader import YamlProblems, decode, load_yaml

    try:
        document = load_yaml(decode(project_file.read_bytes()))
    except (OSError, YamlProblems) as error:
        raise ProjectError(f"{project_file}: not a readable Pulumi project file ({error})") from None
    if not isinstance(document, dict):
        raise ProjectError(f"{project_file}: a Pulumi project file must be a mapping with at least `name`")
    # Older projects spell stackConfigDir as a string `config` (Pulumi still reads it that way).
    legacy = document.get("config") if isinstance(document.get("config"), str) else None
    config_dir = document.get("stackConfigDir") or legacy or "."
    if not isinstance(config_dir, str):
        raise ProjectError(f"{project_file}: stackConfigDir must be a path relative to the project")
    return Project(
        file=project_file.resolve(),
        name=str(document.get("name") or project_file.parent.name),
        stack_config_dir=(project_file.parent / config_dir).resolve(),
    )


def find_project(start: Path | None = None) -> Project | None:
    """The project of the nearest Pulumi.yaml at or above `start` (default: the current directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in PROJECT_FILES:
            if (folder / name).is_file():
                return read_project(folder / name)
    return None


def open_project(location: Path) -> Project:
    """The project named by `--project`: a folder holding Pulumi.yaml, or the Pulumi.yaml itself."""
    if location.is_file() and location.name in PROJECT_FILES:
        return read_project(location)
    for name in PROJECT_FILES:
        if (location / name).is_file():
            return read_project(location / name)
    raise ProjectError(f"--project {location}: no Pulumi.yaml there (give the folder that holds the project file)")


def looks_like_path(stack: str) -> bool:
    """Whether a STACK argument names a file rather than a stack (it has a YAML suffix or a folder in it)."""
    return Path(stack).suffix in STACK_SUFFIXES or "/" in stack


def resolve_stack(stack: str, project: Project | None) -> Path:
    """The stack file a STACK argument names: a path to a stack file, or a stack name in the project."""
    if looks_like_path(stack):
        candidate = Path(stack)
        if candidate.is_file():
            return candidate
        raise ProjectError(f"{stack}: no such stack file — give a path to an existing Pulumi.<stack>.yaml")
    if project is None:
        raise ProjectError(f"{stack}: " + NO_PROJECT.format(where=Path.cwd()))
    known = project.stacks()
    if stack in known:
        return known[stack]
    expected = project.stack_file(stack)
    for suffix in STACK_SUFFIXES:
        other = expected.with_suffix(suffix)
        if other != expected and other.is_file():
            # Pulumi reads Pulumi.<stack> with the project file's own extension, never the other one.
            raise ProjectError(
                f"{stack}: {other.name} is not read by Pulumi in this project (its project file is "
                f"{project.file.name}, so the stack file is {expected.name}) — rename it to {expected.name}"
            )
    raise ProjectError(
        f"{stack}: no stack named {stack!r} in {project.stack_config_dir} (project {project.name}) — "
        f"known stacks: {', '.join(known) or 'none'}"
    )
