"""``doctor`` against a live CRM: connect, describe every mapped object, judge every field.

For each enabled CRM (interfaces.md, ``leadsync doctor``):

1. build the adapter and log in; a missing setting skips the CRM with a warning (the
   settings check already names it), a refused login or an unreachable host is an
   *error* (exit 3, "which setting to check");
2. describe each object the mapping reads (leads, each activity source, tasks);
3. check every field the mapping names: read fields exist; output fields exist, are
   updateable and fit what leadsync writes (type, picklist values, length); the task
   key exists (and is an External ID on Salesforce, decision 18); the fields of a
   follow-up task exist and accept leadsync's priorities; each row also says whether
   the integration user can read the field (it is in describe) and write it
   (``updateable`` / ``createable``; HubSpot: not ``readOnlyValue``);
4. read the API budget left today.

A missing or unfit field is a *problem* in ``mappings/<crm>.yaml`` (exit 2), named by
file, line, key, expected and found, with a did-you-mean from describe.
"""

from __future__ import annotations

import contextlib
import difflib
import time
from collections.abc import Callable
from datetime import UTC, datetime

from connector.config.mapping import CrmMapping
from connector.config.project import Project
from connector.config.yaml_source import KeyPath, YamlDocument, format_key, read_yaml
from connector.crm.base import CrmAdapter, FieldInfo, TaskSpec
from connector.doctor.fitness import OK, PROBLEM, WARNING, judge, summary
from connector.doctor.fix import fix_hubspot, fix_salesforce
from connector.doctor.needs import (
    CREATE,
    TASK_KEY,
    WRITE,
    FieldNeed,
    needs_of,
    objects_of,
    task_priority_values,
)
from connector.doctor.report import CrmReport, DoctorRow, FixReport, worst
from connector.errors import (
    BudgetExhaustedError,
    ConfigError,
    ConfigProblem,
    ConnectionFailedError,
    LeadsyncError,
    RecordError,
    TransientError,
)

#: Placeholders of the sample task whose fields doctor checks (never sent to the CRM).
_LEAD = "<lead id>"
_OWNER = "<owner id>"
_PRIORITY = "<priority>"

#: How a missing field leadsync writes comes into being, per CRM.
_CREATE_HINT = {
    "hubspot": " (`leadsync doctor --fix` creates it)",
    "salesforce": " (`leadsync doctor --fix` writes leadsync-salesforce/, the package to deploy "
    "with `sf project deploy start`)",
}

#: Which settings say where a CRM is, for a host that does not answer (interfaces.md exit 3).
_WHERE_HINT = {
    "salesforce": "check LEADSYNC_SALESFORCE_INSTANCE_URL (or salesforce.instance_url in "
    "config/connections.yaml) and the network",
    "hubspot": "check LEADSYNC_HUBSPOT_BASE_URL (or hubspot.base_url in "
    "config/connections.yaml) and the network",
}

#: Errors that mean "cannot reach or log in to the CRM" (interfaces.md exit 3).
_UNREACHABLE = (ConnectionFailedError, TransientError)


class _StoppedError(Exception):
    """Internal: the CRM stopped answering; the report already says why."""


def _message(error: LeadsyncError) -> str:
    return f"{error.message}; {error.hint}" if error.hint else error.message


class _CrmCheck:
    """One CRM's checks; fills a :class:`CrmReport` as it goes."""

    def __init__(self, project: Project, crm: str, adapter: CrmAdapter) -> None:
        self.crm = crm
        self.mapping: CrmMapping = project.mappings[crm]
        self.adapter = adapter
        label = project.connections.crm(crm).mapping
        self.report = CrmReport(crm=crm, mapping_file=label)
        self.report.budget_share = project.connections.crm(crm).budget_share
        self.doc: YamlDocument | None
        try:
            self.doc = read_yaml(project.root / label, label=label)
        except ConfigError:
            self.doc = None  # only line numbers are lost; the file itself was validated
        self.described: dict[str, dict[str, FieldInfo]] = {}

    # -- helpers --------------------------------------------------------------------------

    def problem(
        self, key: KeyPath, expected: str, found: str, suggestion: str | None = None
    ) -> None:
        self.report.problems.append(
            ConfigProblem(
                file=self.report.mapping_file,
                key=format_key(key),
                expected=expected,
                found=found,
                suggestion=suggestion,
                line=self.doc.line_of(key) if self.doc else None,
            )
        )

    def unreachable(self, check: str, error: LeadsyncError) -> None:
        if isinstance(error, BudgetExhaustedError):
            text = "not checked: " + _message(error)
            self.report.rows.append(DoctorRow("API", "", check, WARNING, text))
            self.report.warnings.append(f"{self.crm}: {text}")
        else:
            text = _message(error)
            if "LEADSYNC_" not in text:
                text = f"{text}; {_WHERE_HINT[self.crm]}"
            self.report.rows.append(DoctorRow("connection", "", check, "error", text))
            self.report.errors.append(f"{self.crm}: {text}")
        raise _StoppedError

    def _lookup(self, fields: dict[str, FieldInfo], name: str) -> FieldInfo | None:
        found = fields.get(name)
        if found is None and self.crm == "salesforce":
            # Salesforce API names are case-insensitive; HubSpot property names are not.
            lowered = name.lower()
            found = next((f for n, f in fields.items() if n.lower() == lowered), None)
        return found

    @staticmethod
    def _suggest(fields: dict[str, FieldInfo], name: str, *, cutoff: float) -> str | None:
        by_lower = {n.lower(): n for n in fields}
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=cutoff)
        return by_lower[close[0]] if close else None

    # -- steps ----------------------------------------------------------------------------

    def describe_objects(self) -> None:
        for obj, key in objects_of(self.mapping):
            try:
                self.described[obj] = self.adapter.describe(obj)
            except (RecordError, ConfigError) as error:
                what = "an object" if self.crm == "salesforce" else "an object type"
                self.problem(key, f"{what} of this {self.crm} account", repr(obj))
                self.report.rows.append(
                    DoctorRow(obj, "", "describe", PROBLEM, f"not found ({error.message})")
                )
            except _UNREACHABLE as error:
                self.unreachable(f"describe {obj}", error)

    def task_needs(self) -> list[FieldNeed]:
        """The fields a follow-up task is created with (the adapter names them)."""
        tasks = self.mapping.tasks
        if tasks is None:
            return []
        sample = TaskSpec(
            lead_id=_LEAD,
            owner_id=_OWNER,
            due_at=datetime.now(tz=UTC),
            priority=_PRIORITY,
            subject="",
            description="",
        )
        needs: list[FieldNeed] = []
        for name, value in self.adapter.task_fields(sample, timezone=UTC).items():
            if value == _PRIORITY:
                values = task_priority_values(self.mapping)
                needs.append(
                    FieldNeed(tasks.object, name, ("tasks", "priorities"), CREATE, None, values)
                )
            elif isinstance(value, str) and value and value not in (_LEAD, _OWNER):
                # A constant such as Status 'Not Started': a picklist must allow it.
                constant = (value,) if not any(c.isdigit() for c in value) else ()
                needs.append(
                    FieldNeed(tasks.object, name, ("tasks", "object"), CREATE, None, constant)
                )
            else:
                needs.append(FieldNeed(tasks.object, name, ("tasks", "object"), CREATE))
        return needs

    def check_fields(self) -> None:
        groups: dict[tuple[str, str], list[FieldNeed]] = {}
        for need in [*needs_of(self.mapping), *self.task_needs()]:
            name = need.field.lower() if self.crm == "salesforce" else need.field
            groups.setdefault((need.object, name), []).append(need)
        for (obj, _), needs in groups.items():
            fields = self.described.get(obj)
            if fields is None:
                continue  # the object is missing: reported once by describe_objects
            self._check_field(obj, fields, needs)

    def _check_field(self, obj: str, fields: dict[str, FieldInfo], needs: list[FieldNeed]) -> None:
        name = needs[0].field
        roles = "+".join(dict.fromkeys(n.role for n in needs))
        keys = tuple(dict.fromkeys(format_key(n.key) for n in needs))
        info = self._lookup(fields, name)
        if info is None:
            expected = f"a field of {obj}"
            written = any(n.role in (WRITE, TASK_KEY) for n in needs)
            if written:
                expected += _CREATE_HINT[self.crm]
            # leadsync's own fields share a prefix: only a near-certain typo is suggested.
            suggestion = self._suggest(fields, name, cutoff=0.9 if written else 0.8)
            for key in dict.fromkeys(n.key for n in needs):
                self.problem(key, expected, repr(name), suggestion)
            hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
            self.report.rows.append(
                DoctorRow(
                    obj, name, roles, PROBLEM, f"not found in {obj}{hint}", keys, readable=False
                )
            )
            return
        details: list[str] = []
        statuses: list[str] = []
        for need in needs:
            for verdict in judge(self.crm, need, info):
                text = f"{verdict.check}: {verdict.detail}"
                if text in details:
                    continue
                details.append(text)
                statuses.append(verdict.status)
                if verdict.status == PROBLEM:
                    self.problem(need.key, f"{obj}.{info.name} {verdict.expected}", verdict.found)
                else:
                    self.report.warnings.append(f"{self.crm}: {obj}.{info.name}: {text}")
        status = worst(statuses) if statuses else OK
        detail = "; ".join(details) if details else summary(self.crm, needs[-1], info)
        self.report.rows.append(
            DoctorRow(
                obj,
                info.name,
                roles,
                status,
                detail,
                keys,
                readable=True,
                writable=_writable(needs, info),
            )
        )

    def check_budget(self) -> None:
        try:
            budget = self.adapter.budget()
        except LeadsyncError as error:
            text = f"budget not read: {_message(error)}"
            self.report.rows.append(DoctorRow("API", "daily allocation", "budget", WARNING, text))
            self.report.warnings.append(f"{self.crm}: {text}")
            return
        self.report.budget = budget
        share = self.report.budget_share or 1.0
        detail = (
            f"{budget.remaining} of {budget.total} calls left today "
            f"({budget.share_used():.1%} used; leadsync stops at {share:.0%})"
        )
        status = OK
        if budget.total and budget.share_used() >= share:
            status = WARNING
            self.report.warnings.append(
                f"{self.crm}: the API budget share is used up; syncs wait for tomorrow"
            )
        self.report.rows.append(DoctorRow("API", "daily allocation", "budget", status, detail))


def _writable(needs: list[FieldNeed], info: FieldInfo) -> bool:
    """Whether the user can write the field the way leadsync does (or at all, if it only reads)."""
    if any(n.role == WRITE for n in needs):
        return info.is_updateable
    if any(n.role in (CREATE, TASK_KEY) for n in needs):
        return info.is_createable
    return info.is_updateable or info.is_createable


def check_crm(
    project: Project,
    crm: str,
    *,
    fix: bool = False,
    adapter: CrmAdapter | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CrmReport:
    """Check one enabled CRM against its mapping; with ``fix``, provision first.

    Args:
        project: the loaded project (every admin file valid).
        crm: ``salesforce`` or ``hubspot``.
        fix: HubSpot: create missing properties; Salesforce: write the metadata package.
        adapter: an adapter to use instead of building one from the settings (tests).
        sleep: how retries wait.

    Returns:
        The report; it never raises for a CRM problem (each becomes a row).
    """
    from connector.pipeline.connection import build_adapter

    mapping_file = project.connections.crm(crm).mapping
    fix_report = None
    if fix and crm == "salesforce":
        api_version = project.connections.salesforce.api_version
        fix_report = fix_salesforce(project.root, project.mappings[crm], api_version=api_version)
    if adapter is None:
        try:
            adapter = build_adapter(project, crm, sleep=sleep)
        except ConfigError as error:
            return _skipped(crm, mapping_file, error, fix_report)
    check = _CrmCheck(project, crm, adapter)
    report = check.report
    report.fix = fix_report
    try:
        try:
            adapter.connect()
        except ConfigError as error:
            return _skipped(crm, mapping_file, error, fix_report)
        except _UNREACHABLE as error:
            check.unreachable("connect", error)
        report.connection_id = adapter.connection_id
        report.rows.append(DoctorRow("connection", "", "connect", OK, "logged in"))
        if fix and crm == "hubspot":
            _provision(check)
        check.describe_objects()
        check.check_fields()
        check.check_budget()
    except _StoppedError:
        pass
    except _UNREACHABLE as error:  # e.g. the host went away mid-way
        with contextlib.suppress(_StoppedError):
            check.unreachable("check", error)
    return report


def _provision(check: _CrmCheck) -> None:
    try:
        check.report.fix = fix_hubspot(check.adapter, check.mapping)
    except _UNREACHABLE as error:
        check.unreachable("create properties", error)
    except LeadsyncError as error:
        check.problem(("outputs",), "properties HubSpot accepts", _message(error))
        check.report.rows.append(
            DoctorRow("properties", "", "create", PROBLEM, _message(error), ("outputs",))
        )


def _skipped(crm: str, mapping_file: str, error: ConfigError, fix: FixReport | None) -> CrmReport:
    text = f"not checked: {_message(error)}"
    report = CrmReport(crm=crm, mapping_file=mapping_file, fix=fix)
    report.rows.append(DoctorRow("connection", "", "connect", "skipped", text))
    report.warnings.append(f"{crm}: {text}")
    return report


def check_crms(
    project: Project,
    *,
    fix: bool = False,
    crms: list[str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[CrmReport]:
    """:func:`check_crm` for each enabled CRM (or those named in ``crms``)."""
    names = crms or project.connections.enabled_crms()
    return [check_crm(project, crm, fix=fix, sleep=sleep) for crm in names]


__all__ = ["check_crm", "check_crms"]
