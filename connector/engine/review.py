"""L-7: the earliest moment any rule could fire for a lead without new data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta


def next_review(now: datetime, candidates: Iterable[datetime | None]) -> datetime | None:
    """The earliest candidate strictly after ``now`` (None when nothing is time-driven)."""
    best: datetime | None = None
    for at in candidates:
        if at is None or at <= now:
            continue
        if best is None or at < best:
            best = at
    return best


def next_utc_midnight(now: datetime) -> datetime:
    """Start of the next UTC day (when per-owner daily caps reset, decision 9)."""
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
