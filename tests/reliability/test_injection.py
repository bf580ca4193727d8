"""Query values cannot change a query; secrets files are 0600; servers listen on loopback only.

Issue 9 item 4. SOQL is built only through ``format_soql`` and HubSpot filters are JSON
values, so a value such as ``x' OR Id != 'y`` must match exactly the records holding that
text. Both are checked against the emulators, whose query engines would otherwise return
more rows. Listening addresses are read from the kernel (``/proc/net/tcp``), not from our code.
"""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from emulator_rig import Rig
from simple_salesforce import Salesforce

from connector.config.project import init_project
from connector.crm.base import PullRequest
from connector.crm.salesforce._soql import incremental_query
from connector.sandbox.hubspot import HubSpotSandbox
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings

HOSTILE = [
    "x' OR Id != 'y",
    "back\\slash' OR Name LIKE '%",
    'double"quote\\" OR "1"="1',
    "semi'; DELETE FROM Lead; --",
]


pytestmark = pytest.mark.usefixtures("clean_environment")
#: Leads of the ``small_rig`` company (conftest.py).
SMALL_RIG_LEADS = 12


def _salesforce(sandbox: SalesforceSandbox) -> Salesforce:
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sandbox.ca_path)
    token = session.post(
        sandbox.base_url + "/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(sandbox.client_id, sandbox.client_secret),
        timeout=5,
    ).json()["access_token"]
    return Salesforce(
        session_id=token, instance_url=sandbox.base_url, session=session, version="62.0"
    )


def _scoped_ids(rig: Rig, field: str, value: str) -> set[str]:
    request = PullRequest(
        object_type="Lead" if rig.crm == "salesforce" else "contacts",
        fields=(field,),
        cursor_field="SystemModstamp" if rig.crm == "salesforce" else "lastmodifieddate",
        scope={field: value},
    )
    if rig.crm == "salesforce":
        soql = incremental_query("Lead", [field], "SystemModstamp", None, {field: value})
        rows = _salesforce(rig.sandbox).query_all(soql)["records"]
        return {str(r["Id"]) for r in rows}
    adapter = rig.adapter
    return {r.record_id for page in adapter.pull(request, None) for r in page.records}


def test_query_hostile_scope_values_match_only_their_own_record(small_rig: Rig) -> None:
    rig = small_rig
    field = "Company" if rig.crm == "salesforce" else "company"
    ids = sorted(rig.crm_leads())
    assert len(ids) > len(HOSTILE)
    for lead_id, value in zip(ids, HOSTILE, strict=False):
        if rig.crm == "salesforce":
            rig.sandbox.org.update("Lead", lead_id, {field: value}, system=True)
        else:
            rig.sandbox.store.update("contacts", lead_id, {field: value}, validate=False)
    if rig.crm == "hubspot":
        import time

        time.sleep(0.1)  # the emulator's search-indexing lag (20 ms in the rig)
    for lead_id, value in zip(ids, HOSTILE, strict=False):
        assert _scoped_ids(rig, field, value) == {lead_id}, value


def test_query_soql_value_is_one_quoted_literal() -> None:
    soql = incremental_query("Lead", ["Company"], "SystemModstamp", None, {"Company": HOSTILE[0]})
    # format_soql escapes the quotes: the value stays inside one literal.
    assert "Company = 'x\\' OR Id != \\'y'" in soql


def _listening_hosts(port: int) -> set[str]:
    hosts: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text(encoding="ascii").splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if int(port_hex, 16) == port and state == "0A":  # 0A = LISTEN
                hosts.add(address)
    return hosts


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_emulators_listen_on_loopback_only() -> None:
    with (
        SalesforceSandbox(leads=2, seed=1, timings=SalesforceTimings.for_tests()) as sf,
        HubSpotSandbox(leads=2, seed=1) as hs,
    ):
        for url in (sf.base_url, hs.base_url):
            parts = urlsplit(url)
            assert parts.hostname == "127.0.0.1"
            assert parts.port is not None
            # 0100007F is 127.0.0.1 in the kernel's little-endian hex.
            assert _listening_hosts(parts.port) == {"0100007F"}, url


def test_env_files_written_by_tools_are_0600(tmp_path: Path) -> None:
    root = tmp_path / "p"
    init_project(root)
    assert stat.S_IMODE((root / ".env").stat().st_mode) == 0o600
    with (
        SalesforceSandbox(leads=2, seed=1, timings=SalesforceTimings.for_tests()) as sf,
        HubSpotSandbox(leads=2, seed=1) as hs,
    ):
        for name, sandbox in (("sf.env", sf), ("hs.env", hs)):
            target = tmp_path / name
            sandbox.write_env_file(target)
            assert stat.S_IMODE(target.stat().st_mode) == 0o600, name
            # Overwriting an existing, wider file narrows it too.
            target.chmod(0o644)
            sandbox.write_env_file(target)
            assert stat.S_IMODE(target.stat().st_mode) == 0o600, name
