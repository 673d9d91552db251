"""The `inferstack` command line: list, validate and plan stacks offline, and print the stack-file schema.

Exit codes: 0 success; 1 policy violations (or a failed Pulumi operation); 2 invalid input, reported without
a traceback; 3 an internal failure of the offline engine (a bug to report); 4 this machine cannot deploy
(no Pulumi CLI, no backend login, no credentials) or the deploy was refused.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from inferstack.infra import cli_size
from inferstack.infra.deploy import (
    DeployRefused,
    Step,
    deploy_steps,
    destroy_steps,
    observe_machine,
    preflight_problems,
    run_steps,
)
from inferstack.infra.diff import diff_plans, plan_at_revision
from inferstack.infra.engine import OfflineEngineError, run_offline
from inferstack.infra.manifests import write_manifests
from inferstack.infra.offline_config import offline_secret_config
from inferstack.infra.plan import Plan
from inferstack.infra.policy_check import (
    PolicyConfigError,
    default_policy_config,
    evaluate,
    load_policy_config,
    mandatory,
)
from inferstack.infra.program import build
from inferstack.infra.render import changes_table, findings_table, resource_tree, type_counts
from inferstack.infra.schema import schema_text
from inferstack.infra.stackfiles import PROJECT_ROOT, resolve_stack, shipped_stacks
from inferstack.spec import EnvironmentSpec, SpecError
from inferstack.validation import load_stack_file, load_stack_file_explained

EXIT_POLICY = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_ENVIRONMENT = 4

app = typer.Typer(
    name="inferstack",
    help="Plan, check and deploy LLM serving environments described by one stack file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

PolicyConfigOption = Annotated[
    Path | None,
    typer.Option("--policy-config", help="Policy config file (the format of pulumi's --policy-pack-config)."),
]
StackArg = Annotated[
    str, typer.Argument(help="Stack name under stacks/ (e.g. aws-dev) or a path to Pulumi.<stack>.yaml.")
]


def load(stack: str) -> tuple[str, EnvironmentSpec]:
    """Resolve and validate a stack, printing each `auto` choice with its reason; on bad input exit 2."""
    try:
        path = resolve_stack(stack)
        spec, choices = load_stack_file_explained(path)
    except SpecError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
    for choice in choices:
        out.print(f"auto: {choice}", markup=False, highlight=False)
    return path.name.removeprefix("Pulumi.").removesuffix(".yaml"), spec


def plan_stack(stack_name: str, spec: EnvironmentSpec) -> Plan:
    """Run the program for a validated spec under the offline engine; exit 3 if the engine fails."""
    try:
        config = offline_secret_config(spec)
        return run_offline(lambda: build(spec), stack=stack_name, config=config, secret_keys=list(config))
    except OfflineEngineError as error:
        err.print(f"internal error: {error}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INTERNAL) from None


@app.command()
def stacks() -> None:
    """List the shipped stacks with their cloud and region."""
    for name, path in shipped_stacks().items():
        try:
            spec = load_stack_file(path)
            where = f"{spec.cloud} {spec.region or ''}".strip()
        except SpecError:
            where = "INVALID (run `inferstack validate` on it)"
        out.print(f"{name:<12} {where:<24} {path}", highlight=False)


@app.command()
def validate(stack: StackArg) -> None:
    """Check a stack file offline and report every problem at once (exit 2 when invalid)."""
    _, spec = load(stack)
    pools, models = len(spec.node_pools), len(spec.models)
    out.print(f"[green]valid[/]: {spec.cloud} environment {spec.name!r}, {pools} node pool(s), {models} model(s)")


@app.command()
def plan(
    stack: StackArg,
    json_file: Annotated[Path | None, typer.Option("--json", help="Also write the Plan as JSON to this file.")] = None,
    policy_config: PolicyConfigOption = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Also write every Kubernetes object as YAML into this directory.")
    ] = None,
) -> None:
    """Show every resource the stack would create, and the policy findings, without a cloud account."""
    stack_name, spec = load(stack)
    result = plan_stack(stack_name, spec)
    out.print(resource_tree(result))
    out.print(type_counts(result))
    out.print(cli_size.cost_summary_line(*cli_size.stack_cost(spec, result.resources, None)), highlight=False)
    if json_file is not None:
        result.write(json_file)
        out.print(f"Plan written to {json_file}")
    if out_dir is not None:
        written = write_manifests(result, out_dir)
        out.print(f"{len(written)} manifest(s) written to {out_dir}")
    report_policies(result, policy_config)


@app.command()
def check(
    stack: Annotated[str, typer.Argument(help="A stack (as for plan), or a Plan JSON file written by plan --json.")],
    policy_config: PolicyConfigOption = None,
) -> None:
    """Run the policy pack over a stack's plan offline (exit 1 when a mandatory rule fails)."""
    if stack.endswith(".json"):
        try:
            result = Plan.from_dict(json.loads(Path(stack).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as error:
            err.print(f"{stack}: not a readable Plan JSON file ({error})", markup=False, highlight=False)
            raise typer.Exit(EXIT_INVALID) from None
    else:
        stack_name, spec = load(stack)
        result = plan_stack(stack_name, spec)
    report_policies(result, policy_config)


def report_policies(result: Plan, config_file: Path | None) -> None:
    """Print the policy findings of a Plan; exit 1 when a mandatory rule fails, 2 on a bad config file."""
    try:
        user_config = load_policy_config(config_file) if config_file else {}
    except PolicyConfigError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
    findings = evaluate(result, default_policy_config(result), user_config)
    out.print(findings_table(findings))
    blocking = mandatory(findings)
    if blocking:
        err.print(f"{len(blocking)} mandatory policy violation(s)", style="bold red")
        raise typer.Exit(EXIT_POLICY)


@app.command()
def deploy(
    stack: StackArg,
    preview: Annotated[
        bool, typer.Option("--preview", help="Only preview (with the policy pack); change nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before changing anything (for CI).")] = False,
    policy_config: PolicyConfigOption = None,
) -> None:
    """Preview and apply a stack with the Pulumi CLI (Automation API), the policy pack attached."""
    _, spec = load(stack)
    stack_name = resolve_stack(stack).name.removeprefix("Pulumi.").removesuffix(".yaml")
    execute(spec, deploy_steps(stack_name, preview_only=preview, yes=yes, policy_config=policy_config))


@app.command()
def destroy(
    stack: StackArg,
    force: Annotated[bool, typer.Option("--force", help="Required for production stacks.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before destroying (for CI).")] = False,
) -> None:
    """Destroy a stack's resources; refused while the stack protects its data."""
    stack_name, spec = load(stack)
    try:
        steps = destroy_steps(stack_name, spec, force=force, yes=yes)
    except DeployRefused as error:
        err.print(f"refused: {error}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ENVIRONMENT) from None
    execute(spec, steps)


def execute(spec: EnvironmentSpec, steps: list[Step]) -> None:
    """Check this machine first, then run the steps; every failure is a message and an exit code."""
    problems = preflight_problems(spec, observe_machine(spec))
    if problems:
        err.print("cannot deploy from this machine:", markup=False)
        for problem in problems:
            err.print(f"  - {problem}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ENVIRONMENT)
    if any(step.needs_confirmation for step in steps) and not sys.stdin.isatty():
        err.print("no terminal to confirm on: add --yes to run non-interactively", markup=False)
        raise typer.Exit(EXIT_ENVIRONMENT)
    from pulumi.automation import errors as auto_errors

    try:
        run_steps(
            steps, confirm=lambda question: typer.confirm(question), echo=lambda line: out.print(line, markup=False)
        )
    except DeployRefused as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(EXIT_ENVIRONMENT) from None
    except auto_errors.CommandError as error:
        err.print(f"pulumi failed: {error}", markup=False, highlight=False)
        raise typer.Exit(EXIT_POLICY) from None


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The old side: a stack, or a Plan JSON file.")],
    new: Annotated[
        str | None, typer.Argument(help="The new side: a stack or a Plan JSON (default: OLD as it is now).")
    ] = None,
    base: Annotated[str | None, typer.Option("--base", help="Plan OLD at this git revision instead.")] = None,
) -> None:
    """Compare two plans: resources added, removed, changed, and those a change would replace."""
    try:
        before = plan_at_revision(old, base, PROJECT_ROOT) if base is not None else plan_from(old)
        after = plan_from(new or old)
    except RuntimeError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
    changes = diff_plans(before, after)
    out.print(changes_table(changes))
    replaced = [c for c in changes if c.kind in ("replace", "remove")]
    if replaced:
        err.print(f"{len(replaced)} resource(s) would be destroyed (removed or replaced)", style="bold red")


def plan_from(argument: str) -> Plan:
    """A Plan from a Plan JSON file, or by planning a stack offline."""
    if argument.endswith(".json"):
        try:
            return Plan.from_dict(json.loads(Path(argument).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RuntimeError(f"{argument}: not a readable Plan JSON file ({error})") from None
    stack_name, spec = load(argument)
    return plan_stack(stack_name, spec)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a stack file (shipped as components/spec/stack.schema.json)."""
    typer.echo(schema_text(), nl=False)


cli_size.register(app)


def _print_version(requested: bool) -> None:
    if requested:
        out.print(f"inferstack {package_version('inferstack')}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    """Plan, check and deploy LLM serving environments described by one stack file."""


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
