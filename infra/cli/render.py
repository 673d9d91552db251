"""Rendering for people: the Plan as a tree and a count per type, the cost line, the findings and the changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from inferstack.planning.cost import HOURS_PER_MONTH

if TYPE_CHECKING:
    # Types only: rendering must not load the policy host (pulumi_policy) or the diff just to draw a table.
    from inferstack.infra.offline.plan import Plan, PlannedResource
    from inferstack.infra.review.diff import Change
    from inferstack.infra.review.policy_check import Finding
    from inferstack.planning.cost import CostReport
    from inferstack.planning.spec_serving import ModelServing


def _label(resource: PlannedResource) -> str:
    kind = "component" if not resource.custom else "resource"
    style = "bold cyan" if not resource.custom else "white"
    # Names come from the stack file: escaped, so `[/]` in one is text, not markup.
    return f"[{style}]{escape(resource.name)}[/] [dim]{escape(resource.type)} ({kind})[/]"


def resource_tree(plan: Plan) -> Tree:
    """The Plan as a tree: components with their children beneath them."""
    root = Tree(f"[bold]{escape(plan.project)}[/] / [bold]{escape(plan.stack)}[/] — {len(plan.resources)} resources")
    children: dict[str | None, list[PlannedResource]] = {}
    for resource in plan.resources:
        children.setdefault(resource.parent, []).append(resource)

    def add(node: Tree, parent: str | None) -> None:
        # Components first, then resources, each by name, so the tree reads the same on every run.
        for resource in sorted(children.get(parent, []), key=lambda r: (r.custom, r.name, r.type)):
            add(node.add(_label(resource)), resource.urn)

    add(root, None)
    return root


def type_counts(plan: Plan) -> Table:
    """A table of how many resources of each type the Plan holds."""
    table = Table(title="Resources by type", title_justify="left")
    table.add_column("type")
    table.add_column("count", justify="right")
    for type_token, count in plan.counts_by_type().items():
        table.add_row(escape(type_token), str(count))
    table.add_row("[bold]total[/]", f"[bold]{len(plan.resources)}[/]")
    return table


def cost_summary_line(report: CostReport, serving: list[ModelServing]) -> str:
    """One line for `inferstack plan`: the monthly range and the price date."""
    # Only $0 rows of nodes the cluster already has (no price table read): nothing was priced.
    if not any(row.as_of for row in report.rows):
        return "Monthly cost: nothing priced (" + "; ".join(report.notes) + ")"
    tokens = [f"{s.model} ${s.usd_per_million_tokens:.2f}/1M tok" for s in serving if s.usd_per_million_tokens]
    return (
        f"Monthly cost ({HOURS_PER_MONTH:g} h): ${report.monthly_min:,.0f} at min scale – ${report.monthly_max:,.0f} "
        f"at max scale (prices as of {report.as_of})" + (f"; GPU cost {', '.join(tokens)}" if tokens else "")
    )


def findings_table(findings: list[Finding]) -> Table | Text:
    """The policy findings: rule, resource, message and remediation; mandatory ones first (one line when none)."""
    if not findings:
        return Text("Policy findings: none")
    blocking = sum(1 for finding in findings if finding.enforcement == "mandatory")
    title = f"Policy findings: {blocking} mandatory, {len(findings) - blocking} advisory"
    table = Table(title=title, title_justify="left")
    for column in ("level", "rule", "resource", "message", "remediation"):
        table.add_column(column, overflow="fold")
    for finding in findings:
        style = "red" if finding.enforcement == "mandatory" else "yellow"
        cells = (finding.rule, finding.resource, finding.message, finding.remediation)
        table.add_row(f"[{style}]{escape(finding.enforcement)}[/]", *(escape(cell) for cell in cells))
    return table


def changes_table(changes: list[Change]) -> Table | Text:
    """The differences between two plans, destructive ones first (one line when there are none)."""
    if not changes:
        return Text("Changes: none")
    order = {"remove": 0, "replace": 1, "update (replacement unknown)": 2, "update": 3, "add": 4}
    table = Table(title=f"Changes: {len(changes)}", title_justify="left")
    for column in ("change", "type", "name", "properties"):
        table.add_column(column, overflow="fold")
    styles = {"remove": "red", "replace": "red", "add": "green"}
    for change in sorted(changes, key=lambda c: (order[c.kind], c.identity)):
        style = styles.get(change.kind, "yellow")
        detail = ", ".join(change.paths)
        if change.renamed_from:
            detail = f"renamed from {change.renamed_from.name} (alias) " + detail
        if change.because:
            detail = "; ".join([detail, *change.because]) if detail else "; ".join(change.because)
        cells = (change.identity.type, change.identity.name, detail)
        table.add_row(f"[{style}]{change.kind}[/]", *(escape(cell) for cell in cells))
    return table
