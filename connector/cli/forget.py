"""``leadsync forget LEAD_ID [--crm C]``: erase a person's data from the local store.

The lead row, its state, events, responses, touches, alert log, outbox items and
data-quality issues are deleted; an anonymous tombstone (a hash of connection and
lead id) makes the next sync skip the id. The CRM is not changed: erase the record
there with the CRM's own tools. The append-only transition log (S-5) is kept.
"""

from __future__ import annotations

from typing import Annotated

import typer

from connector.cli.context import begin
from connector.cli.options import CrmOption, JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, say


@handles_errors
def forget_command(
    lead_id: Annotated[str, typer.Argument(help="The CRM record id of the lead to forget.")],
    crm: CrmOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Erase one lead's personal data locally; later syncs skip it (tombstone)."""
    from connector.pipeline.forget import forget_lead

    context = begin("forget", project_dir, as_json=as_json)
    outcomes = forget_lead(context.project(), lead_id, crm=crm)
    if as_json:
        emit_json(
            {
                "command": "forget",
                "lead": lead_id,
                "connections": [
                    {
                        "crm": o.crm,
                        "connection_id": o.connection_id,
                        "deleted": o.counts.deleted,
                        "kept_transitions": o.counts.kept_transitions,
                        "already_forgotten": o.counts.already_forgotten,
                    }
                    for o in outcomes
                ],
            }
        )
        return
    for outcome in outcomes:
        counts = outcome.counts
        again = " (already forgotten before)" if counts.already_forgotten else ""
        deleted = ", ".join(f"{n} {t}" for t, n in counts.deleted.items() if n) or "no rows"
        say(f"{outcome.crm}: forgot lead {lead_id}{again}: deleted {deleted}")
        say(
            f"  kept {counts.kept_transitions} transition-log rows (append-only, S-5); "
            "later syncs skip this lead"
        )


def register(app: typer.Typer) -> None:
    """Add ``forget`` to ``app``."""
    app.command("forget")(forget_command)


__all__ = ["forget_command", "register"]
