"""The model of ``jobs/*.yaml``: what runs when (decision 21).

Each file holds one job. ``schedule`` is either a 5-field cron expression
(``cron: "0 6 * * *"``) or an interval (``every: 5m``). The files are the single
source of truth: the scheduler builds its in-memory job store from them at start.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, field_validator

from connector.config.loader import AdminModel, Finding

#: What a job can run.
JobKind = Literal["sync", "sweep", "report", "retry-parked"]

_INTERVAL = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Schedule(AdminModel):
    """When a job runs: ``cron`` or ``every`` (exactly one), in ``timezone``."""

    cron: str | None = Field(default=None, description="Minute hour day month weekday.")
    every: str | None = Field(default=None, description="An interval such as 5m, 1h or 1d.")
    timezone: str | None = Field(default=None, description="Default: connections.yaml's.")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError:
            msg = "a 5-field cron expression (minute hour day month weekday) such as '0 6 * * *'"
            raise ValueError(msg) from None
        return value

    @field_validator("every")
    @classmethod
    def _every(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = _INTERVAL.match(value)
        if not match or int(match.group(1)) == 0:
            msg = "an interval such as 30s, 5m, 1h or 1d"
            raise ValueError(msg)
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = "an IANA time zone name such as UTC or Asia/Seoul"
            raise ValueError(msg) from None
        return value

    def check(self) -> list[Finding]:
        """Exactly one of ``cron`` and ``every``."""
        if (self.cron is None) == (self.every is None):
            found = "both" if self.cron else "neither"
            return [Finding("", "either cron or every (exactly one)", found)]
        return []

    @property
    def interval(self) -> timedelta | None:
        """The ``every`` interval as a duration (``None`` for a cron schedule)."""
        if self.every is None:
            return None
        match = _INTERVAL.match(self.every)
        assert match is not None  # validated above
        return timedelta(seconds=int(match.group(1)) * _UNIT[match.group(2)])


class Job(AdminModel):
    """One scheduled job (one file under ``jobs/``)."""

    version: Literal[1] = 1
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Unique, lower-case.")
    runs: JobKind
    crm: Literal["salesforce", "hubspot", "all"] = "all"
    enabled: bool = True
    schedule: Schedule
    options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Options passed to the command, e.g. full: true."
    )


__all__ = ["Job", "JobKind", "Schedule"]
