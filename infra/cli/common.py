"""What every command shares: the consoles, the exit codes, the project option, and errors turned into exits.

Services (inferstack.infra.offline.stacks, review/) return data or raise; this module is where an exception
becomes a message on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from inferstack.infra.project import Project, ProjectError, find_project, looks_like_path, open_project

if TYPE_CHECKING:
    from rich.console import Console

    from inferstack.infra.offline.plan import Plan
    from inferstack.infra.offline.stacks import LoadedStack

EXIT_POLICY = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_ENVIRONMENT = 4


# Width of tables when the output is not a terminal (a CI log, a pipe): wide enough that no row wraps.
LOG_WIDTH = 1000


@cache
def out() -> Console:
    """The console for results (tables, trees); built on first use, so commands that print plain text skip rich.

    On a terminal, rich fits its width; in a log or a pipe nothing wraps at rich's default 80 columns.
    """
    import sys

    from rich.console import Console

    if sys.stdout.isatty():
        return Console()
    return Console(soft_wrap=True, width=LOG_WIDTH)


@cache
def err() -> Console:
    """The console for problems, on stderr, never wrapped (a message is copied whole into an issue or a log)."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def say(text: str) -> None:
    """Print a line holding user strings literally: brackets are text, never rich markup."""
    out().print(text, markup=False, highlight=False)


PolicyConfigOption = Annotated[
    Path | None,
    typer.Option("--policy-config", help="Policy config file (the format of pulumi's --policy-pack-config)."),
]
StackArg = Annotated[
    str,
    typer.Argument(help="Stack name in the project (e.g. aws-dev) or a path to a Pulumi.<stack>.yaml file."),
]


@dataclass
class Options:
    """The global options, kept on the typer context for every command."""

    project_dir: Path | None = None


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    """Print a message (no markup, no traceback) and leave with an exit code."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def project_of(ctx: typer.Context) -> Project | None:
    """The project of `--project`, else the nearest Pulumi.yaml at or above the current directory (or None)."""
    options = ctx.obj if isinstance(ctx.obj, Options) else Options()
    try:
        return open_project(options.project_dir) if options.project_dir else find_project()
    except ProjectError as error:
        fail(str(error))


def load(ctx: typer.Context, stack: str) -> LoadedStack:
    """Resolve and validate a stack, printing each `auto` choice and each warning (stderr); on bad input exit 2."""
    from inferstack.infra.offline.stacks import load_stack
    from inferstack.spec import SpecError

    # A path needs no project: a broken Pulumi.yaml nearby must not stop `validate path/to/Pulumi.x.yaml`.
    project = None if looks_like_path(stack) else project_of(ctx)
    try:
        loaded = load_stack(stack, project)
    except (ProjectError, SpecError) as error:
        fail(str(error))
    for choice in loaded.choices:
        typer.echo(f"auto: {choice}")
    for warning in loaded.warnings:
        # Plain text, never rich markup: a warning is copied whole into a log or an issue.
        typer.echo(f"warning: {warning}", err=True)
    return loaded


def plan_loaded(loaded: LoadedStack) -> Plan:
    """Plan a validated stack under the offline engine; exit 3 if the engine fails (a bug to report)."""
    from inferstack.infra.offline.engine import OfflineEngineError
    from inferstack.infra.offline.stacks import plan_spec

    try:
        return plan_spec(loaded.name, loaded.spec, loaded.provider_config)
    except OfflineEngineError as error:
        fail(f"internal error: {error}", EXIT_INTERNAL)


def plan_of(ctx: typer.Context, argument: str) -> Plan:
    """A Plan from a Plan JSON file (exit 2 if unreadable), or by planning a stack offline."""
    from inferstack.infra.offline.stacks import PlanFileError, read_plan

    if argument.endswith(".json"):
        try:
            return read_plan(Path(argument))
        except PlanFileError as error:
            fail(str(error))
    return plan_loaded(load(ctx, argument))
