"""Jobs of jobs/*.yaml become one unit per CRM connection, in a useful order."""

from __future__ import annotations

from pathlib import Path

from connector.config.project import init_project, load_project
from connector.pipeline.demo import enable_crms
from connector.scheduler import job_units


def _project(root: Path, crms: list[str], jobs: dict[str, str]):  # type: ignore[no-untyped-def]
    init_project(root)
    enable_crms(root, crms)
    for path in (root / "jobs").glob("*.yaml"):
        path.unlink()
    for name, text in jobs.items():
        (root / "jobs" / f"{name}.yaml").write_text(text, encoding="utf-8")
    (root / ".env").write_text(
        "LEADSYNC_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com\n"
        "LEADSYNC_HUBSPOT_ACCESS_TOKEN=pat-test\n",
        encoding="utf-8",
    )
    return load_project(root)


def _job(name: str, runs: str, schedule: str, crm: str = "all", enabled: str = "true") -> str:
    return (
        f"version: 1\nname: {name}\nruns: {runs}\ncrm: {crm}\nenabled: {enabled}\n"
        f"schedule:\n  {schedule}\n"
    )


def test_job_units_all_expands_per_enabled_crm_report_once(tmp_path: Path) -> None:
    project = _project(
        tmp_path / "p",
        ["salesforce", "hubspot"],
        {
            "a-report": _job("a-report", "report", 'cron: "0 7 * * 1"'),
            "b-sweep": _job("b-sweep", "sweep", 'cron: "0 6 * * *"'),
            "c-sync": _job("c-sync", "sync", "every: 5m"),
            "d-retry": _job("d-retry", "retry-parked", "every: 1h", crm="hubspot"),
            "e-off": _job("e-off", "sync", "every: 1m", enabled="false"),
        },
    )
    ids = [u.id for u in job_units(project)]
    # Parked rows go back first, the sync precedes the sweep, the report is last.
    assert ids == [
        "d-retry@hubspot",
        "c-sync@hubspot",
        "c-sync@salesforce",
        "b-sweep@hubspot",
        "b-sweep@salesforce",
        "a-report@salesforce",
    ]


def test_job_units_timezone_defaults_to_connections_yaml(tmp_path: Path) -> None:
    root = tmp_path / "p"
    project = _project(root, ["salesforce"], {"s": _job("s", "sweep", 'cron: "0 6 * * *"')})
    assert str(job_units(project)[0].timezone) == project.connections.timezone
    text = _job("s", "sweep", 'cron: "0 6 * * *"\n  timezone: Asia/Seoul')
    (root / "jobs" / "s.yaml").write_text(text, encoding="utf-8")
    assert str(job_units(load_project(root))[0].timezone) == "Asia/Seoul"
