"""Column types that keep the store's promises on every dialect.

Decision 4: datetimes are timezone-aware UTC inside leadsync. SQLite has no
timezone type, so :class:`UTCDateTime` stores naive UTC there (SQLAlchemy's
fixed-width ISO text, which sorts correctly) and always hands back aware UTC;
PostgreSQL gets ``timestamptz``. A naive datetime is refused on the way in,
because guessing its zone is how clocks silently drift by hours.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime column that accepts only aware datetimes and returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; naive on SQLite (which cannot keep an offset)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            msg = f"the store accepts only timezone-aware datetimes (decision 4), got {value!r}"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC whatever the driver gave back."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> TypeEngine[Any]:
    """JSON column: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere."""
    return JSON().with_variant(JSONB(), "postgresql")
