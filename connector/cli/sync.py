"""``leadsync sync`` and ``leadsync sweep``: one pipeline cycle, or the time-driven rules.

To plug in the pipeline, replace the bodies of :func:`run_sync` and :func:`run_sweep`
(they return the run summary of interfaces.md and its exit code); the commands
around them stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import typer

from connector.cli.context import CommandContext, begin
from connector.cli.options import (
    AsOfOption,
    CrmOption,
    DryRunOption,
    JsonOption,
    ProjectDirOption,
    parse_as_of,
    parse_crm,
)
from connector.cli.output import emit_json, handles_errors, live_status, say


@dataclass(frozen=True)
class SyncRequest:
    """What ``sync`` / ``sweep`` were asked to do."""

    crm: str | None
    as_of: datetime | None
    dry_run: bool
    full: bool = False


def _run(context: CommandContext, command: str, request: SyncRequest) -> tuple[dict[str, Any], int]:
    from connector.pipeline import run_command

    project = context.project()
    with live_status(enabled=not context.as_json) as show:
        summaries = run_command(
            project,
            command,
            crm=request.crm,
            as_of=request.as_of,
            full=request.full,
            dry_run=request.dry_run,
            progress=show,
        )
    code = max(s.exit_code for s in summaries)
    if len(summaries) == 1:
        return summaries[0].model_dump(mode="json"), code
    return {"command": command, "runs": [s.model_dump(mode="json") for s in summaries]}, code


def run_sync(context: CommandContext, request: SyncRequest) -> tuple[dict[str, Any], int]:
    """One cycle: pull -> map -> store -> evaluate -> push. Returns (summary, exit code)."""
    return _run(context, "sync", request)


def run_sweep(context: CommandContext, request: SyncRequest) -> tuple[dict[str, Any], int]:
    """Time-driven rules for due leads (``next_review_at <= now``), then push."""
    return _run(context, "sweep", request)


def describe_run(run: dict[str, Any]) -> str:
    pulled, pushed = run.get("pulled", {}), run.get("pushed", {})
    text = (
        f"{run.get('command')} {run.get('crm', '')}: {run.get('status')} - "
        f"pulled {pulled.get('leads', 0)} leads, {pulled.get('activities', 0)} activities; "
        f"{run.get('data_quality_issues', 0)} data-quality issues; "
        f"evaluated {run.get('evaluated', 0)}, {run.get('transitions', 0)} transitions; "
        f"pushed {pushed.get('updates', 0)} updates, {pushed.get('tasks', 0)} tasks, "
        f"{pushed.get('alerts', 0)} alerts ({pushed.get('parked', 0)} parked); "
        f"{run.get('api_calls', 0)} API calls"
    )
    would = run.get("would_push")
    if would:
        text += (
            f"\n  nothing written ({'dry run' if run.get('dry_run') else 'shadow mode'}); "
            f"a live run would push {would.get('updates', 0)} updates, "
            f"{would.get('tasks', 0)} tasks, {would.get('alerts', 0)} alerts"
        )
    if run.get("message"):
        text += f"\n  {run['message']}"
    return text


def _finish(context: CommandContext, summary: dict[str, Any], code: int) -> None:
    if context.as_json:
        emit_json(summary)
    else:
        for run in summary.get("runs", [summary]):
            say(describe_run(run))
    if code:
        raise typer.Exit(code)


@handles_errors
def sync_command(
    crm: CrmOption = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-read everything and mark records missing in the CRM.")
    ] = False,
    dry_run: DryRunOption = False,
    as_of: AsOfOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run one cycle: pull changed leads and activities, run the playbook, push the results.

    Exit 0 when done, 1 when records were parked or work was deferred (API budget).
    """
    context = begin("sync", project_dir, as_json=as_json)
    request = SyncRequest(parse_crm(crm), parse_as_of(as_of), dry_run, full)
    _finish(context, *run_sync(context, request))


@handles_errors
def sweep_command(
    crm: CrmOption = None,
    dry_run: DryRunOption = False,
    as_of: AsOfOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply the time-driven rules (windows, confirmations, reminders) to due leads, then push."""
    context = begin("sweep", project_dir, as_json=as_json)
    request = SyncRequest(parse_crm(crm), parse_as_of(as_of), dry_run)
    _finish(context, *run_sweep(context, request))


def register(app: typer.Typer) -> None:
    """Add ``sync`` and ``sweep`` to ``app``."""
    app.command("sync")(sync_command)
    app.command("sweep")(sweep_command)


__all__ = [
    "SyncRequest",
    "describe_run",
    "register",
    "run_sweep",
    "run_sync",
    "sweep_command",
    "sync_command",
]
