"""``leadsync demo``: a newcomer's tour (temp project, sandbox, sync, sweep, report, explain).

To plug in the tour, replace the body of :func:`run_demo`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from connector.cli.context import CommandContext, begin, not_available
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import handles_errors
from connector.errors import UsageError


def run_demo(context: CommandContext, *, crm: str, leads: int) -> int:
    """Run the tour and print what it did. Returns the exit code."""
    del crm, leads
    not_available(
        context.command,
        "the tour needs the sandbox and the sync pipeline, which are not built yet",
        hint="try `leadsync init demo-project && leadsync doctor --project-dir demo-project`",
    )


@handles_errors
def demo_command(
    crm: Annotated[str, typer.Option("--crm", help="salesforce, hubspot or both.")] = "salesforce",
    leads: Annotated[int, typer.Option("--leads", help="Synthetic leads in the sandbox.")] = 500,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """A five-minute tour on a local sandbox: no CRM account needed."""
    context = begin("demo", project_dir, as_json=as_json)
    if crm not in ("salesforce", "hubspot", "both") or leads < 1:
        msg = f"demo: expected --crm salesforce|hubspot|both and --leads >= 1, got {crm!r}, {leads}"
        raise UsageError(msg)
    code = run_demo(context, crm=crm, leads=leads)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo_command)


__all__ = ["demo_command", "register", "run_demo"]
