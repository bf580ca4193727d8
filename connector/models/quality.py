"""Data-quality issues (D-6): bad data is reported, never lost, never a crash."""

from __future__ import annotations

from enum import StrEnum

from connector.models._base import AwareDatetime, CanonicalModel


class Severity(StrEnum):
    """Whether the record could still be scored."""

    WARNING = "warning"
    QUARANTINED = "quarantined"


class DataQualityIssue(CanonicalModel):
    """One field of one CRM record that broke one D-rule."""

    record_id: str
    object_type: str
    field: str
    value: str | None
    rule_id: str
    message: str
    severity: Severity = Severity.WARNING
    detected_at: AwareDatetime | None = None
