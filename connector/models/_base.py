"""Shared pydantic configuration for the canonical models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


def _require_aware(value: datetime) -> datetime:
    # Decision 4: every datetime inside leadsync is timezone-aware UTC.
    if value.tzinfo is None or value.utcoffset() is None:
        msg = "datetime must be timezone-aware"
        raise ValueError(msg)
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]


class CanonicalModel(BaseModel):
    """Frozen, strict-keyed base of every canonical record."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
