"""``report --format html``: the integrated dashboard as ONE self-contained HTML file.

The page loads nothing from elsewhere: the CSS and the Plotly library are inlined, each
chart is a Plotly figure (:mod:`connector.reports.charts`), so it opens offline, reads
on a laptop screen and prints (print CSS keeps sections on one page where they fit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from connector.reports.charts import (
    bar_chart,
    funnel_chart,
    heat_map,
    line_chart,
    plotly_script,
    stacked_bars,
)
from connector.reports.render_table import columns_of, format_value
from connector.reports.report import Report

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_STATES = ("(new)", "Dormant", "Cold", "Warm", "Hot", "Converted", "Removed")

#: Section ids, in page order; the browser and unit tests check they are all there.
SECTIONS = (
    "kpis",
    "states",
    "funnel",
    "transitions",
    "response-time",
    "channels",
    "retention",
    "quality",
    "inactive",
    "parked",
    "trend",
    "log-checks",
)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["kpi"] = lambda kpi: format_value(kpi.value, kpi.unit)
    env.filters["fmt"] = format_value
    env.filters["columns"] = columns_of
    return env


def _charts(report: Report) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    charts["states"] = bar_chart(
        "states",
        "Current state distribution",
        [(r["type"], r["leads"], f"{r['leads']:,}") for r in report.state_distribution],
    )
    charts["funnel"] = funnel_chart(
        "funnel", "Funnel", [(r["stage"], r["leads"]) for r in report.funnel]
    )
    k10 = report.kpi("K-10")
    matrix = {(r["from"], r["to"]): r["transitions"] for r in k10.rows}
    seen_from = {r["from"] for r in k10.rows}
    seen_to = {r["to"] for r in k10.rows}
    charts["transitions"] = heat_map(
        "transitions",
        "Transition matrix (from row to column)",
        [s for s in _STATES if s in seen_from] + sorted(seen_from - set(_STATES)),
        [s for s in _STATES if s in seen_to] + sorted(seen_to - set(_STATES)),
        matrix,
    )
    k13 = report.kpi("K-13")
    buckets = k13.extra.get("hour_buckets", [])
    charts["response_time"] = stacked_bars(
        "response-time",
        "Response time by type (first contact after the current priority began)",
        [r["type"] for r in k13.rows],
        buckets,
        {(r["type"], b): r["buckets"].get(b, 0) for r in k13.rows for b in buckets},
    )
    channels = [r for r in report.kpi("K-8").rows if r["dimension"] == "channel"]
    charts["channels"] = bar_chart(
        "channels",
        "Leads by channel",
        [
            (r["code"], r["leads"], f"{r['leads']:,} ({format_value(r['share_pct'], 'percent')})")
            for r in channels[:15]
        ],
    )
    campaigns = [r for r in report.kpi("K-7").rows if isinstance(r["rate_pct"], float)]
    charts["campaigns"] = bar_chart(
        "campaigns",
        "Campaign conversion rate (K-7)",
        [
            (r["campaign"], r["rate_pct"], f"{r['rate_pct']:.1f} % of {r['targets']:,}")
            for r in campaigns[:15]
        ],
        color="#CC79A7",
    )
    k9 = report.kpi("K-9")
    charts["retention"] = bar_chart(
        "retention",
        "Active share by lead age",
        [
            (
                r["bucket"],
                r["active_share"] if isinstance(r["active_share"], float) else 0.0,
                format_value(r["active_share"], "ratio"),
            )
            for r in k9.rows
        ],
        color="#E69F00",
    )
    by_field: dict[str, int] = {}
    for row in report.quality["by_rule_field"]:
        by_field[row["field"]] = by_field.get(row["field"], 0) + row["issues"]
    charts["quality"] = bar_chart(
        "quality",
        "Open data-quality issues by field",
        [(f, n, f"{n:,}") for f, n in sorted(by_field.items(), key=lambda kv: -kv[1])[:15]],
        color="#D55E00",
    )
    inactive = report.kpi("K-16").extra.get("inactive_by_days", [])
    charts["inactive"] = bar_chart(
        "inactive",
        "Inactive leads by days without a response",
        [(r["days"], r["leads"], f"{r['leads']:,}") for r in inactive],
        color="#999999",
    )
    monthly = report.trend_monthly[-18:]
    charts["trend"] = line_chart(
        "trend",
        "Per month: new leads, first contacts, transitions, conversions",
        {
            name: [(r["period"], r.get(name, 0)) for r in monthly]
            for name in ("new_leads", "first_contacts", "transitions", "conversions")
        },
    )
    return charts


def render_dashboard(report: Report) -> str:
    """The dashboard page as HTML text."""
    template = _environment().get_template("dashboard.html.j2")
    return template.render(
        report=report,
        scope=report.scope.describe(),
        charts=_charts(report),
        kpi=report.kpi,
        sections=SECTIONS,
        plotly=plotly_script(),
    )


def write_dashboard(report: Report, path: Path) -> Path:
    """Write the dashboard to ``path`` (parents created). Returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_dashboard(report), encoding="utf-8")
    return path


__all__ = ["SECTIONS", "render_dashboard", "write_dashboard"]
