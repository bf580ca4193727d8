"""``report --format csv``: one long table a spreadsheet can pivot.

Columns: ``section, id, name, group, metric, value``. Each KPI gives one ``value`` row
(its headline, or "not available: <why>") plus one row per metric of each breakdown
row; trends, parked records, data-quality issues and log checks follow as sections.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from connector.reports.report import Report

HEADER = ("section", "id", "name", "group", "metric", "value")

#: Keys that name a breakdown row rather than measure it.
_GROUP_KEYS = (
    "dimension",
    "code",
    "type",
    "campaign",
    "owner",
    "bucket",
    "from",
    "to",
    "period",
    "stage",
    "rule",
    "field",
    "severity",
    "lead_id",
    "date",
)


def _group(row: Mapping[str, Any]) -> str:
    return " / ".join(str(row[k]) for k in _GROUP_KEYS if k in row and row[k] is not None)


def _measures(row: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    for key, value in row.items():
        if key in _GROUP_KEYS:
            continue
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                yield f"{key}.{sub}", inner
        else:
            yield key, value


def render_csv(report: Report) -> str:
    """The report as CSV text (RFC 4180, header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for kpi in report.kpis:
        writer.writerow(("kpi", kpi.id, kpi.name, "", "value", kpi.value))
        if kpi.numerator is not None:
            writer.writerow(("kpi", kpi.id, kpi.name, "", "numerator", kpi.numerator))
            writer.writerow(("kpi", kpi.id, kpi.name, "", "denominator", kpi.denominator))
        for row in kpi.rows:
            for metric, value in _measures(row):
                writer.writerow(("kpi", kpi.id, kpi.name, _group(row), metric, value))
    sections: list[tuple[str, str, Iterable[Mapping[str, Any]]]] = [
        ("state", "state distribution", report.state_distribution),
        ("funnel", "funnel", report.funnel),
        ("trend", "weekly trend", report.trend_weekly),
        ("trend", "monthly trend", report.trend_monthly),
        ("quality", "open data-quality issues by rule and field", report.quality["by_rule_field"]),
        ("parked", "parked outbox rows", report.parked["rows"]),
        ("shadow", "shadow mode: would have been written", report.shadow.get("per_day", [])),
    ]
    for check in report.log_checks:
        writer.writerow(("log_check", check["id"], check["check"], "", "count", check["count"]))
        sections.append(("log_check", check["check"], check["rows"]))
    for section, name, rows in sections:
        for row in rows:
            for metric, value in _measures(row):
                writer.writerow((section, "", name, _group(row), metric, value))
    return out.getvalue()


__all__ = ["HEADER", "render_csv"]
