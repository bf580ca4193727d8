"""``whatif``: a policy edit's effect on stored leads, derived from L-4 / L-5, writing nothing.

One Hot lead entered Hot 20 days before the comparison and has done nothing since.
- Current policy (L-4 Hot window 25 days): no change over the next 8 daily sweeps; the
  window is reached on day 5 and the L-5 confirmation (7 days) would end on day 12.
- Candidate with a 10-day Hot window: the window is already past on day 0, so the L-5
  confirmation touch goes out on day 0 (the state is still Hot: R-1), and with no answer
  the lead is downgraded to Warm when the 7-day confirmation window ends, on day 7.
"""

from __future__ import annotations

from pathlib import Path

from playbook_builders import DAY, T0, Builder
from sqlalchemy import func, select
from typer.testing import CliRunner

from connector.cli.app import app
from connector.config.policy import load_policy
from connector.config.project import init_project, load_project
from connector.models import LeadState
from connector.pipeline.whatif import compare_policies
from connector.store import LeadStateRecord, open_store
from connector.store.schema import lead_state, outbox, touches, transitions

CID = "salesforce:acme.my.salesforce.com"
NOW = T0 + 20 * DAY


def _project(tmp_path: Path, mk: Builder) -> Path:
    root = tmp_path / "acme"
    init_project(root)
    (root / ".env").write_text("LEADSYNC_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com\n")
    project = load_project(root)
    snapshot = mk.snapshot(LeadState.HOT, T0)
    with open_store(project.database_url, root) as store, store.transaction(CID) as tx:
        tx.leads.upsert([mk.lead(crm_modstamp=T0)])
        tx.lead_state.upsert(
            [
                LeadStateRecord(
                    lead_id="L1",
                    state=LeadState.HOT,
                    priority=snapshot.priority,
                    entered_state_at=T0,
                    snapshot=snapshot.model_dump(mode="json"),
                )
            ]
        )
    return root


def _candidate(root: Path, tmp_path: Path) -> Path:
    text = (root / "config" / "policy.yaml").read_text()
    assert "Hot:     {days: 25," in text
    path = tmp_path / "candidate.yaml"
    path.write_text(text.replace("Hot:     {days: 25,", "Hot:     {days: 10,"))
    return path


def _counts(root: Path) -> dict[str, int]:
    project = load_project(root)
    with open_store(project.database_url, root) as store, store.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (lead_state, transitions, outbox, touches)
        }


def test_l4_l5_shorter_hot_window_downgrades_after_the_confirmation(
    tmp_path: Path, mk: Builder
) -> None:
    root = _project(tmp_path, mk)
    candidate = load_policy(_candidate(root, tmp_path))
    result = compare_policies(load_project(root), candidate, as_of=NOW, days=9).as_json()
    assert result["leads"] == 1
    # day 0: both keep Hot (the window only makes the lead a candidate, R-1)
    assert result["would_change"]["state"] == 0
    assert result["matrix"]["rows"]["Hot"]["Hot"] == 1
    current = [d["current"]["transitions"] for d in result["per_day"]]
    changed = [d["candidate"]["transitions"] for d in result["per_day"]]
    assert current == [0] * 9
    assert changed == [0, 0, 0, 0, 0, 0, 0, 1, 0]


def test_whatif_writes_nothing(tmp_path: Path, mk: Builder) -> None:
    root = _project(tmp_path, mk)
    before = _counts(root)
    result = CliRunner().invoke(
        app,
        [
            "whatif",
            "--policy",
            str(_candidate(root, tmp_path)),
            "--as-of",
            NOW.isoformat(),
            "--days",
            "9",
            "--json",
            "-p",
            str(root),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert '"leads": 1' in result.stdout
    assert _counts(root) == before
