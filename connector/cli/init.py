"""``leadsync init DIR``: write the default admin files into a new project folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from connector.cli.context import begin
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, say


@handles_errors
def init_command(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="The folder to create (default: --project-dir, else the current folder).",
            show_default=False,
        ),
    ] = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the default admin files (connections, policy, mappings, jobs) into DIR.

    Never overwrites: if DIR already holds any admin file, nothing is written.
    """
    from connector.config.project import init_project

    context = begin("init", directory or project_dir, as_json=as_json)
    written = init_project(context.project_dir)
    root = context.project_dir
    files = [str(path.relative_to(root)) for path in written]
    if as_json:
        emit_json({"command": "init", "project_dir": str(root), "written": files})
        return
    say(f"Created a leadsync project in {root}:")
    for name in files:
        say(f"  {name}")
    say("")
    say("Next steps:")
    say(f"  1. put your CRM settings in {root / '.env'} (see .env.example)")
    say(f"  2. leadsync doctor --project-dir {root}")


def register(app: typer.Typer) -> None:
    """Add ``init`` to ``app``."""
    app.command("init")(init_command)


__all__ = ["init_command", "register"]
