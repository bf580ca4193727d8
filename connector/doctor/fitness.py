"""Whether a CRM field, as describe reports it, can take what leadsync writes.

The compatibility of each value kind is a table per CRM (style 5: add a row, not an
``if``). A field type in the table with a note is usable but worth a warning; a
type not in the table is unfit (exit 2). Picklist values and text lengths are
checked before the first push, because a rejected value fails records with the
CRM's own cryptic message (lessons.md, "Playbook").
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.crm.base import FieldInfo
from connector.doctor.needs import CREATE, READ, TASK_KEY, WRITE, FieldNeed

OK = "ok"
WARNING = "warning"
PROBLEM = "problem"

_TEXT_NOTE = "a text field, not a picklist: any value is accepted, reports cannot filter on a list"

#: (crm, value kind) -> field type -> None (fits) or a warning.
_ACCEPTS: dict[tuple[str, str], dict[str, str | None]] = {
    ("salesforce", "enumeration"): {
        "picklist": None,
        "combobox": None,
        "string": _TEXT_NOTE,
        "textarea": _TEXT_NOTE,
    },
    ("salesforce", "number"): {
        "double": None,
        "currency": None,
        "percent": None,
        "int": "an integer field: scores have two decimals, Salesforce rounds them",
    },
    ("salesforce", "bool"): {"boolean": None},
    ("salesforce", "string"): {"string": None, "textarea": None, "combobox": None},
    ("salesforce", "date"): {"date": None},
    ("salesforce", "datetime"): {"datetime": None},
    ("hubspot", "enumeration"): {"enumeration": None, "string": _TEXT_NOTE},
    ("hubspot", "number"): {"number": None},
    ("hubspot", "bool"): {"bool": None},
    ("hubspot", "string"): {"string": None},
    ("hubspot", "date"): {"date": None},
    ("hubspot", "datetime"): {"datetime": None},
}

#: Words for the expected type, per (crm, kind), for messages.
_KIND_WORDS: dict[str, str] = {
    "enumeration": "a picklist",
    "number": "a number field",
    "bool": "a checkbox",
    "string": "a text field",
    "date": "a date field",
    "datetime": "a date/time field",
}
_HUBSPOT_KIND_WORDS: dict[str, str] = {
    "enumeration": "an enumeration property",
    "number": "a number property",
    "bool": "a bool (booleancheckbox) property",
    "string": "a string property",
    "date": "a date property",
    "datetime": "a datetime property",
}
_PICKLIST_TYPES = frozenset({"picklist", "multipicklist", "combobox", "enumeration"})


@dataclass(frozen=True)
class Verdict:
    """One finding about one field: status, and what was expected and found."""

    status: str
    check: str
    expected: str = ""
    found: str = ""

    @property
    def detail(self) -> str:
        """The finding in one line."""
        if self.status == OK:
            return self.found
        return f"expected {self.expected}, found {self.found}"


def kind_words(crm: str, kind: str) -> str:
    """How the admin calls a field of ``kind`` in ``crm``."""
    table = _HUBSPOT_KIND_WORDS if crm == "hubspot" else _KIND_WORDS
    return table.get(kind, kind)


def _type_verdict(crm: str, need: FieldNeed, info: FieldInfo) -> Verdict | None:
    if need.kind is None:
        return None
    accepts = _ACCEPTS.get((crm, need.kind), {})
    expected = kind_words(crm, need.kind)
    if info.type not in accepts:
        return Verdict(PROBLEM, "type", expected, f"type {info.type!r}")
    note = accepts[info.type]
    if note:
        return Verdict(WARNING, "type", expected, note)
    return Verdict(OK, "type", expected, info.type)


def _values_verdict(need: FieldNeed, info: FieldInfo) -> Verdict | None:
    if not need.values:
        return None
    if info.type in _PICKLIST_TYPES or info.picklist_values:
        allowed = set(info.picklist_values)
        missing = [v for v in need.values if v not in allowed]
        if missing:
            return Verdict(
                PROBLEM,
                "picklist values",
                "picklist values " + ", ".join(need.values),
                "no " + ", ".join(repr(v) for v in missing),
            )
        return Verdict(OK, "picklist values", found=f"all {len(need.values)} values present")
    longest = max(len(v) for v in need.values)
    if info.length is not None and info.length < longest:
        return Verdict(PROBLEM, "length", f"room for {longest} characters", f"{info.length}")
    return None


def _length_verdict(need: FieldNeed, info: FieldInfo) -> Verdict | None:
    if need.min_length is None or info.length is None:
        return None
    if info.length < need.min_length:
        return Verdict(
            PROBLEM,
            "length",
            f"a text length of at least {need.min_length}",
            f"length {info.length} (or set outputs.<name>.max_length to {info.length})",
        )
    return Verdict(OK, "length", found=f"length {info.length}")


def judge(crm: str, need: FieldNeed, info: FieldInfo) -> list[Verdict]:
    """Every finding about ``info`` for ``need`` (an empty list: the field fits)."""
    verdicts: list[Verdict] = []
    if need.role == WRITE and not info.is_updateable:
        verdicts.append(Verdict(PROBLEM, "updateable", "an updateable field", "read-only"))
    if need.role in (CREATE, TASK_KEY) and not info.is_createable:
        verdicts.append(Verdict(PROBLEM, "createable", "a field set on create", "read-only"))
    if need.role == TASK_KEY and crm == "salesforce" and not info.is_external_id:
        # Decision 18: tasks are upserted on this key; upsert needs an External ID field.
        verdicts.append(
            Verdict(PROBLEM, "external id", "an External ID field", "not marked External ID")
        )
    if need.role != READ:
        for verdict in (
            _type_verdict(crm, need, info),
            _values_verdict(need, info),
            _length_verdict(need, info),
        ):
            if verdict is not None and verdict.status != OK:
                verdicts.append(verdict)
    return verdicts


def summary(crm: str, need: FieldNeed, info: FieldInfo) -> str:
    """What was checked and found for a field that fits, for the table's detail column."""
    del crm
    parts = [info.type]
    if need.values:
        count = len(need.values)
        parts.append(f"{count} value{'s' if count != 1 else ''} present")
    if need.min_length is not None and info.length is not None:
        parts.append(f"length {info.length}")
    if need.role == TASK_KEY and info.is_external_id:
        parts.append("external id")
    if need.role == WRITE:
        parts.append("updateable")
    return ", ".join(parts)


__all__ = ["OK", "PROBLEM", "WARNING", "Verdict", "judge", "kind_words", "summary"]
