"""What ``doctor`` learned about one CRM: table rows, problems, errors, budget, fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.crm.base import ApiBudget
from connector.errors import ConfigProblem

#: Row statuses, worst last (the worst status of a row's checks is the row's).
STATUS_ORDER = ("ok", "skipped", "warning", "error", "problem")


def worst(statuses: list[str]) -> str:
    """The worst of ``statuses`` (``ok`` for none)."""
    return max(statuses, key=STATUS_ORDER.index, default="ok")


@dataclass(frozen=True)
class DoctorRow:
    """One line of doctor's CRM table.

    Attributes:
        object: the CRM object (``Lead``), or ``connection`` / ``API`` for those rows.
        field: the field (empty for object-level rows).
        check: what was checked (``read``, ``write``, ``task key``, ``connect``, ``budget``).
        status: ok, skipped, warning, error (cannot connect: exit 3) or problem (exit 2).
        detail: what was found, in one line.
        keys: the mapping keys that name this field (``outputs.state.field``).
        readable: the integration user can read the field (it is in describe); None for
            rows that are not about a field.
        writable: the integration user can write it (Salesforce describe ``updateable``,
            or ``createable`` for fields set on new tasks; HubSpot not
            ``modificationMetadata.readOnlyValue``); None when unknown.
    """

    object: str
    field: str
    check: str
    status: str
    detail: str
    keys: tuple[str, ...] = ()
    readable: bool | None = None
    writable: bool | None = None

    @property
    def access(self) -> str:
        """The user's access in words, for the table: read+write, read only, read, none."""
        if self.readable is None:
            return ""
        if not self.readable:
            return "none"
        if self.writable is None:
            return "read"  # e.g. a folded group of fields leadsync only reads
        return "read+write" if self.writable else "read only"

    def as_json(self) -> dict[str, Any]:
        """The row as JSON."""
        return {
            "object": self.object,
            "field": self.field,
            "check": self.check,
            "status": self.status,
            "detail": self.detail,
            "keys": list(self.keys),
            "readable": self.readable,
            "writable": self.writable,
        }


@dataclass
class FixReport:
    """What ``doctor --fix`` did for one CRM.

    Attributes:
        created: HubSpot properties created by this run (empty the second time).
        field_list: Salesforce custom fields to deploy, one line each.
        written_to: the file the Salesforce list was written to.
        note: what the admin does next.
    """

    created: list[str] = field(default_factory=list)
    field_list: list[str] = field(default_factory=list)
    written_to: Path | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        """The fix as JSON."""
        return {
            "created": self.created,
            "field_list": self.field_list,
            "written_to": str(self.written_to) if self.written_to else None,
            "note": self.note,
        }


@dataclass
class CrmReport:
    """Everything doctor checked for one enabled CRM.

    ``problems`` (a mapped field missing or unfit) make doctor exit 2, ``errors``
    (cannot connect or authenticate) exit 3 when nothing else is wrong, and
    ``warnings`` fail only with ``--strict``.
    """

    crm: str
    mapping_file: str
    connection_id: str | None = None
    rows: list[DoctorRow] = field(default_factory=list)
    problems: list[ConfigProblem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    budget: ApiBudget | None = None
    budget_share: float | None = None
    fix: FixReport | None = None

    @property
    def status(self) -> str:
        """``problem``, ``error``, ``warning`` or ``ok``."""
        if self.problems:
            return "problem"
        if self.errors:
            return "error"
        return "warning" if self.warnings else "ok"

    def as_json(self) -> dict[str, Any]:
        """The report as JSON (the same data as the table)."""
        budget = None
        if self.budget is not None:
            budget = {
                "used": self.budget.used,
                "total": self.budget.total,
                "remaining": self.budget.remaining,
                "share_used": round(self.budget.share_used(), 4),
                "budget_share": self.budget_share,
            }
        return {
            "crm": self.crm,
            "mapping_file": self.mapping_file,
            "connection_id": self.connection_id,
            "status": self.status,
            "rows": [r.as_json() for r in self.rows],
            "problems": [
                {
                    "file": p.file,
                    "line": p.line,
                    "key": p.key,
                    "expected": p.expected,
                    "found": p.found,
                    "suggestion": p.suggestion,
                    "message": str(p),
                }
                for p in self.problems
            ],
            "errors": self.errors,
            "warnings": self.warnings,
            "budget": budget,
            "fix": self.fix.as_json() if self.fix else None,
        }


__all__ = ["STATUS_ORDER", "CrmReport", "DoctorRow", "FixReport", "worst"]
