"""``leadsync report``: the KPIs (K-1..K-16), the trends and the dashboard.

Reads only the state store (no CRM call), so it works while a CRM is down and never
spends API budget.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml

from connector.cli.context import CommandContext, begin
from connector.cli.options import (
    AsOfOption,
    CrmOption,
    JsonOption,
    ProjectDirOption,
    parse_as_of,
    parse_crm,
)
from connector.cli.output import handles_errors, note, stdout_console
from connector.errors import UsageError
from connector.reports.scope import TYPE_ORDER, ReportScope


class ReportFormat(StrEnum):
    """Output formats of ``report``."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    HTML = "html"


@dataclass(frozen=True)
class ReportRequest:
    """What ``report`` was asked for."""

    output_format: ReportFormat
    out: Path | None
    since: datetime | None
    until: datetime | None
    as_of: datetime | None
    crm: str | None = None
    channels: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    lead_types: tuple[str, ...] = ()
    costs_file: Path | None = None


def read_costs(path: Path) -> dict[str, float]:
    """Campaign costs for K-1 from a CSV (``campaign,cost``) or YAML mapping file.

    Raises:
        UsageError: the file is missing or a cost is not a number (file and row named).
    """
    if not path.is_file():
        msg = f"--costs: no such file: {path}"
        raise UsageError(msg)
    text = path.read_text(encoding="utf-8")
    costs: dict[str, float] = {}
    if path.suffix.lower() in (".yaml", ".yml"):
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict):
            msg = f"{path}: expected a mapping of campaign code to cost, got {type(data).__name__}"
            raise UsageError(msg)
        rows = [(str(k), v, f"key {k!r}") for k, v in data.items()]
    else:
        reader = csv.reader(text.splitlines())
        rows = [
            (line[0].strip(), line[1].strip() if len(line) > 1 else "", f"line {n}")
            for n, line in enumerate(reader, 1)
            if line and line[0].strip() and not (n == 1 and line[0].strip().lower() == "campaign")
        ]
    for code, value, where in rows:
        try:
            costs[code] = float(value)
        except (TypeError, ValueError):
            msg = f"{path}: {where}: expected a number for the cost of {code!r}, got {value!r}"
            raise UsageError(msg) from None
    return costs


def build_report(context: CommandContext, request: ReportRequest) -> int:
    """Compute the KPIs and write them in the requested format. Returns the exit code."""
    from connector.reports.dashboard import write_dashboard
    from connector.reports.render_csv import render_csv
    from connector.reports.render_json import render_json
    from connector.reports.render_table import render_table
    from connector.reports.report import build_report as compute
    from connector.scheduler import project_connection_ids
    from connector.store import open_store

    project = context.project()
    costs = read_costs(request.costs_file) if request.costs_file else None
    store = open_store(project.database_url, project.root)
    try:
        per_crm = project_connection_ids(project, store)
        if request.crm:
            if request.crm not in per_crm:
                msg = f"--crm: {request.crm} is not enabled in config/connections.yaml"
                raise UsageError(msg)
            per_crm = {request.crm: per_crm[request.crm]}
        ids = tuple(cid for crm_ids in per_crm.values() for cid in crm_ids)
        as_of = request.as_of or store.latest_as_of(ids) or datetime.now(tz=UTC)
        if request.since and request.since >= (request.until or as_of):
            msg = "--since must be before --until (or the report's as-of moment)"
            raise UsageError(msg)
        scope = ReportScope(
            as_of=as_of,
            since=request.since,
            until=request.until,
            # No stored connection yet: an empty tuple would mean "all", so name a
            # connection that cannot match and let every KPI say why it is empty.
            connection_ids=ids or ("(none synced yet)",),
            channels=request.channels,
            owners=request.owners,
            lead_types=request.lead_types,
        )
        report = compute(store, project.policy, scope, costs=costs)
    finally:
        store.close()
    if not ids:
        note("no connection has synced yet: run `leadsync sync` first")
    fmt = request.output_format
    if fmt is ReportFormat.HTML:
        target = request.out or project.root / "leadsync-dashboard.html"
        write_dashboard(report, target)
        note(f"dashboard written to {target}")
        return 0
    if fmt is ReportFormat.TABLE and request.out is None:
        render_table(report, stdout_console())
        return 0
    text = {
        ReportFormat.JSON: render_json,
        ReportFormat.CSV: render_csv,
    }.get(fmt, render_json)(report)
    if request.out:
        request.out.parent.mkdir(parents=True, exist_ok=True)
        request.out.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
        note(f"report written to {request.out}")
    else:
        typer.echo(text)
    return 0


def _lead_types(values: list[str]) -> tuple[str, ...]:
    known = {t.lower(): t for t in TYPE_ORDER}
    out = []
    for value in values:
        found = known.get(value.strip().lower())
        if found is None:
            msg = f"--type: expected one of: {', '.join(TYPE_ORDER)}, got {value!r}"
            raise UsageError(msg)
        out.append(found)
    return tuple(out)


@handles_errors
def report_command(
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="table, json, csv or html (the dashboard).")
    ] = ReportFormat.TABLE,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write to this file instead of stdout (html default: leadsync-dashboard.html "
            "in the project folder).",
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Start of the period (ISO-8601 date, inclusive).")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="End of the period (ISO-8601 date, exclusive; default now)."),
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", help="Only leads of this inflow channel (D-3); repeatable."),
    ] = None,
    owner: Annotated[
        list[str] | None,
        typer.Option("--owner", help="Only leads of this CRM owner id; repeatable."),
    ] = None,
    lead_type: Annotated[
        list[str] | None,
        typer.Option(
            "--type", help="Only leads now of this type: Hot+Flag, Hot, Warm, ...; repeatable."
        ),
    ] = None,
    costs: Annotated[
        Path | None,
        typer.Option(
            "--costs", help="Campaign costs for K-1 (CSV `campaign,cost` or a YAML mapping)."
        ),
    ] = None,
    crm: CrmOption = None,
    as_of: AsOfOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the KPIs (K-1..K-16), trends, parked records and data-quality issues.

    Use --format html for the dashboard (one self-contained file that opens offline).
    Reads only the state store: no CRM call.
    """
    context = begin("report", project_dir, as_json=as_json)
    fmt = ReportFormat.JSON if as_json else output_format
    request = ReportRequest(
        output_format=fmt,
        out=out,
        since=parse_as_of(since),
        until=parse_as_of(until),
        as_of=parse_as_of(as_of),
        crm=parse_crm(crm),
        channels=tuple(channel or ()),
        owners=tuple(owner or ()),
        lead_types=_lead_types(lead_type or []),
        costs_file=costs,
    )
    code = build_report(context, request)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command("report")(report_command)


__all__ = ["ReportFormat", "ReportRequest", "build_report", "read_costs", "register"]
