"""``leadsync run``: the scheduler over ``jobs/*.yaml`` (decision 21).

To plug in the scheduler, replace the body of :func:`run_scheduler`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from connector.cli.context import CommandContext, begin, not_available
from connector.cli.options import AsOfOption, JsonOption, ProjectDirOption, parse_as_of
from connector.cli.output import handles_errors


def run_scheduler(context: CommandContext, *, once: bool, as_of: datetime | None) -> int:
    """Run the jobs until SIGTERM / Ctrl-C, or every due job once. Returns the exit code."""
    del once, as_of
    not_available(context.command, "the scheduler is not built yet")


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
