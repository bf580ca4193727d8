"""When a job is due (decision 21): from its schedule and its last run, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connector.config.jobs import Job
from connector.scheduler import CRON_GRACE, JobUnit, is_due, next_due_at
from connector.scheduler.units import MIN_GRACE, cron_weekdays

NOW = datetime(2025, 4, 2, 9, 30, tzinfo=UTC)


def _unit(schedule: dict[str, str], tz: str = "UTC", runs: str = "sync") -> JobUnit:
    job = Job.model_validate({"name": "j", "runs": runs, "schedule": schedule})
    return JobUnit(job, "salesforce", ZoneInfo(tz))


def test_is_due_never_ran_is_due() -> None:
    assert is_due(_unit({"every": "5m"}), None, NOW)
    assert is_due(_unit({"cron": "0 6 * * *"}), None, NOW)


@pytest.mark.parametrize(
    ("ago", "due"),
    [(timedelta(minutes=4), False), (timedelta(minutes=5), True), (timedelta(hours=3), True)],
)
def test_is_due_interval_counts_from_last_run(ago: timedelta, due: bool) -> None:
    assert is_due(_unit({"every": "5m"}), NOW - ago, NOW) is due


def test_next_due_at_interval_is_last_plus_interval() -> None:
    last = NOW - timedelta(minutes=2)
    assert next_due_at(_unit({"every": "5m"}), last, NOW) == last + timedelta(minutes=5)


def test_is_due_cron_fired_since_last_run_is_due() -> None:
    # Daily 06:00: ran yesterday 06:00, it is now 09:30 -> today's 06:00 was missed.
    assert is_due(_unit({"cron": "0 6 * * *"}), NOW - timedelta(days=1, hours=3, minutes=30), NOW)


def test_is_due_cron_run_exactly_at_fire_time_is_not_due_again() -> None:
    today_six = NOW.replace(hour=6, minute=0)
    assert not is_due(_unit({"cron": "0 6 * * *"}), today_six, today_six + timedelta(seconds=30))
    assert next_due_at(_unit({"cron": "0 6 * * *"}), today_six, NOW) == today_six + timedelta(
        days=1
    )


def test_is_due_cron_before_fire_time_is_not_due() -> None:
    last = NOW.replace(hour=6, minute=0) - timedelta(days=1)
    assert not is_due(_unit({"cron": "0 6 * * *"}), last, NOW.replace(hour=5, minute=59))


def test_is_due_cron_uses_the_jobs_timezone() -> None:
    # 06:00 in Seoul is 21:00 UTC the day before.
    unit = _unit({"cron": "0 6 * * *"}, tz="Asia/Seoul")
    last = datetime(2025, 4, 1, 20, 0, tzinfo=UTC)
    assert not is_due(unit, last, datetime(2025, 4, 1, 20, 59, tzinfo=UTC))
    assert is_due(unit, last, datetime(2025, 4, 1, 21, 0, tzinfo=UTC))


def test_misfire_grace_interval_is_one_interval_cron_is_constant() -> None:
    assert _unit({"every": "5m"}).misfire_grace == timedelta(minutes=5)
    assert _unit({"every": "1s"}).misfire_grace == MIN_GRACE
    assert _unit({"cron": "0 6 * * *"}).misfire_grace == CRON_GRACE


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1", "mon"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0,6", "sun,sat"),
        ("*/3", "sun,wed,sat"),
        ("mon-fri", "mon-fri"),
        ("*", "*"),
    ],
)
def test_cron_weekdays_standard_numbers_become_names(field: str, names: str) -> None:
    assert cron_weekdays(field) == names


def test_is_due_cron_monday_means_monday() -> None:
    # "0 7 * * 1" is Monday 07:00 in cron(5); APScheduler 3 alone would read Tuesday.
    unit = _unit({"cron": "0 7 * * 1"}, runs="report")
    tuesday = datetime(2025, 4, 1, 5, 0, tzinfo=UTC)
    assert next_due_at(unit, tuesday, tuesday) == datetime(2025, 4, 7, 7, 0, tzinfo=UTC)
    assert not is_due(unit, tuesday, tuesday + timedelta(hours=2))


def test_is_due_cron_working_days_skip_the_weekend() -> None:
    unit = _unit({"cron": "0 9 * * 1-5"})
    friday_nine = datetime(2025, 4, 4, 9, 0, tzinfo=UTC)
    assert next_due_at(unit, friday_nine, friday_nine) == datetime(2025, 4, 7, 9, 0, tzinfo=UTC)
