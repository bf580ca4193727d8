"""Data-quality issues (D-6): one row per (record, field, rule), updated by every re-pull.

A re-pull of a record that still breaks a rule updates its row instead of
adding one; a re-pull that no longer shows an issue marks it resolved.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update

from connector.models import DataQualityIssue, Severity
from connector.store._dialect import chunks, insert_for
from connector.store._repository import Repository
from connector.store.schema import data_quality_issues as dq


@dataclass(frozen=True, slots=True)
class QualityOutcome:
    """What one reconcile did: issues first seen (or reopened), still open, resolved."""

    new: int
    still_open: int
    resolved: int


def _issue(row: Any) -> DataQualityIssue:
    return DataQualityIssue(
        record_id=row.record_id,
        object_type=row.object_type,
        field=row.field,
        value=row.value,
        rule_id=row.rule_id,
        message=row.message,
        severity=Severity(row.severity),
        detected_at=row.detected_at,
    )


class QualityRepository(Repository):
    """Data-quality issues of one connection."""

    def reconcile(
        self,
        object_type: str,
        record_ids: Iterable[str],
        issues: Sequence[DataQualityIssue],
        *,
        run_id: str | None = None,
    ) -> QualityOutcome:
        """Record the issues found in a batch of pulled records and resolve the ones gone.

        Args:
            object_type: the kind of records pulled (``lead``, ``response_record``...).
            record_ids: every record pulled in this batch, with or without issues.
            issues: the issues the mapping found in them.
            run_id: the run that pulled them.

        Returns:
            counts of new (or reopened), still open and resolved issues.
        """
        now = self._clock()
        batch = uuid.uuid4().hex
        pulled = set(record_ids) | {i.record_id for i in issues if i.object_type == object_type}
        known = self._known(object_type, pulled)
        rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for issue in issues:
            key = (issue.object_type, issue.record_id, issue.field, issue.rule_id)
            rows[key] = {
                "connection_id": self._cid,
                "record_id": issue.record_id,
                "object_type": issue.object_type,
                "field": issue.field,
                "value": issue.value,
                "rule_id": issue.rule_id,
                "message": issue.message,
                "severity": Severity(issue.severity).value,
                "detected_at": issue.detected_at or now,
                "last_seen_at": now,
                "seen_batch": batch,
                "run_id": run_id,
                "resolved_at": None,
            }
        new = sum(1 for key in rows if key[1:] not in known or known[key[1:]] is not None)
        if rows:
            stmt = insert_for(self._conn, dq)
            ex = stmt.excluded
            stmt = stmt.on_conflict_do_update(
                index_elements=[
                    dq.c.connection_id,
                    dq.c.object_type,
                    dq.c.record_id,
                    dq.c.field,
                    dq.c.rule_id,
                ],
                set_={
                    "value": ex.value,
                    "message": ex.message,
                    "severity": ex.severity,
                    # An issue that comes back after being resolved is a new detection.
                    "detected_at": case(
                        (dq.c.resolved_at.is_(None), dq.c.detected_at), else_=ex.detected_at
                    ),
                    "last_seen_at": ex.last_seen_at,
                    "seen_batch": ex.seen_batch,
                    "run_id": ex.run_id,
                    "resolved_at": None,
                },
            )
            self._conn.execute(stmt, list(rows.values()))
        resolved = 0
        for part in chunks(sorted(pulled)):
            result = self._conn.execute(
                update(dq)
                .where(
                    dq.c.connection_id == self._cid,
                    dq.c.object_type == object_type,
                    dq.c.record_id.in_(part),
                    dq.c.resolved_at.is_(None),
                    dq.c.seen_batch != batch,
                )
                .values(resolved_at=now)
            )
            resolved += int(result.rowcount)
        return QualityOutcome(new=new, still_open=len(rows) - new, resolved=resolved)

    def _known(
        self, object_type: str, record_ids: set[str]
    ) -> dict[tuple[str, str, str], datetime | None]:
        found: dict[tuple[str, str, str], datetime | None] = {}
        for part in chunks(sorted(record_ids)):
            query = select(dq.c.record_id, dq.c.field, dq.c.rule_id, dq.c.resolved_at).where(
                dq.c.connection_id == self._cid,
                dq.c.object_type == object_type,
                dq.c.record_id.in_(part),
            )
            for record_id, field_name, rule_id, resolved_at in self._conn.execute(query):
                found[(record_id, field_name, rule_id)] = resolved_at
        return found

    def open_issues(self, *, after_id: int = 0, limit: int = 100) -> list[DataQualityIssue]:
        """Unresolved issues, oldest first (paged by row id)."""
        query = (
            select(dq)
            .where(dq.c.connection_id == self._cid, dq.c.resolved_at.is_(None), dq.c.id > after_id)
            .order_by(dq.c.id)
            .limit(limit)
        )
        return [_issue(row) for row in self._conn.execute(query)]

    def open_count(self) -> int:
        """How many issues are unresolved."""
        query = select(func.count()).where(
            dq.c.connection_id == self._cid, dq.c.resolved_at.is_(None)
        )
        return int(self._conn.execute(query).scalar_one())

    def counts_by_rule(self) -> dict[str, int]:
        """Unresolved issues per rule id (for reports)."""
        query = (
            select(dq.c.rule_id, func.count())
            .where(dq.c.connection_id == self._cid, dq.c.resolved_at.is_(None))
            .group_by(dq.c.rule_id)
        )
        return {rule: int(n) for rule, n in self._conn.execute(query)}
