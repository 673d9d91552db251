"""`inferstack plan`, `check` and `diff`: a stack's offline Plan, its policy findings, and what a change does.

These commands run the Pulumi program, so they import the engine (and through it the provider SDKs) when
they run, never when the CLI starts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from inferstack.infra.cli.common import (
    EXIT_INTERNAL,
    EXIT_POLICY,
    PolicyConfigOption,
    StackArg,
    err,
    fail,
    load,
    out,
    plan_loaded,
    plan_of,
    project_of,
)
from inferstack.infra.project import NO_PROJECT

if TYPE_CHECKING:
    from rich.console import Console

    from inferstack.infra.offline.plan import Plan
    from inferstack.infra.review.diff import Change

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of a table.")]


def plan(
    ctx: typer.Context,
    stack: StackArg,
    json_file: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the Plan as JSON to this file (`-`: to stdout, the rest to stderr)."),
    ] = None,
    policy_config: PolicyConfigOption = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Also write every Kubernetes object as YAML into this directory.")
    ] = None,
) -> None:
    """Show every resource the stack would create, and the policy findings, without a cloud account."""
    from inferstack.infra.cli.render import cost_summary_line, resource_tree, type_counts
    from inferstack.infra.files import OutputError
    from inferstack.infra.review.cost import stack_cost
    from inferstack.infra.review.manifests import write_manifests

    loaded = load(ctx, stack)
    result = plan_loaded(loaded)
    to_stdout = json_file is not None and str(json_file) == "-"
    # With `--json -` stdout carries the Plan only, so the tree and tables go to stderr.
    console = err() if to_stdout else out()
    console.print(resource_tree(result))
    console.print(type_counts(result))
    console.print(cost_summary_line(*stack_cost(loaded.spec, result.resources)), highlight=False, markup=False)
    try:
        text = result.to_json()
        if to_stdout:
            typer.echo(text, nl=False)
        elif json_file is not None:
            result.write(json_file)
            console.print(f"Plan written to {json_file}", markup=False, highlight=False)
        if out_dir is not None:
            written = write_manifests(result, out_dir)
            console.print(f"{len(written)} manifest(s) written to {out_dir}", markup=False, highlight=False)
    except OutputError as error:
        fail(str(error))
    except ValueError as error:
        # A non-finite number in a plan is a bug of the program or a mock: strict JSON has no NaN to write.
        fail(f"internal error: the Plan is not strict JSON ({error})", EXIT_INTERNAL)
    report_policies(result, policy_config, console=console)


def check(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="A stack (as for plan), or a Plan JSON file written by plan --json.")],
    policy_config: PolicyConfigOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the policy pack over a stack's plan offline (exit 1 when a mandatory rule fails)."""
    report_policies(plan_of(ctx, stack), policy_config, as_json=as_json)


def report_policies(
    result: Plan, config_file: Path | None, *, as_json: bool = False, console: Console | None = None
) -> None:
    """Print the policy findings of a Plan; exit 1 when a mandatory rule fails, 2 on a bad config file."""
    from dataclasses import asdict

    from inferstack.infra.cli.render import findings_table
    from inferstack.infra.review.policy_check import (
        PolicyConfigError,
        default_policy_config,
        evaluate,
        load_policy_config,
        mandatory,
    )

    try:
        user_config = load_policy_config(config_file) if config_file else {}
    except PolicyConfigError as error:
        fail(str(error))
    findings = evaluate(result, default_policy_config(result), user_config)
    if as_json:
        typer.echo(json.dumps([asdict(finding) for finding in findings], indent=2))
    else:
        (console or out()).print(findings_table(findings))
    blocking = mandatory(findings)
    if blocking:
        err().print(f"{len(blocking)} mandatory policy violation(s)", style="bold red")
        raise typer.Exit(EXIT_POLICY)


def diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The old side: a stack, or a Plan JSON file.")],
    new: Annotated[
        str | None, typer.Argument(help="The new side: a stack or a Plan JSON (default: OLD as it is now).")
    ] = None,
    base: Annotated[
        str | None, typer.Option("--base", help="Plan OLD at this git revision of the project's repository instead.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Compare two plans: resources added, removed, changed, and those a change would replace."""
    from inferstack.infra.cli.render import changes_table
    from inferstack.infra.review.diff import diff_plans

    before = plan_of(ctx, old) if base is None else _plan_at(ctx, old, base)
    after = plan_of(ctx, new or old)
    changes = diff_plans(before, after)
    if as_json:
        typer.echo(json.dumps([_change_document(change) for change in changes], indent=2))
    else:
        out().print(changes_table(changes))
    replaced = [c for c in changes if c.kind in ("replace", "remove")]
    if replaced:
        err().print(f"{len(replaced)} resource(s) would be destroyed (removed or replaced)", style="bold red")
    blocked = [c for c in changes if c.blocked]
    if blocked:
        err().print(f"{len(blocked)} change(s) blocked: they destroy protected resources", style="bold red")
    failing = [c for c in changes if c.fails]
    if failing:
        err().print(f"{len(failing)} replacement(s) would fail as planned (see 'fails:')", style="bold red")


def _change_document(change: Change) -> dict[str, object]:
    renamed = change.renamed_from
    return {
        "kind": change.kind,
        "type": change.identity.type,
        "name": change.identity.name,
        "parent_type": change.identity.parent_type,
        "paths": list(change.paths),
        "renamed_from": None if renamed is None else {"type": renamed.type, "name": renamed.name},
        "because": list(change.because),
        "blocked": change.blocked,
        "fails": change.fails,
    }


def _plan_at(ctx: typer.Context, stack: str, revision: str) -> Plan:
    from inferstack.infra.review.revision import RevisionError, plan_at_revision

    project = project_of(ctx)
    if project is None:
        fail(f"--base {revision}: " + NO_PROJECT.format(where=Path.cwd()))
    try:
        return plan_at_revision(stack, revision, project)
    except RevisionError as error:
        fail(str(error))


def register(app: typer.Typer) -> None:
    """Add `plan`, `check` and `diff` to the main app."""
    app.command()(plan)
    app.command()(check)
    app.command()(diff)
