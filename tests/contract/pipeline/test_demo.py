"""``leadsync demo`` end to end on both emulators, then report and whatif on its project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from connector.pipeline.demo import STEPS


def _leadsync(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connector.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def test_demo_runs_the_tour_on_both_crms_and_keeps_a_project(tmp_path: Path) -> None:
    kept = tmp_path / "tour"
    demo = _leadsync(
        "demo", "--crm", "both", "--leads", "60", "--keep", str(kept), "--json", cwd=tmp_path
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    payload = json.loads(demo.stdout)
    assert payload["command"] == "demo"
    # every step of the tour ran once per CRM, and none failed
    assert len(payload["runs"]) == 2 * len(STEPS)
    assert {run["crm"] for run in payload["runs"]} == {"salesforce", "hubspot"}
    assert all(run["status"] in ("ok", "partial") for run in payload["runs"])
    # the first sync is the go-live baseline: every lead was evaluated and pushed
    first = [run for run in payload["runs"] if run["step"] == STEPS[0][0]]
    assert all(run["evaluated"] == 60 for run in first)
    assert [k["id"] for k in payload["kpis"]] == [f"K-{i}" for i in range(1, 17)]
    assert Path(payload["dashboard"]).is_file()

    report = _leadsync("report", "--json", "-p", str(kept), cwd=tmp_path)
    assert report.returncode == 0, report.stderr[-2000:]
    # the kept project's report counts the same 120 leads (60 per CRM) as Lead In
    funnel = {row["stage"]: row["leads"] for row in json.loads(report.stdout)["funnel"]}
    assert funnel["Lead In"] == 120

    whatif = _leadsync(
        "whatif",
        "--policy",
        str(kept / "config" / "policy.yaml"),
        "--days",
        "2",
        "--json",
        "-p",
        str(kept),
        cwd=tmp_path,
    )
    assert whatif.returncode == 0, whatif.stderr[-2000:]
    same = json.loads(whatif.stdout)
    # the same policy as candidate changes nothing
    assert same["leads"] == 120
    assert same["would_change"] == {"state": 0, "priority": 0, "score_type": 0, "flag": 0}

    lead = payload["explained"]
    view = _leadsync("explain", lead["lead_id"], "-p", str(kept), cwd=tmp_path)
    assert view.returncode == 0, view.stderr[-2000:]
    assert f"Lead {lead['lead_id']}" in view.stdout
    assert "Transition log (S-5)" in view.stdout
    as_json = json.loads(
        _leadsync("explain", lead["lead_id"], "--json", "-p", str(kept), cwd=tmp_path).stdout
    )
    # the terminal view and the JSON describe the same stored decision
    assert as_json["state"] == lead["state"]
    assert as_json["state"] in view.stdout
    assert len(as_json["transitions"]) == len(lead["transitions"]) >= 1
