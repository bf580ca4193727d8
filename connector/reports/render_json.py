"""``report --format json``: the whole report as one JSON object."""

from __future__ import annotations

import json

from connector.reports.report import Report


def render_json(report: Report) -> str:
    """The report as indented JSON text (one object; stable key order)."""
    return json.dumps({"command": "report", **report.to_dict()}, indent=2, ensure_ascii=False)


__all__ = ["render_json"]
