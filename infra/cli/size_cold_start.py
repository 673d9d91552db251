"""`size`'s cold start: both paths for the same checkpoint, and (with `--cold-start`) the breakdown term by term.

The numbers and sources come from planning/startup.py and planning/startup_terms.py; this module only renders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape

from inferstack.infra.cli.common import out

if TYPE_CHECKING:
    from inferstack.planning.serving import Sizing
    from inferstack.planning.startup import StartupEstimate


def sized_cloud(result: Sizing) -> str:
    """The cloud the sizing priced in (node boot and the accelerators it offers); aws when unpriced."""
    return result.price.cloud if result.price else "aws"


def cold_starts(result: Sizing) -> dict[str, StartupEstimate]:
    """Both cold-start paths for the same checkpoint: the requested one first (it sets the probe budget)."""
    from inferstack.planning.startup import path_accelerators, startup_estimate

    start = result.startup
    if start.store == "local":
        return {start.path: start}  # a local cache volume has no accelerated path
    cloud = sized_cloud(result)
    other = "default" if start.path == "accelerated" else "accelerated"
    # The same engine settings on the other path: only the pull, the load and the compile cache differ.
    again = startup_estimate(
        start.stored_weights_gb,
        start.store,
        cloud,
        **path_accelerators(other, cloud),
        gpu=result.request.gpu,
        max_num_seqs=start.graphs.max_num_seqs,
    )
    return {start.path: start, other: again}


def cold_start_json(result: Sizing) -> dict[str, Any]:
    """Each path's numbers with its terms and their full sources."""
    from inferstack.planning.startup_terms import startup_terms

    cloud = sized_cloud(result)
    return {
        path: {**est.to_dict(), "terms": [term.to_dict() for term in startup_terms(est, cloud)]}
        for path, est in cold_starts(result).items()
    }


def print_breakdown(result: Sizing) -> None:
    """The terms of every path side by side, with the source of each, then the totals and the probe."""
    from rich.table import Table

    from inferstack.planning.startup_terms import cite, startup_terms

    cloud = sized_cloud(result)
    starts = cold_starts(result)
    table = Table(title=f"cold start term by term ({cloud}; seconds)")
    table.add_column("term")
    for path in starts:
        table.add_column(path, justify="right")
    table.add_column("source")
    rows: dict[str, dict[str, str]] = {}
    sources: dict[str, list[str]] = {}
    for path, est in starts.items():
        for term in startup_terms(est, cloud):
            rows.setdefault(term.name, {})[path] = f"{term.seconds:.0f}"
            for part in term.source.split(" | "):
                if (cited := cite(part)) not in sources.setdefault(term.name, []):
                    sources[term.name].append(cited)
    for name, cells in rows.items():
        table.add_row(escape(name), *(cells.get(path, "—") for path in starts), escape("; ".join(sources[name])))
    table.add_row("[bold]ready from node ready, first replica[/]", *(f"{e.pod_s:.0f}" for e in starts.values()), "")
    table.add_row("[bold]later replicas (cache loaded)[/]", *(f"{e.later_pod_s:.0f}" for e in starts.values()), "")
    table.add_row("startupProbe budget", *(f"{e.probe_budget_s}" for e in starts.values()), "first replica × margin")
    out().print(table)


def scale_to_zero(result: Sizing) -> dict[str, Any]:
    """What one replica sleeping at zero means: a woken request's wait, the interceptor's bound, the monthly saving."""
    from inferstack.planning.cost_rows import HOURS_PER_MONTH
    from inferstack.planning.wake import wake_timeout_s

    start = result.startup
    saving = result.price.replica_usd_per_hour * HOURS_PER_MONTH if result.price is not None else None
    return {
        "first_request_s": round(start.later_cold_s),
        "hold_timeout_s": wake_timeout_s(start),
        "saving_usd_month_per_replica": round(saving, 2) if saving is not None else None,
    }


def scale_to_zero_line(result: Sizing) -> str:
    """`scale_to_zero` in one line (the node boots: a pool at zero nodes is the case that saves the most)."""
    data = scale_to_zero(result)
    saved = data["saving_usd_month_per_replica"]
    money = f"saves ${saved:,.0f}/month per replica asleep all month" if saved is not None else "saving not priced"
    return (
        f"scale to zero (replicas.min 0): a first request waits ≈ {data['first_request_s']} s (node boot + start), "
        f"held up to {data['hold_timeout_s']} s by the KEDA HTTP interceptor; {money}"
    )
