"""``leadsync demo``: a newcomer's tour (temp project, sandbox, sync, sweep, report, explain).

To plug in the tour, replace the body of :func:`run_demo`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from connector.cli.context import CommandContext, begin
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, note, say
from connector.errors import UsageError


def run_demo(
    context: CommandContext,
    *,
    crm: str,
    leads: int,
    keep: Path | None = None,
    dashboard: Path | None = None,
) -> int:
    """Run the tour and print what it did. Returns the exit code."""
    from connector.cli.sync import describe_run
    from connector.pipeline.demo import run_demo as tour
    from connector.pipeline.explain import explanation_text
    from connector.reports.render_table import format_value

    if keep is not None and keep.exists() and any(keep.iterdir()):
        msg = f"--keep: {keep} is not empty; give a new folder for the demo project"
        raise UsageError(msg)
    result = tour(crm, leads, progress=note, keep_dir=keep, dashboard=dashboard)
    if context.as_json:
        emit_json(result.as_json())
        return 0
    where = "Salesforce and HubSpot sandboxes" if crm == "both" else f"{crm} sandbox"
    say(f"leadsync demo: {leads} synthetic leads in a local {where}", style="bold")
    if keep is None:
        say(f"(a throw-away project was written to {result.project_dir}; --keep DIR keeps it)")
    else:
        say(f"(the demo project is kept in {result.project_dir})")
    if result.provisioned:
        say(f"doctor --fix created {len(result.provisioned)} HubSpot properties")
    for label, summary in result.steps:
        say(f"\n{label}", style="bold")
        say("  " + describe_run(summary.model_dump(mode="json")))
    say("\nleads by lifecycle state now", style="bold")
    for cid, counts in result.states.items():
        ordered = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))
        say(f"  {cid}: {ordered}")
    if result.explained:
        say("\nwhy one lead is where it is (leadsync explain)", style="bold")
        say(explanation_text(result.explained))
    if result.kpis:
        say("\nthe playbook's KPIs now (leadsync report)", style="bold")
        for kpi in result.kpis:
            value = kpi["value"]
            shown = format_value(value, kpi["unit"]) if not isinstance(value, str) else value
            say(f"  {kpi['id']:<5} {kpi['name']}: {shown}")
    if result.dashboard:
        say(f"\ndashboard: {result.dashboard} (open it in a browser; it works offline)")
    if keep is not None:
        say(
            f"\ntry: leadsync report -p {keep}   leadsync whatif --policy NEW.yaml -p {keep}"
            f"   leadsync explain LEAD_ID -p {keep}"
        )
    say(
        "\nnext: `leadsync init my-project`, point it at your org (README), "
        "`leadsync doctor`, `leadsync sync`"
    )
    return 0


@handles_errors
def demo_command(
    crm: Annotated[str, typer.Option("--crm", help="salesforce, hubspot or both.")] = "salesforce",
    leads: Annotated[int, typer.Option("--leads", help="Synthetic leads in the sandbox.")] = 500,
    keep: Annotated[
        Path | None,
        typer.Option(
            "--keep",
            help="Keep the demo project in this new folder (to run report, explain, whatif "
            "on it afterwards); its dashboard is written there too.",
        ),
    ] = None,
    dashboard: Annotated[
        Path | None,
        typer.Option("--dashboard", help="Write the HTML dashboard of the end state here."),
    ] = None,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """A five-minute tour on a local sandbox: no CRM account needed."""
    context = begin("demo", project_dir, as_json=as_json)
    if crm not in ("salesforce", "hubspot", "both") or leads < 1:
        msg = f"demo: expected --crm salesforce|hubspot|both and --leads >= 1, got {crm!r}, {leads}"
        raise UsageError(msg)
    code = run_demo(context, crm=crm, leads=leads, keep=keep, dashboard=dashboard)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo_command)


__all__ = ["demo_command", "register", "run_demo"]
