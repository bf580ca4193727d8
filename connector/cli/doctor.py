"""``leadsync doctor``: check every admin file and setting, then each enabled CRM (style 13).

Exit codes (interfaces.md): 0 all good (warnings allowed unless ``--strict``); 2 an
admin file, a setting or a mapped CRM field is invalid; 3 the only problem is that a
CRM cannot be reached or refused the login (the message says which setting to check).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from connector.cli.context import begin
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, report_error, stdout_console
from connector.config.redaction import redactor
from connector.doctor.needs import READ
from connector.doctor.report import DoctorRow
from connector.errors import ConfigError, ConnectionFailedError, LeadsyncError

if TYPE_CHECKING:
    from connector.config.project import ProjectCheck
    from connector.doctor import CrmReport

#: What doctor skips while an admin file is invalid.
NOT_CHECKED_WHEN_INVALID = "the CRM (connection, mapped fields, API budget): fix the files first"

_STYLES = {
    "ok": "green",
    "skipped": "dim",
    "warning": "yellow",
    "error": "red",
    "problem": "bold red",
    "valid": "green",
}


#: Only "none" is red: a read-only field may be fine (leadsync only reads it); the row's
#: status says whether the access matters.
_ACCESS_STYLES = {"read+write": "green", "read": "", "read only": "", "none": "red"}


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


def _status(result: ProjectCheck, reports: list[CrmReport]) -> str:
    if result.problems or any(r.problems for r in reports):
        return "invalid"
    if any(r.errors for r in reports):
        return "error"
    if result.warnings or any(r.warnings for r in reports):
        return "warnings"
    return "ok"


def _as_json(result: ProjectCheck, reports: list[CrmReport], status: str) -> dict[str, Any]:
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
        "problems": len(result.problems) + sum(len(r.problems) for r in reports),
        "warnings": result.warnings + [w for r in reports for w in r.warnings],
        "crms": [r.as_json() for r in reports],
        "not_checked": [] if result.project is not None else [NOT_CHECKED_WHEN_INVALID],
    }


def _cell(text: str, style: str | None = None) -> Text:
    # Text, not markup: CRM messages may hold brackets; every cell passes the redactor.
    return Text(redactor()(text), style=style or "")


def _render_files(result: ProjectCheck) -> None:
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
    if result.project is None:
        console.print("[dim]not checked: " + NOT_CHECKED_WHEN_INVALID + "[/]")


def _collapsed(rows: list[DoctorRow]) -> list[DoctorRow]:
    """Fields that are only read and present fold into one row per object (JSON has all)."""
    out: list[DoctorRow] = []
    plain: dict[str, list[DoctorRow]] = {}
    for row in rows:
        if row.check == READ and row.status == "ok":
            if row.object not in plain:
                plain[row.object] = []
                out.append(row)  # placeholder, replaced below, keeps the object's place
            plain[row.object].append(row)
        else:
            out.append(row)
    for index, row in enumerate(out):
        group = plain.get(row.object)
        if group and row is group[0] and row.check == READ and row.status == "ok":
            detail = "all present (each one is listed with --json)"
            out[index] = DoctorRow(
                row.object, f"{len(group)} fields", READ, "ok", detail, readable=True
            )
    # One block per object, in the order objects first appear.
    order = {name: i for i, name in enumerate(dict.fromkeys(r.object for r in out))}
    return sorted(out, key=lambda r: order[r.object])


def _render_crm(report: CrmReport) -> None:
    console = stdout_console()
    title = f"{report.crm}: {report.connection_id or 'not connected'} ({report.mapping_file})"
    table = Table(title=redactor()(title), title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("object", "field", "check"):
        table.add_column(column, overflow="fold")
    table.add_column("user can", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("detail", overflow="fold", min_width=20)
    for row in _collapsed(report.rows):
        table.add_row(
            _cell(row.object),
            _cell(row.field),
            _cell(row.check),
            _cell(row.access, _ACCESS_STYLES.get(row.access)),
            _cell(row.status, _STYLES.get(row.status)),
            _cell(row.detail),
        )
    console.print(table)
    fix = report.fix
    if fix is None:
        return
    if report.crm == "hubspot":
        console.print(_cell(f"doctor --fix: {fix.note}"))
        for name in fix.created:
            console.print(_cell(f"  created {name}"))
    else:
        where = f" (written to {fix.written_to})" if fix.written_to else ""
        console.print(_cell(f"Salesforce metadata package to deploy{where}:"))
        for line in fix.field_list:
            console.print(_cell(f"  {line}"))
        console.print(_cell(f"note: {fix.note}", "dim"))


def _render(result: ProjectCheck, reports: list[CrmReport]) -> None:
    _render_files(result)
    for report in reports:
        _render_crm(report)
    console = stdout_console()
    for warning in result.warnings + [w for r in reports for w in r.warnings]:
        console.print("[yellow]warning:[/] ", end="")
        console.print(_cell(warning))


def _failure(
    result: ProjectCheck, reports: list[CrmReport], *, strict: bool
) -> LeadsyncError | None:
    """The error doctor exits with, or None when all is well."""
    problems = result.problems + [p for r in reports for p in r.problems]
    if problems:
        return ConfigError(
            problems=problems,
            hint="fix the lines above (or create the missing CRM fields: `leadsync doctor "
            "--fix`) and run doctor again",
        )
    errors = [e for r in reports for e in r.errors]
    if errors:
        return ConnectionFailedError("\n".join(errors))
    warnings = result.warnings + [w for r in reports for w in r.warnings]
    if strict and warnings:
        return ConfigError("doctor --strict: " + "; ".join(warnings))
    return None


@handles_errors
def doctor_command(
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Create missing HubSpot properties / write the Salesforce metadata package "
            "(leadsync-salesforce/) to deploy.",
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 2) on warnings too.")
    ] = False,
    project_dir: ProjectDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the project: every admin file, the settings, and each enabled CRM.

    Lists every problem with file, line, key, what is expected and what was found;
    connects to each enabled CRM, checks every mapped field (exists, type, updateable,
    picklist values, length), whether the integration user can read and write it, and
    the API budget left today. With --fix, creates the missing HubSpot properties and
    writes leadsync-salesforce/, a Salesforce metadata package (custom fields and a
    permission set) to deploy with `sf project deploy start`. Exit 0 when all is valid,
    2 when anything is invalid (or, with --strict, any warning), 3 when a CRM cannot be
    reached or logged in.
    """
    from connector.config.project import check_project
    from connector.doctor import check_crms

    context = begin("doctor", project_dir, as_json=as_json)
    result = check_project(context.project_dir, overrides=context.overrides)
    reports = check_crms(result.project, fix=fix) if result.project is not None else []
    if as_json:
        emit_json(_as_json(result, reports, _status(result, reports)))
    else:
        _render(result, reports)
    error = _failure(result, reports, strict=strict)
    if error is not None:
        # The JSON answer is already on stdout: report on stderr only, then exit.
        report_error(error)
        raise typer.Exit(error.exit_code)


def register(app: typer.Typer) -> None:
    """Add ``doctor`` to ``app``."""
    app.command("doctor")(doctor_command)


__all__ = ["NOT_CHECKED_WHEN_INVALID", "doctor_command", "register"]
