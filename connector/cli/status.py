"""``leadsync status``: health at a glance.

To plug in the store's figures, replace the body of :func:`collect_status`.
"""

from __future__ import annotations

from typing import Any

import typer

from connector.cli.context import CommandContext, begin, not_available
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, say


def collect_status(context: CommandContext) -> dict[str, Any]:
    """Last run per job and connection, outbox and parked counts, API budget, lock holder."""
    not_available(context.command, "status needs the state store and the pipeline's run log")


@handles_errors
def status_command(project_dir: ProjectDirOption = None, as_json: JsonOption = False) -> None:
    """Health at a glance: last runs, outbox and parked counts, API budget left, lock holder."""
    context = begin("status", project_dir, as_json=as_json)
    status = collect_status(context)
    if as_json:
        emit_json({"command": "status", **status})
    else:
        for key, value in status.items():
            say(f"{key}: {value}")


def register(app: typer.Typer) -> None:
    """Add ``status`` to ``app``."""
    app.command("status")(status_command)


__all__ = ["collect_status", "register", "status_command"]
