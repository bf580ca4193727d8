"""``leadsync report``: the KPIs (K-1..K-16) and the dashboard.

To plug in the reports, replace the body of :func:`build_report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from connector.cli.context import CommandContext, begin, not_available
from connector.cli.options import AsOfOption, JsonOption, ProjectDirOption, parse_as_of
from connector.cli.output import handles_errors


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
    as_of: datetime | None


def build_report(context: CommandContext, request: ReportRequest) -> int:
    """Compute the KPIs and write them in the requested format. Returns the exit code."""
    del request
    not_available(context.command, "the KPI reports (connector.reports) are not built yet")


@handles_errors
def report_command(
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="table, json, csv or html (the dashboard).")
    ] = ReportFormat.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Start of the period (ISO-8601 date).")
    ] = None,
    as_of: AsOfOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the KPIs (K-1..K-16), parked records and data-quality issues.

    Use --format html --out FILE for the dashboard.
    """
    context = begin("report", project_dir, as_json=as_json)
    fmt = ReportFormat.JSON if as_json else output_format
    request = ReportRequest(fmt, out, parse_as_of(since), parse_as_of(as_of))
    code = build_report(context, request)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command("report")(report_command)


__all__ = ["ReportFormat", "ReportRequest", "build_report", "register", "report_command"]
