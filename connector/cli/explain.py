"""``leadsync explain LEAD_ID``: why a lead has its score, type, Flag, state and next step.

The engine's explanation of the stored decision, with the lead's transition log, as a
terminal view or (``--json``) as data.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from connector.cli.context import CommandContext, begin
from connector.cli.options import CrmOption, JsonOption, ProjectDirOption, parse_crm
from connector.cli.output import emit_json, handles_errors, stdout_console


def explain_lead(context: CommandContext, lead_id: str, crm: str | None) -> dict[str, Any]:
    """The stored decision of one lead, with the rules that fired (style 8)."""
    from connector.pipeline.explain import explain_lead as explain
    from connector.pipeline.explain import explanation_text

    del crm  # a lead id names one record; the store knows its connection
    data = explain(context.project(), lead_id)
    return {**data, "text": explanation_text(data)}


def render_explanation(data: dict[str, Any]) -> None:
    """The explanation as a terminal view: the verdict, the score, the rules, the history."""
    console = stdout_console()
    scores = data["scores"]
    flag = "yes" if data["flag"] else "no"
    if data["flag_conditions"]:
        flag += f" ({', '.join(data['flag_conditions'])})"
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("state", f"{data['state']}  (priority {data['priority'] or '-'}, Flag {flag})")
    head.add_row(
        "score",
        f"{scores['total']:g} = activity {scores['activity']:g} + demographic "
        f"{scores['demographic']:g} + recency {scores['recency']:g}",
    )
    head.add_row("type", f"{data['score_type']} by {data['type_method']} ({data['type_cell']})")
    action = data["next_action"]
    if action:
        head.add_row("next action", f"{action['code']} due {action['due_at']}")
    if data["next_review_at"]:
        head.add_row("next review", data["next_review_at"])
    head.add_row("reason pushed", data["reason"])
    console.print(
        Panel(
            head,
            title=f"Lead {data['lead_id']}",
            subtitle=f"{data['connection_id']}, as of {data['as_of']}",
        ),
        markup=False,
    )
    rules = Table(title="Why: the rules that decided (rule id first)", show_header=False)
    rules.add_column(overflow="fold")
    for line in data["explanation"]:
        rules.add_row(line)
    console.print(rules)
    if data["transitions"]:
        history = Table(title="Transition log (S-5)")
        history.add_column("at", no_wrap=True)
        history.add_column("change", overflow="fold")
        history.add_column("reason", no_wrap=True)
        history.add_column("score", no_wrap=True)
        history.add_column("rule", no_wrap=True)
        for t in data["transitions"]:
            history.add_row(
                t["at"],
                f"{t['kind']}: {t['from'] or '(new)'} -> {t['to']}",
                t["reason"],
                t["score"] or "",
                t["rule"] or "",
            )
        console.print(history)


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
        render_explanation(explanation)


def register(app: typer.Typer) -> None:
    """Add ``explain`` to ``app``."""
    app.command("explain")(explain_command)


__all__ = ["explain_command", "explain_lead", "register", "render_explanation"]
