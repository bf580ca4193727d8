"""The jobs runner of ``leadsync run`` (decision 21, issue 7).

``jobs/*.yaml`` is the single source of truth: APScheduler 3.x runs an in-memory
job store built from it at start; last runs and catch-up come from the ``runs``
table; nothing is pickled into the database.
"""

from connector.scheduler.connections import (
    base_connection_id,
    project_connection_ids,
    stored_connection_ids,
)
from connector.scheduler.due import is_due, last_runs, next_due_at, ran_at
from connector.scheduler.execute import JobOutcome, execute_unit, system_now
from connector.scheduler.runner import (
    PlannedUnit,
    Runner,
    StopFlag,
    due_units,
    plan,
    run_once,
    stop_on_signals,
)
from connector.scheduler.units import (
    CRON_GRACE,
    KIND_ORDER,
    JobUnit,
    cron_weekdays,
    crontab_trigger,
    job_units,
)

__all__ = [
    "CRON_GRACE",
    "KIND_ORDER",
    "JobOutcome",
    "JobUnit",
    "PlannedUnit",
    "Runner",
    "StopFlag",
    "base_connection_id",
    "cron_weekdays",
    "crontab_trigger",
    "due_units",
    "execute_unit",
    "is_due",
    "job_units",
    "last_runs",
    "next_due_at",
    "plan",
    "project_connection_ids",
    "ran_at",
    "run_once",
    "stop_on_signals",
    "stored_connection_ids",
    "system_now",
]
