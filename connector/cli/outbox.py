"""``leadsync outbox list`` / ``leadsync outbox retry``: what could not be written.

``list`` shows pending writes (or, with ``--parked``, parked ones with the CRM's
or the channel's error text); ``retry`` moves parked rows back to pending, so the
next run (sync, sweep, or alert delivery for ``email`` / ``webhook`` rows) sends
them again with fresh attempts.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from connector.cli.context import CommandContext, begin
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, say
from connector.errors import UsageError
from connector.store import OutboxEntry, OutboxStatus, open_store

#: Rows shown by ``outbox list`` unless ``--limit`` says otherwise.
DEFAULT_LIMIT = 100


def _row(cid: str, entry: OutboxEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "connection_id": cid,
        "kind": entry.kind.value,
        "lead": entry.lead_id,
        "status": entry.status.value,
        "attempts": entry.attempts,
        "last_error": entry.last_error,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


def list_outbox(
    context: CommandContext, *, parked: bool, limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """Pending (or, with ``parked``, parked) outbox rows with the CRM's error text.

    Args:
        context: the command's context (project folder).
        parked: only parked rows; otherwise rows waiting to be sent (pending, in flight).
        limit: at most this many rows, oldest first.
    """
    from connector.scheduler import project_connection_ids

    project = context.project()
    statuses = [OutboxStatus.PARKED] if parked else [OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT]
    rows: list[dict[str, Any]] = []
    store = open_store(project.database_url, project.root)
    try:
        for ids in project_connection_ids(project, store).values():
            for cid in ids:
                with store.read(cid) as tx:
                    for status in statuses:
                        # The oldest ``limit`` of each list hold the oldest ``limit`` overall.
                        rows += [_row(cid, e) for e in tx.outbox.entries(status, limit=limit)]
    finally:
        store.close()
    rows.sort(key=lambda r: r["id"])
    return rows[:limit]


def _parse_ids(ids: list[str]) -> list[int]:
    parsed: list[int] = []
    for value in ids:
        try:
            parsed.append(int(value))
        except ValueError:
            msg = f"outbox retry: expected numeric row ids, got {value!r}"
            raise UsageError(msg, hint="see `leadsync outbox list --parked` for the ids") from None
    return parsed


def retry_outbox(context: CommandContext, ids: list[str], *, retry_all: bool) -> int:
    """Mark parked rows for retry; they are pushed on the next run. Returns how many."""
    from connector.scheduler import project_connection_ids

    chosen = None if retry_all else _parse_ids(ids)
    project = context.project()
    count = 0
    store = open_store(project.database_url, project.root)
    try:
        for cids in project_connection_ids(project, store).values():
            for cid in cids:
                with store.transaction(cid) as tx:
                    count += tx.outbox.retry(chosen)
    finally:
        store.close()
    return count


@handles_errors
def list_command(
    parked: Annotated[
        bool, typer.Option("--parked", help="Only rows parked after errors.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many rows, oldest first.")
    ] = DEFAULT_LIMIT,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """List writes waiting for the CRM (or parked with the CRM's error)."""
    context = begin("outbox list", project_dir, as_json=as_json)
    rows = list_outbox(context, parked=parked, limit=limit)
    if as_json:
        emit_json({"command": "outbox list", "parked": parked, "rows": rows})
        return
    if not rows:
        say("no parked rows" if parked else "nothing waiting")
    for row in rows:
        error = f" - {row['last_error']}" if row["last_error"] else ""
        say(
            f"{row['id']}  {row['kind']}  lead {row['lead'] or '-'}  {row['status']}"
            f"  attempts {row['attempts']}{error}"
        )


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
