"""`inferstack deploy` and `destroy`: real changes through the Automation API, every precondition checked first.

`inferstack.infra.deploy` is imported when a command runs, like every service, so the CLI starts small.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from inferstack.infra.cli.common import (
    EXIT_ENVIRONMENT,
    EXIT_POLICY,
    PolicyConfigOption,
    StackArg,
    err,
    fail,
    load,
    out,
    project_of,
)
from inferstack.infra.project import NO_PROJECT

if TYPE_CHECKING:
    from inferstack.infra.deploy import Step
    from inferstack.infra.offline.stacks import LoadedStack


def deploy(
    ctx: typer.Context,
    stack: StackArg,
    preview: Annotated[
        bool, typer.Option("--preview", help="Only preview (with the policy pack); change nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before changing anything (for CI).")] = False,
    policy_config: PolicyConfigOption = None,
) -> None:
    """Preview and apply a stack with the Pulumi CLI (Automation API), the policy pack attached."""
    from inferstack.infra import deploy as live

    loaded = load(ctx, stack)
    steps = live.deploy_steps(loaded.name, preview_only=preview, yes=yes, policy_config=policy_config)
    execute(ctx, loaded, steps)


def destroy(
    ctx: typer.Context,
    stack: StackArg,
    force: Annotated[bool, typer.Option("--force", help="Required for production stacks.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before destroying (for CI).")] = False,
) -> None:
    """Destroy a stack's resources; refused while the stack protects its data."""
    from inferstack.infra import deploy as live

    loaded = load(ctx, stack)
    try:
        steps = live.destroy_steps(loaded.name, loaded.spec, force=force, yes=yes)
    except live.DeployRefused as error:
        fail(f"refused: {error}", EXIT_ENVIRONMENT)
    execute(ctx, loaded, steps)
    for note in live.after_destroy_notes(loaded.spec):
        err().print(f"note: {note}", markup=False, highlight=False)


def execute(ctx: typer.Context, loaded: LoadedStack, steps: list[Step]) -> None:
    """Check this machine first, then run the steps in the project folder; every failure is a message and a code."""
    from inferstack.infra import deploy as live

    spec = loaded.spec
    project = project_of(ctx)
    if project is None:
        # The Automation API runs Pulumi in the project folder: a stack file alone is not enough to deploy.
        fail("cannot deploy: " + NO_PROJECT.format(where=Path.cwd()))
    expected = project.stack_file(loaded.name)
    if loaded.path.resolve() != expected:
        # Pulumi reads the stack's config from the project's own file: deploying another one would apply a
        # configuration other than the one just validated.
        fail(
            f"cannot deploy {loaded.path}: Pulumi would read stack {loaded.name} from {expected} (project "
            f"{project.root}) — deploy by stack name, or pass --project for the project that holds this file"
        )
    problems = live.preflight_problems(spec, live.observe_machine(spec))
    if not problems and live.endpoint_is_private(spec):
        # Only a real deploy from this machine probes: a private endpoint must be reachable from where Pulumi runs.
        endpoint = live.observe_endpoint(loaded.name, project.root)
        problems = live.endpoint_problems(loaded.name, spec, endpoint, live.tcp_reachable)
        for note in live.endpoint_notes(loaded.name, spec, endpoint):
            err().print(f"note: {note}", markup=False, highlight=False)
    if problems:
        err().print("cannot deploy from this machine:", markup=False)
        for problem in problems:
            err().print(f"  - {problem}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ENVIRONMENT)
    if any(step.needs_confirmation for step in steps) and not sys.stdin.isatty():
        fail("no terminal to confirm on: add --yes to run non-interactively", EXIT_ENVIRONMENT)
    from pulumi.automation import errors as auto_errors

    try:
        live.run_steps(
            steps,
            work_dir=project.root,
            confirm=lambda question: typer.confirm(question),
            echo=lambda line: out().print(line, markup=False),
        )
    except live.DeployRefused as error:
        fail(str(error), EXIT_ENVIRONMENT)
    except auto_errors.CommandError as error:
        fail(f"pulumi failed: {error}", EXIT_POLICY)


def register(app: typer.Typer) -> None:
    """Add `deploy` and `destroy` to the main app."""
    app.command()(deploy)
    app.command()(destroy)
