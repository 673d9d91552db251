"""`inferstack size --compare`: every catalog option ranked, by token price or by the fewest nodes for a load.

Split from size.py, which reads the options; this module ranks (through planning/) and renders.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer

from inferstack.infra.cli.common import EXIT_INVALID, out

if TYPE_CHECKING:
    from rich.table import Table

    from inferstack.planning.node_ranking import LoadCost
    from inferstack.planning.serving import Price, Request, Sizing

COMPARE_ROWS = 25


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(EXIT_INVALID)


def _print_compare(results: list[Sizing]) -> None:
    from rich.table import Table

    table = Table(title="Options ranked by $ per 1M output tokens (objectives met)")
    for column in ("#", "cloud", "region", "instance", "GPUs", "TP", "tok/s/replica", "$/h/replica", "$/1M tok"):
        table.add_column(column, justify="right" if column in ("#", "TP", "GPUs") else "left")
    for rank, result in enumerate(results[:COMPARE_ROWS], start=1):
        price, cap = result.price, result.capacity
        if price is None or cap is None:
            continue
        table.add_row(
            str(rank),
            *_option_cells(result, price),
            f"{cap.output_tokens_per_s:,.0f}",
            f"{price.replica_usd_per_hour:.3f}",
            f"{result.usd_per_million_tokens:.3f}",
        )
    _print_table(table, len(results))


def _option_cells(result: Sizing, price: Price) -> tuple[str, ...]:
    # Where an option runs: the columns both rankings start with.
    gpus = f"{price.gpus_per_node}× {result.request.gpu}"
    return price.cloud, price.region, f"{price.instance_type} ({price.capacity})", gpus, str(result.request.tp)


def _print_table(table: Table, options: int) -> None:
    out().print(table)
    if options > COMPARE_ROWS:
        out().print(f"… {options - COMPARE_ROWS} more options (use --json for all)")


def _print_by_nodes(ranked: list[tuple[Sizing, LoadCost]], load: str) -> None:
    from rich.table import Table

    table = Table(title=f"Options ranked by the monthly cost of the fewest nodes carrying {load} (objectives met)")
    columns = ("#", "cloud", "region", "instance", "GPUs", "TP", "replicas", "nodes", "$/month", "$/1M tok")
    for column in columns:
        table.add_column(column, justify="left" if column in ("cloud", "region", "instance", "GPUs") else "right")
    for rank, (result, cost) in enumerate(ranked[:COMPARE_ROWS], start=1):
        price = result.price
        if price is None:
            continue
        table.add_row(
            str(rank),
            *_option_cells(result, price),
            str(cost.replicas),
            str(cost.nodes),
            f"{cost.monthly_usd:,.0f}",
            f"{result.usd_per_million_tokens:.3f}",
        )
    _print_table(table, len(ranked))


def capacity_list(text: str | None, *, spot: bool, ranked: bool = True) -> tuple[str, ...]:
    """`--capacity a,b` (or `--spot`, the old spelling of `--capacity spot`) as capacity types; exits 2 when wrong."""
    from inferstack.planning.node_ranking import CAPACITIES

    if not ranked:
        raise _fail("--capacity ranks options: use it with --compare (or --spot for one spot price)")
    if text is None:
        return ("spot",) if spot else ("on_demand",)
    if spot:
        raise _fail("--spot and --capacity: give one (--spot is --capacity spot)")
    names = tuple(part.strip().replace("-", "_") for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in CAPACITIES]
    if unknown or not names:
        raise _fail(
            f"--capacity: {', '.join(unknown) or 'empty'} is not a capacity type — give a comma-separated list of "
            f"{', '.join(CAPACITIES)}"
        )
    return names


def compare_options(request: Request, rank: str, where: dict[str, Any], as_json: bool) -> None:
    """Print (or write as JSON) the catalog's options for a request, ranked by `tokens` or by `nodes`.

    `where` holds `cloud`, `region` and `capacities` (the capacity types each option is priced at).
    """
    from inferstack.planning.node_ranking import RESERVED_PRICE_NOTE, compare_by_nodes, compare_capacities

    capacities = where["capacities"]
    if rank == "tokens":
        results = compare_capacities(request, capacities, cloud=where["cloud"], region=where["region"])
        if as_json:
            typer.echo(json.dumps([_compare_row(r) for r in results], indent=2))
        elif not results:
            raise _fail("no option in the catalog fits the model and meets the objectives")
        else:
            _print_compare(results)
            if "reserved" in capacities:
                out().print(RESERVED_PRICE_NOTE)
        return
    rps, concurrency = request.requests_per_s, request.concurrency
    if rps is None and concurrency is None:
        raise _fail("--rank nodes: needs the load to carry — give --rps R or --concurrency C (concurrent requests)")
    ranked = compare_by_nodes(request, requests_per_s=rps, concurrency=concurrency, **where)
    if as_json:
        typer.echo(json.dumps([{**_compare_row(r), "load": cost.to_dict()} for r, cost in ranked], indent=2))
    elif not ranked:
        raise _fail("no option in the catalog fits the model and meets the objectives")
    else:
        _print_by_nodes(ranked, f"{rps:g} req/s" if rps is not None else f"{concurrency} concurrent requests")
        if "reserved" in capacities:
            out().print(RESERVED_PRICE_NOTE)


def _compare_row(result: Sizing) -> dict[str, Any]:
    data = result.to_dict()
    data["request"].pop("shape", None)
    return data
