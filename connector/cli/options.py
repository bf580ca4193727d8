"""Options every command shares (interfaces.md: ``--project-dir`` and ``--json`` everywhere)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from connector.errors import UsageError

ProjectDirOption = Annotated[
    Path | None,
    typer.Option(
        "--project-dir",
        "-p",
        help="The project folder (default: $LEADSYNC_PROJECT_DIR, else the current folder).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON object on stdout (logs stay on stderr)."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The moment taken as 'now' (ISO-8601, e.g. 2025-04-01T09:00:00Z); "
        "for replays and backtests. A time without zone is UTC.",
        show_default=False,
    ),
]
CrmOption = Annotated[
    str | None,
    typer.Option("--crm", help="salesforce or hubspot (default: every enabled CRM)."),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Compute and show what would change; write nothing."),
]


def parse_as_of(value: str | None) -> datetime | None:
    """``--as-of`` as an aware UTC datetime (decision 4); a date means its midnight UTC.

    Raises:
        UsageError: the value is not ISO-8601.
    """
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        msg = (
            "--as-of: expected an ISO-8601 date or datetime such as 2025-04-01T09:00:00Z, "
            f"got {value!r}"
        )
        raise UsageError(msg) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_crm(value: str | None) -> str | None:
    """``--crm`` checked against the CRMs leadsync speaks.

    Raises:
        UsageError: an unknown CRM name.
    """
    if value is None:
        return None
    name = value.strip().lower()
    if name not in ("salesforce", "hubspot"):
        msg = f"--crm: expected one of: salesforce, hubspot, got {value!r}"
        raise UsageError(msg)
    return name


__all__ = [
    "AsOfOption",
    "CrmOption",
    "DryRunOption",
    "JsonOption",
    "ProjectDirOption",
    "parse_as_of",
    "parse_crm",
]
