"""``leadsync outbox list`` / ``leadsync outbox retry``: what could not be written.

To plug in the store, replace the bodies of :func:`list_outbox` and :func:`retry_outbox`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from connector.cli.context import CommandContext, begin, not_available
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, say
from connector.errors import UsageError


def list_outbox(context: CommandContext, *, parked: bool) -> list[dict[str, Any]]:
    """Pending (or, with ``parked``, parked) outbox rows with the CRM's error text."""
    del parked
    not_available(context.command, "the outbox listing needs the state store")


def retry_outbox(context: CommandContext, ids: list[str], *, retry_all: bool) -> int:
    """Mark parked rows for retry; they are pushed on the next run. Returns how many."""
    del ids, retry_all
    not_available(context.command, "retrying needs the state store and the push pipeline")


@handles_errors
def list_command(
    parked: Annotated[
        bool, typer.Option("--parked", help="Only rows parked after errors.")
    ] = False,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """List writes waiting for the CRM (or parked with the CRM's error)."""
    context = begin("outbox list", project_dir, as_json=as_json)
    rows = list_outbox(context, parked=parked)
    if as_json:
        emit_json({"command": "outbox list", "rows": rows})
    else:
        for row in rows:
            say(str(row))


@handles_errors
def retry_command(
    ids: Annotated[list[str] | None, typer.Argument(help="Outbox row ids to retry.")] = None,
    retry_all: Annotated[bool, typer.Option("--all", help="Retry every parked row.")] = False,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Retry parked writes (by id, or --all) on the next run."""
    context = begin("outbox retry", project_dir, as_json=as_json)
    if not ids and not retry_all:
        msg = "outbox retry: expected row ids or --all, got neither"
        raise UsageError(msg, hint="see `leadsync outbox list --parked` for the ids")
    count = retry_outbox(context, list(ids or []), retry_all=retry_all)
    if as_json:
        emit_json({"command": "outbox retry", "retried": count})
    else:
        say(f"{count} row(s) will be retried on the next run")


def register(app: typer.Typer) -> None:
    """Add the ``outbox`` group to ``app``."""
    group = typer.Typer(help="See and retry what could not be written.", no_args_is_help=True)
    group.command("list")(list_command)
    group.command("retry")(retry_command)
    app.add_typer(group, name="outbox")


__all__ = ["list_command", "list_outbox", "register", "retry_command", "retry_outbox"]
