"""`inferstack cost`: the monthly cost of a stack's Plan, row by row, with each unit price's region and source.

Registered on the main app by `app.py`; the numbers come from planning/cost.py and review/cost.py, this module
only reads options and renders. `--json` carries the same rows and totals.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from inferstack.infra.cli.common import StackArg, load, out, plan_loaded

if TYPE_CHECKING:
    from inferstack.planning.cost import CostReport
    from inferstack.planning.spec_serving import ModelServing
    from inferstack.planning.startup import StartupEstimate
    from inferstack.planning.wake import WakePlan


def price_sources(report: CostReport) -> list[tuple[str, str]]:
    """The distinct (source, as of) pairs of a report's unit prices, in first-use order; rows cite them by number."""
    seen: dict[tuple[str, str], None] = {}
    for row in report.rows:
        seen.setdefault((row.source or "no price recorded", row.as_of), None)
    return list(seen)


def print_cost(
    report: CostReport,
    serving: list[ModelServing],
    budget: float | None,
    startups: dict[str, StartupEstimate] | None = None,
    wakes: list[WakePlan] | None = None,
) -> None:
    """The cost table (each row's unit price, price region and source), totals, token lines and the budget."""
    from rich.table import Table

    from inferstack.planning.cost import HOURS_PER_MONTH

    sources = price_sources(report)
    table = Table(title=f"Monthly cost of the plan ({report.cloud} {report.region or ''}, {HOURS_PER_MONTH:g} h)")
    for column in ("resource", "item", "unit price", "price of", "qty min", "qty max", "$/month min", "$/month max"):
        table.add_column(column)
    table.add_column("src")
    for row in report.rows:
        detail = f" [dim]({escape(row.min_note)})[/]" if row.min_note else ""
        table.add_row(
            escape(row.resource),
            escape(row.item) + detail + (f" [red]({escape(row.warning)})[/]" if row.warning else ""),
            f"${row.unit_usd:g}/{row.unit}",
            escape(row.price_region),
            f"{row.quantity_min:g}",
            f"{row.quantity_max:g}",
            f"{row.monthly_min:,.2f}",
            f"{row.monthly_max:,.2f}",
            f"[{sources.index((row.source or 'no price recorded', row.as_of)) + 1}]",
        )
    out().print(table)
    out().print(f"Total: ${report.monthly_min:,.2f}/month at min scale, ${report.monthly_max:,.2f}/month at max scale")
    if budget is not None:
        verdict = "within" if report.monthly_max <= budget else "[red]over[/]"
        out().print(f"Budget ${budget:,.0f}/month: max scale is {verdict} budget")
    for item in serving:
        dollars = f"${item.usd_per_million_tokens:.3f}" if item.usd_per_million_tokens is not None else "n/a"
        out().print(
            f"{escape(item.model)} ({escape(item.shape)}): {escape(item.basis)}: {item.replicas} replica(s), "
            f"{item.output_tokens_per_s:,.0f} output tokens/s, GPU ${item.gpu_usd_per_hour:.2f}/h, "
            f"{dollars} per 1M output tokens; startupProbe {item.startup_probe_s} s"
            + (f" [red]— {escape(item.warning)}[/]" if item.warning else ""),
            highlight=False,
        )
    for key, estimate in (startups or {}).items():
        out().print(f"{key}: {estimate.summary()}", highlight=False, markup=False)
    for plan in wakes or []:
        out().print(plan.summary(), highlight=False, markup=False)
    for note in report.notes:
        out().print(f"[dim]note: {escape(note)}[/]")
    out().print("Price sources:")
    for number, (source, as_of) in enumerate(sources, start=1):
        out().print(f"  [{number}] {source} (as of {as_of or '-'})", highlight=False, markup=False, soft_wrap=True)


def cost_command(
    ctx: typer.Context,
    stack: StackArg,
    bucket_gb: Annotated[
        float | None, typer.Option("--bucket-gb", min=0.0, help="Bucket size in GB; default: the models' weights.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Monthly cost of what the stack's Plan contains, at min and max scale, and $ per 1M output tokens."""
    from inferstack.infra.review.cost import cost_document, stack_cost
    from inferstack.planning.spec_serving import spec_startups, spec_wakes

    loaded = load(ctx, stack)
    plan = plan_loaded(loaded)
    report, serving = stack_cost(loaded.spec, plan.resources, bucket_gb)
    if as_json:
        typer.echo(json.dumps(cost_document(loaded.name, loaded.spec, report, serving), indent=2))
        return
    print_cost(report, serving, loaded.spec.budget.monthly_usd, spec_startups(loaded.spec), spec_wakes(loaded.spec))


def register(app: typer.Typer) -> None:
    """Add `cost` to the main app."""
    app.command("cost")(cost_command)
