"""``leadsync whatif --policy FILE``: what a policy change would do to the stored leads.

Reads the store and the candidate file only; writes nothing anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from connector.cli.context import begin
from connector.cli.options import AsOfOption, JsonOption, ProjectDirOption, parse_as_of
from connector.cli.output import emit_json, handles_errors, say, stdout_console
from connector.errors import UsageError


def _render(data: dict[str, Any], policy_file: Path) -> None:
    console = stdout_console()
    changed = data["would_change"]
    say(
        f"What-if {policy_file} on {data['leads']:,} stored leads as of {data['as_of']}: "
        f"{changed['state']:,} would change type (state), {changed['priority']:,} priority, "
        f"{changed['score_type']:,} score type, {changed['flag']:,} Flag."
    )
    states = data["matrix"]["states"]
    matrix = Table(title="Type now (rows) x type with the candidate policy (columns)")
    matrix.add_column("now \\ candidate")
    for state in states:
        matrix.add_column(state, justify="right")
    for old in states:
        row = data["matrix"]["rows"][old]
        matrix.add_row(old, *[f"{row[new]:,}" if row[new] else "." for new in states])
    console.print(matrix)
    days = Table(title=f"Per day over the next {data['days']} daily sweeps (current -> candidate)")
    for column in ("date", "tasks", "alerts", "suppressed alerts", "state changes"):
        days.add_column(column, justify="right")
    for day in data["per_day"]:
        now, new = day["current"], day["candidate"]
        days.add_row(
            day["date"],
            *[
                f"{now[key]:,} -> {new[key]:,}"
                for key in ("tasks", "alerts", "suppressed", "transitions")
            ],
        )
    console.print(days)
    if data["examples"]:
        examples = Table(title="Example leads whose type would change")
        for column in ("lead", "now", "candidate", "candidate's reason"):
            examples.add_column(column, overflow="fold")
        for ex in data["examples"]:
            examples.add_row(
                ex["lead_id"],
                f"{ex['current']['state']} ({ex['current']['score']:g})",
                f"{ex['candidate']['state']} ({ex['candidate']['score']:g})",
                ex["candidate"]["reason"],
            )
        console.print(examples)
    say(f"Assumes {data['assumptions']}. Nothing was written.")


@handles_errors
def whatif_command(
    policy: Annotated[
        Path,
        typer.Option("--policy", help="The candidate policy.yaml to compare with the current one."),
    ],
    days: Annotated[
        int,
        typer.Option(
            "--days", min=1, max=90, help="Daily sweeps to replay for the per-day counts."
        ),
    ] = 7,
    examples: Annotated[int, typer.Option("--examples", min=0, help="Example leads to show.")] = 5,
    as_of: AsOfOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show what a policy change would do to the stored leads; writes nothing.

    Decides every stored lead under the current and the candidate policy at the same
    moment: how many would change type, the old x new type matrix, the tasks and alerts
    per day over the next --days daily sweeps, and example leads.
    """
    from connector.config.policy import load_policy
    from connector.pipeline.whatif import compare_policies

    context = begin("whatif", project_dir, as_json=as_json)
    if not policy.is_file():
        msg = f"--policy: no such file: {policy}"
        raise UsageError(msg)
    candidate = load_policy(policy, label=str(policy))
    result = compare_policies(
        context.project(), candidate, as_of=parse_as_of(as_of), days=days, examples=examples
    )
    data = result.as_json()
    if as_json:
        emit_json({"command": "whatif", "policy": str(policy), **data})
    else:
        _render(data, policy)


def register(app: typer.Typer) -> None:
    """Add ``whatif`` to ``app``."""
    app.command("whatif")(whatif_command)


__all__ = ["register", "whatif_command"]
