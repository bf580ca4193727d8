"""A job of ``jobs/*.yaml`` expanded to one unit per CRM connection, with its trigger.

A job with ``crm: all`` runs for every enabled CRM; each (job, CRM) pair is one
unit with its own last run, catch-up and APScheduler job, because each CRM
connection has its own run log and lock (decisions 14, 21, 22).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from connector.config.jobs import Job
from connector.config.project import Project

#: The order in which due jobs run in one pass: parked rows go back first so the
#: sync pushes them, the sweep follows the sync it depends on, the report comes last.
KIND_ORDER = {"retry-parked": 0, "sync": 1, "sweep": 2, "report": 3}

#: The least grace of any job: a start-up or a slow neighbour job never skips a run.
MIN_GRACE = timedelta(seconds=30)
#: How late a cron job may still start (a busy worker, a suspended machine); later,
#: the run is skipped and the next start's catch-up runs it once (decision 21).
CRON_GRACE = timedelta(hours=6)


@dataclass(frozen=True)
class JobUnit:
    """One job for one CRM connection."""

    job: Job
    crm: str
    timezone: tzinfo

    @property
    def id(self) -> str:
        """``<job name>@<crm>``: the APScheduler job id and the key in logs and status."""
        return f"{self.job.name}@{self.crm}"

    @property
    def kind(self) -> str:
        """What the job runs: sync, sweep, report or retry-parked."""
        return self.job.runs

    @property
    def interval(self) -> timedelta | None:
        """The ``every`` interval, or ``None`` for a cron job."""
        return self.job.schedule.interval

    @property
    def misfire_grace(self) -> timedelta:
        """An interval job late by one interval is superseded by its next run."""
        grace = self.interval if self.interval is not None else CRON_GRACE
        return max(grace, MIN_GRACE)

    def trigger(self, *, start: datetime | None = None) -> BaseTrigger:
        """The APScheduler trigger; an interval counts from ``start`` (the next run)."""
        if self.interval is not None:
            return IntervalTrigger(
                seconds=int(self.interval.total_seconds()),
                start_date=start,
                timezone=self.timezone,
            )
        assert self.job.schedule.cron is not None  # Schedule.check: exactly one of the two
        return crontab_trigger(self.job.schedule.cron, self.timezone)


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday_numbers(token: str) -> list[int]:
    base, _, step = token.partition("/")
    if base == "*":
        first, last = 0, 6
    elif "-" in base:
        low, high = base.split("-", 1)
        first, last = int(low), int(high)
    else:
        first = last = int(base)
    if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last):
        msg = f"weekday {token!r} out of 0-7"
        raise ValueError(msg)
    return list(range(first, last + 1, int(step) if step else 1))


def cron_weekdays(field: str) -> str:
    """Standard cron weekdays (0 or 7 = Sunday, 1 = Monday) as APScheduler day names.

    APScheduler 3's ``CronTrigger.from_crontab`` passes the field through, and its
    numbers count from Monday = 0: ``0 7 * * 1`` would fire on Tuesdays. Numbers,
    ranges and steps become an explicit list of names; names pass unchanged.
    """
    if field == "*" or not any(ch.isdigit() for ch in field):
        return field
    names: list[str] = []
    for token in field.split(","):
        if not any(ch.isdigit() for ch in token):
            names.append(token)
            continue
        for number in _weekday_numbers(token):
            if _CRON_DAYS[number] not in names:
                names.append(_CRON_DAYS[number])
    return ",".join(names)


def crontab_trigger(expression: str, timezone: tzinfo) -> CronTrigger:
    """A 5-field crontab expression with the weekday numbers of cron(5), not APScheduler's."""
    minute, hour, day, month, weekday = expression.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=cron_weekdays(weekday),
        timezone=timezone,
    )


def job_units(project: Project) -> list[JobUnit]:
    """The enabled jobs of the project, one unit per CRM, in :data:`KIND_ORDER`."""
    units: list[JobUnit] = []
    enabled = project.connections.enabled_crms()
    for job in project.jobs:
        if not job.enabled:
            continue
        crms = enabled if job.crm == "all" else [job.crm]
        if job.runs == "report":
            # One dashboard covers every connection; its run is logged under the first.
            crms = crms[:1]
        for crm in crms:
            if crm not in enabled:
                continue
            zone = job.schedule.timezone
            timezone = ZoneInfo(zone) if zone else project.connections.timezone_of(crm)
            units.append(JobUnit(job, crm, timezone))
    units.sort(key=lambda u: (KIND_ORDER.get(u.kind, 9), u.job.name, u.crm))
    return units


__all__ = [
    "CRON_GRACE",
    "KIND_ORDER",
    "MIN_GRACE",
    "JobUnit",
    "cron_weekdays",
    "crontab_trigger",
    "job_units",
]
