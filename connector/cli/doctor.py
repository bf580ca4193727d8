"""``leadsync doctor``: check every admin file and setting, list every problem (style 13)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from connector.cli.context import begin, not_available
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, report_error, stdout_console
from connector.errors import ConfigError

if TYPE_CHECKING:
    from connector.config.project import ProjectCheck

#: Doctor checks whose machinery arrives with the CRM adapters.
PENDING_CHECKS = (
    "connect and log in to each enabled CRM",
    "every mapped field exists in the CRM (type, updateable, picklist values)",
    "API budget left",
)


def _problem_json(problem: Any) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "key": problem.key,
        "expected": problem.expected,
        "found": problem.found,
        "suggestion": problem.suggestion,
        "message": str(problem),
    }


def _as_json(result: ProjectCheck, status: str) -> dict[str, Any]:
    return {
        "command": "doctor",
        "project_dir": str(result.root),
        "status": status,
        "files": [
            {
                "file": f.label,
                "valid": f.is_valid,
                "note": f.note,
                "problems": [_problem_json(p) for p in f.problems],
            }
            for f in result.files
        ],
        "problems": len(result.problems),
        "warnings": result.warnings,
        "not_checked": list(PENDING_CHECKS),
    }


def _render(result: ProjectCheck) -> None:
    console = stdout_console()
    table = Table(title=f"leadsync project {result.root}", title_justify="left")
    table.add_column("file")
    table.add_column("status")
    table.add_column("note")
    for check in result.files:
        count = len(check.problems)
        status = "[green]valid[/]" if check.is_valid else f"[red]{count} problem(s)[/]"
        table.add_row(check.label, status, check.note)
    console.print(table)
    for warning in result.warnings:
        console.print("[yellow]warning:[/] ", end="")
        console.print(warning, markup=False)
    console.print("[dim]not checked yet: " + "; ".join(PENDING_CHECKS) + "[/]")


@handles_errors
def doctor_command(
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Create missing HubSpot properties / print the Salesforce fields to deploy.",
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 2) on warnings too.")
    ] = False,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the project: every admin file, the settings, and (later) the CRM connection.

    Lists every problem with file, line, key, what is expected and what was found.
    Exit 0 when all is valid, 2 when anything is invalid (or, with --strict, any warning).
    """
    from connector.config.project import check_project

    context = begin("doctor", project_dir, as_json=as_json)
    if fix:
        not_available(
            "doctor --fix",
            "creating CRM fields comes with the CRM adapters",
            hint="run `leadsync doctor` without --fix to check the admin files",
        )
    result = check_project(context.project_dir)
    failed = bool(result.problems) or (strict and bool(result.warnings))
    status = "invalid" if result.problems else ("warnings" if result.warnings else "ok")
    if as_json:
        emit_json(_as_json(result, status))
    else:
        _render(result)
    if failed:
        error = (
            ConfigError(problems=result.problems, hint="fix the lines above and run doctor again")
            if result.problems
            else ConfigError("doctor --strict: " + "; ".join(result.warnings))
        )
        # The JSON answer is already on stdout: report on stderr only, then exit.
        report_error(error)
        raise typer.Exit(error.exit_code)


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to ``app``."""
    app.command("doctor")(doctor_command)


__all__ = ["PENDING_CHECKS", "doctor_command", "register"]
