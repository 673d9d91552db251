"""The typer app: the global options and the commands that need no Pulumi SDK (stacks, validate, schema,
dashboards).

Each command imports what it needs when it runs, so `inferstack validate` never loads a provider SDK; the
plan/check/diff, deploy/destroy and size/cost commands live in their own modules and register here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from inferstack.infra.cli import cost, live, plan, size
from inferstack.infra.cli.common import Options, StackArg, fail, load, project_of
from inferstack.infra.project import NO_PROJECT

app = typer.Typer(
    name="inferstack",
    help="Plan, check and deploy LLM serving environments described by one stack file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def stacks(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the project's stacks with their cloud and region."""
    import json

    from inferstack.spec import SpecError
    from inferstack.validation import load_stack_file

    project = project_of(ctx)
    if project is None:
        fail(NO_PROJECT.format(where=Path.cwd()))
    rows: list[dict[str, object]] = []
    for name, path in project.stacks().items():
        try:
            spec = load_stack_file(path)
            row = {"stack": name, "cloud": spec.cloud, "region": spec.region, "valid": True}
        except SpecError:
            row = {"stack": name, "cloud": None, "region": None, "valid": False}
        rows.append({**row, "path": str(path)})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        where = f"{row['cloud']} {row['region'] or ''}".strip() if row["valid"] else ""
        typer.echo(f"{row['stack']:<12} {where or 'INVALID (run `inferstack validate` on it)':<24} {row['path']}")


@app.command()
def validate(ctx: typer.Context, stack: StackArg) -> None:
    """Check a stack file offline and report every problem at once (exit 2 when invalid)."""
    spec = load(ctx, stack).spec
    pools, models = len(spec.node_pools), len(spec.models)
    summary = f"{spec.cloud} environment {spec.name!r}, {pools} node pool(s), {models} model(s)"
    typer.echo(typer.style("valid", fg="green") + f": {summary}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of a stack file (shipped as components/spec/stack.schema.json)."""
    from inferstack.spec.schema import schema_text

    typer.echo(schema_text(), nl=False)


@app.command()
def dashboards(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the dashboards' JSON into (replaced whole).")],
) -> None:
    """Write the shipped Grafana dashboards (vLLM serving, DCGM GPUs) as JSON, to import into any Grafana."""
    from inferstack.catalog.dashboards import DASHBOARDS, dashboard_file_name, dashboard_text
    from inferstack.infra.files import OutputError, replace_folder

    try:
        written = replace_folder(out, {dashboard_file_name(name): dashboard_text(name) for name in DASHBOARDS})
    except OutputError as error:
        fail(str(error))
    for path in written:
        typer.echo(f"wrote {path}")


plan.register(app)
live.register(app)
size.register(app)
cost.register(app)


def _print_version(requested: bool) -> None:
    if requested:
        from importlib.metadata import version

        typer.echo(f"inferstack {version('inferstack')}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True)
    ] = False,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            help="The Pulumi project folder (holding Pulumi.yaml); default: the nearest one at or above the "
            "current directory.",
        ),
    ] = None,
) -> None:
    """Plan, check and deploy LLM serving environments described by one stack file."""
    ctx.obj = Options(project_dir=project)
