"""The HTML dashboard as text: one self-contained file, every section, CRM text escaped."""

from __future__ import annotations

import re
from pathlib import Path

from kpi_fixture import AS_OF, CID, EXPECTED_CHARTS, SINCE, at

from connector.config.policy import default_policy
from connector.models import Lead
from connector.reports.charts import plotly_script
from connector.reports.dashboard import SECTIONS, render_dashboard
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import Store

HOSTILE = "<script>alert('x')</script>"


def _page(store: Store) -> str:
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    return render_dashboard(build_report(store, default_policy(), scope))


def test_every_section_and_chart_is_on_the_page(kpi_store: Store) -> None:
    page = _page(kpi_store)
    for section in SECTIONS:
        assert f'id="{section}"' in page, section
    charts = set(re.findall(r'data-chart="([^"]+)"', page))
    assert charts >= EXPECTED_CHARTS


def test_the_page_loads_nothing_from_elsewhere(kpi_store: Store) -> None:
    page = _page(kpi_store)
    library = str(plotly_script())
    # Plotly itself is inlined once (the browser test checks no request leaves the page)
    assert page.count(library) == 1
    ours = page.replace(library, "")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", ours)
    assert "<link" not in ours


def test_crm_text_is_escaped(kpi_store: Store, tmp_path: Path) -> None:
    with kpi_store.transaction(CID) as tx:
        tx.leads.upsert(
            [Lead(lead_id="L9", created_at=at(6, 1), inflow_channel=HOSTILE, owner_id=HOSTILE)]
        )
    page = _page(kpi_store)
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page
