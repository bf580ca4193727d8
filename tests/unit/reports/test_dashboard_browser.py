"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, no download).

Every chart must have drawn its SVG with marks in it, the page must log no console
error, make no network request, and show hostile CRM text as text (no dialog opens).
The full-page screenshot is kept as a test artifact (``test-artifacts/dashboard.png``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from kpi_fixture import AS_OF, CID, EXPECTED_CHARTS, SINCE, at

from connector.config.policy import default_policy
from connector.models import Lead
from connector.reports.dashboard import write_dashboard
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import Store

CHROMIUM = os.environ.get("LEADSYNC_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("LEADSYNC_TEST_ARTIFACTS", "test-artifacts"))
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
# The flags a root, offline, screenless machine needs (no sandbox, no background fetches).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

playwright_api = pytest.importorskip("playwright.sync_api")


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


@pytest.fixture
def dashboard_file(kpi_store: Store, tmp_path: Path) -> Path:
    with kpi_store.transaction(CID) as tx:
        tx.leads.upsert([Lead(lead_id="L9", created_at=at(6, 1), inflow_channel=HOSTILE)])
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    return write_dashboard(
        build_report(kpi_store, default_policy(), scope), tmp_path / "dashboard.html"
    )


def test_dashboard_renders_every_chart_offline(dashboard_file: Path) -> None:
    executable = _chromium_or_skip()
    problems: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.on(
                "console",
                lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            def refuse_network(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if not url.startswith(("file:", "data:", "blob:")):
                    requests.append(url)
                    route.abort()  # type: ignore[attr-defined]
                    return
                route.continue_()  # type: ignore[attr-defined]

            page.route("**/*", refuse_network)
            page.goto(dashboard_file.as_uri())
            page.wait_for_function(
                "document.querySelectorAll('div.chart .main-svg').length >= "
                "document.querySelectorAll('div.chart').length",
                timeout=30_000,
            )
            charts = page.eval_on_selector_all(
                "div.chart",
                """els => els.map(e => ({
                    name: e.dataset.chart,
                    svgs: e.querySelectorAll('svg.main-svg').length,
                    marks: e.querySelectorAll(
                        '.bars path, .funnellayer path, .hm image, .heatmaplayer image,'
                        + ' .scatterlayer path.js-line, .scatterlayer .point'
                    ).length,
                    width: e.getBoundingClientRect().width,
                }))""",
            )
            text = page.inner_text("body")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert requests == []
    assert dialogs == []
    names = {c["name"] for c in charts}
    assert names >= EXPECTED_CHARTS
    for chart in charts:
        assert chart["svgs"] >= 1, chart
        assert chart["marks"] >= 1, chart
        assert chart["width"] > 200, chart
    assert "<script>alert(2)</script>" in text
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
