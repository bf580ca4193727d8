"""``report --format table``: rich tables on the terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from connector.reports.report import Report
from connector.reports.result import Kpi

#: KPIs whose breakdown is shown as its own table (the others show the headline only).
_BREAKDOWNS = ("K-3", "K-7", "K-8", "K-9", "K-10", "K-11", "K-13", "K-14", "K-15")
_ROWS_SHOWN = 15


def format_value(value: Any, unit: str = "") -> str:
    """A KPI value for people: rates as %, hours with one decimal, text as is."""
    if isinstance(value, str) or value is None:
        return "-" if value is None else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "ratio":
        return f"{value * 100:.1f} %"
    if unit == "percent":
        return f"{value:.1f} %"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _kpi_table(kpis: Sequence[Kpi]) -> Table:
    # Four narrow columns fit an 80-column terminal; the formulas and sources are in the
    # JSON, CSV and HTML forms, and a missing KPI's reason is in the panel below.
    table = Table(title="KPIs (playbook section 5)", title_justify="left", expand=False)
    table.add_column("id", no_wrap=True)
    table.add_column("KPI", overflow="fold")
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("n / base", justify="right", no_wrap=True)
    for kpi in kpis:
        base = (
            f"{format_value(kpi.numerator)} / {format_value(kpi.denominator)}"
            if kpi.numerator is not None
            else ""
        )
        value = format_value(kpi.value, kpi.unit) if kpi.available else "not available"
        table.add_row(kpi.id, kpi.name, value, base, style=None if kpi.available else "yellow")
    return table


def rows_table(title: str, rows: Sequence[Mapping[str, Any]], *, limit: int = _ROWS_SHOWN) -> Table:
    """A table of flat dict rows (columns from the first row); nested dicts are inlined."""
    table = Table(title=title, title_justify="left")
    if not rows:
        table.add_column("(none)")
        return table
    columns = columns_of(rows)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows[:limit]:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    if len(rows) > limit:
        table.caption = f"{len(rows) - limit} more rows in --format json / csv"
    return table


def columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every key of ``rows`` in first-seen order (breakdown rows may add keys, e.g. K-10)."""
    return list(dict.fromkeys(key for row in rows for key in row))


def _cell(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value)


def render_table(report: Report, console: Console) -> None:
    """Print the report on ``console``."""
    scope = report.scope.describe()
    console.print(
        Panel(
            "  ".join(f"{k}: {v}" for k, v in scope.items()),
            title=f"leadsync report, generated {report.generated_at:%Y-%m-%d %H:%M} UTC",
        )
    )
    console.print(_kpi_table(report.kpis))
    if report.unavailable:
        # Plain lines, not a panel: the console soft-wraps, and a panel would cut them.
        for line in report.unavailable:
            console.print(line, style="yellow", markup=False)
    console.print(
        Group(
            rows_table("State distribution", report.state_distribution),
            rows_table(
                "Funnel: Lead In -> First contact -> Nurturing -> Conversion", report.funnel
            ),
        )
    )
    for kpi in report.kpis:
        if kpi.id in _BREAKDOWNS and kpi.rows:
            console.print(rows_table(f"{kpi.id} {kpi.name}", kpi.rows))
    inactive = report.kpi("K-16").extra.get("inactive_leads", [])
    console.print(rows_table(f"K-16 inactive leads ({report.kpi('K-16').value})", inactive))
    console.print(rows_table("Monthly trend", report.trend_monthly))
    console.print(rows_table("Weekly trend", report.trend_weekly[-12:]))
    parked = report.parked
    console.print(
        rows_table(
            f"Parked outbox rows ({parked['count']}); retry: {parked['retry_all']}", parked["rows"]
        )
    )
    quality = report.quality
    console.print(
        rows_table(
            f"Open data-quality issues ({quality['open']}) by rule and field",
            quality["by_rule_field"],
        )
    )
    shadow = report.shadow
    if shadow.get("runs"):
        console.print(
            rows_table(
                f"Shadow mode: what would have been written ({shadow['runs']} runs wrote "
                f"nothing): {shadow['lead_updates_now']} lead updates now, "
                f"{shadow['tasks']} tasks, {shadow['alerts']} alerts",
                shadow["per_day"],
            )
        )
    for check in report.log_checks:
        console.print(rows_table(f"Log check: {check['check']} ({check['count']})", check["rows"]))


__all__ = ["columns_of", "format_value", "render_table", "rows_table"]
