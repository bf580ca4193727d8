"""``leadsync explain LEAD_ID``: why a lead has its score, type, Flag, state and next step.

To plug in the explanation, replace the body of :func:`explain_lead`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from connector.cli.context import CommandContext, begin
from connector.cli.options import CrmOption, JsonOption, ProjectDirOption, parse_crm
from connector.cli.output import emit_json, handles_errors, say


def explain_lead(context: CommandContext, lead_id: str, crm: str | None) -> dict[str, Any]:
    """The stored decision of one lead, with the rules that fired (style 8)."""
    from connector.pipeline.explain import explain_lead as explain
    from connector.pipeline.explain import explanation_text

    del crm  # a lead id names one record; the store knows its connection
    data = explain(context.project(), lead_id)
    return {**data, "text": explanation_text(data)}


@handles_errors
def explain_command(
    lead_id: Annotated[
        str, typer.Argument(help="The CRM id of the lead (Salesforce Id, HubSpot id).")
    ],
    crm: CrmOption = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Explain a lead: its score breakdown, type, Flag, lifecycle state and next step."""
    context = begin("explain", project_dir, as_json=as_json)
    explanation = explain_lead(context, lead_id, parse_crm(crm))
    if as_json:
        explanation.pop("text", None)
        emit_json({"command": "explain", **explanation})
    else:
        say(str(explanation.get("text", explanation)))


def register(app: typer.Typer) -> None:
    """Add ``explain`` to ``app``."""
    app.command("explain")(explain_command)


__all__ = ["explain_command", "explain_lead", "register"]
