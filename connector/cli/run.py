"""``leadsync run``: the scheduler over ``jobs/*.yaml`` (decision 21).

``run`` keeps running until SIGTERM / Ctrl-C (the running job finishes and is
recorded; exit 0). ``run --once`` runs every due job once and exits with the
worst exit code of those jobs (0 when nothing was due).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from connector.cli.context import CommandContext, begin
from connector.cli.options import AsOfOption, JsonOption, ProjectDirOption, parse_as_of
from connector.cli.output import emit_json, handles_errors, note, say
from connector.errors import UsageError


def run_scheduler(context: CommandContext, *, once: bool, as_of: datetime | None) -> int:
    """Run the jobs until SIGTERM / Ctrl-C, or every due job once. Returns the exit code.

    Raises:
        UsageError: ``--as-of`` without ``--once`` (a long-running scheduler follows the clock).
    """
    from connector.scheduler import Runner, StopFlag, run_once, stop_on_signals

    if as_of is not None and not once:
        msg = "--as-of: only with --once (the scheduler follows the real clock)"
        raise UsageError(msg, hint="use `leadsync run --once --as-of ...`")
    project = context.project()
    if not once:
        from connector.pipeline.connection import build_adapter

        # A service that would fail every job for want of a setting refuses to start
        # (exit 2, naming the setting); building an adapter makes no network call.
        for crm in project.connections.enabled_crms():
            build_adapter(project, crm)
        note(f"leadsync run: {len(project.jobs)} job file(s); stop with Ctrl-C or SIGTERM")
        return Runner(project).run()
    flag = StopFlag()
    with stop_on_signals(flag):
        outcomes = run_once(project, as_of=as_of, stop=flag)
    code = max((o.exit_code for o in outcomes), default=0)
    if context.as_json:
        emit_json(
            {
                "command": "run --once",
                "exit_code": code,
                "jobs": [o.as_json() for o in outcomes],
            }
        )
    elif not outcomes:
        say("nothing due")
    else:
        for outcome in outcomes:
            text = outcome.message or ", ".join(str(r.get("status")) for r in outcome.runs)
            say(f"{outcome.unit}: exit {outcome.exit_code}" + (f" - {text}" if text else ""))
    return code


@handles_errors
def run_command(
    once: Annotated[
        bool, typer.Option("--once", help="Run every due job once and exit (for cron and tests).")
    ] = False,
    as_of: AsOfOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the scheduled jobs of jobs/*.yaml until stopped (SIGTERM or Ctrl-C)."""
    context = begin("run --once" if once else "run", project_dir, as_json=as_json)
    code = run_scheduler(context, once=once, as_of=parse_as_of(as_of))
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``run`` to ``app``."""
    app.command("run")(run_command)


__all__ = ["register", "run_command", "run_scheduler"]
