"""``leadsync whatif --policy FILE``: what a policy change would do to the stored leads.

To plug in the comparison, replace the body of :func:`compare_policy`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from connector.cli.context import CommandContext, begin, not_available
from connector.cli.options import AsOfOption, JsonOption, ProjectDirOption, parse_as_of
from connector.cli.output import emit_json, handles_errors, say


def compare_policy(
    context: CommandContext, policy_file: Path, as_of: datetime | None
) -> dict[str, Any]:
    """Evaluate the stored leads under both policies; write nothing."""
    del policy_file, as_of
    not_available(context.command, "what-if needs the engine and the state store")


@handles_errors
def whatif_command(
    policy: Annotated[
        Path,
        typer.Option("--policy", help="The candidate policy.yaml to compare with the current one."),
    ],
    as_of: AsOfOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show what a policy change would do to the stored leads; writes nothing.

    Compares states, priorities and tasks under the current and the candidate policy.
    """
    context = begin("whatif", project_dir, as_json=as_json)
    result = compare_policy(context, policy, parse_as_of(as_of))
    if as_json:
        emit_json({"command": "whatif", **result})
    else:
        for key, value in result.items():
            say(f"{key}: {value}")


def register(app: typer.Typer) -> None:
    """Add ``whatif`` to ``app``."""
    app.command("whatif")(whatif_command)


__all__ = ["compare_policy", "register", "whatif_command"]
