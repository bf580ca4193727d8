"""The route table: (method, path pattern) -> handler, with a stats label.

Adding an endpoint means adding a row. Paths are matched without a trailing slash, so
``query`` and ``query/`` (the SDK's form) are the same route.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from connector.sandbox.salesforce import bulk_api, composite_api, composite_request, rest_api
from connector.sandbox.salesforce.context import Context
from connector.sandbox.salesforce.wire import Request, Response

Handler = Callable[[Context, Request], Response]
DATA = "/services/data/v{version}"


@dataclass(frozen=True)
class Route:
    """One endpoint.

    Attributes:
        method: HTTP method.
        pattern: compiled path regex with named groups.
        handler: the function answering it.
        label: stats label (method and path template after the version).
    """

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    label: str


_SEG = r"[^/]+"
_ROWS: list[tuple[str, str, Handler]] = [
    ("GET", "/services/data", rest_api.versions),
    ("GET", f"{DATA}/limits", rest_api.limits),
    ("GET", f"{DATA}/query", rest_api.query),
    ("GET", f"{DATA}/queryAll", rest_api.query_all),
    ("GET", f"{DATA}/query/{{cursor}}", rest_api.query_more),
    ("GET", f"{DATA}/queryAll/{{cursor}}", rest_api.query_more),
    ("GET", f"{DATA}/sobjects", rest_api.describe_global),
    ("GET", f"{DATA}/sobjects/{{sobject}}", rest_api.sobject_info),
    ("POST", f"{DATA}/sobjects/{{sobject}}", rest_api.create_record),
    ("GET", f"{DATA}/sobjects/{{sobject}}/describe", rest_api.describe),
    ("GET", f"{DATA}/sobjects/{{sobject}}/updated", rest_api.updated),
    ("GET", f"{DATA}/sobjects/{{sobject}}/deleted", rest_api.deleted),
    ("GET", f"{DATA}/sobjects/{{sobject}}/{{record_id}}", rest_api.get_record),
    ("PATCH", f"{DATA}/sobjects/{{sobject}}/{{record_id}}", rest_api.update_record),
    ("DELETE", f"{DATA}/sobjects/{{sobject}}/{{record_id}}", rest_api.delete_record),
    ("GET", f"{DATA}/sobjects/{{sobject}}/{{field}}/{{value}}", rest_api.get_by_external_id),
    ("PATCH", f"{DATA}/sobjects/{{sobject}}/{{field}}/{{value}}", rest_api.upsert_record),
    ("POST", f"{DATA}/composite", composite_request.composite),
    ("POST", f"{DATA}/composite/sobjects", composite_api.create_many),
    ("PATCH", f"{DATA}/composite/sobjects", composite_api.update_many),
    ("DELETE", f"{DATA}/composite/sobjects", composite_api.delete_many),
    ("PATCH", f"{DATA}/composite/sobjects/{{sobject}}/{{field}}", composite_api.upsert_many),
    ("POST", f"{DATA}/jobs/ingest", bulk_api.create_job),
    ("GET", f"{DATA}/jobs/ingest", bulk_api.list_jobs),
    ("GET", f"{DATA}/jobs/ingest/{{job_id}}", bulk_api.get_job),
    ("PATCH", f"{DATA}/jobs/ingest/{{job_id}}", bulk_api.set_state),
    ("DELETE", f"{DATA}/jobs/ingest/{{job_id}}", bulk_api.delete_job),
    ("PUT", f"{DATA}/jobs/ingest/{{job_id}}/batches", bulk_api.upload),
    ("GET", f"{DATA}/jobs/ingest/{{job_id}}/{{kind}}", bulk_api.results),
]


def _compile(template: str) -> re.Pattern[str]:
    regex = re.sub(
        r"\{(\w+)\}",
        lambda m: (
            rf"(?P<{m.group(1)}>\d+(?:\.\d+)?)"
            if m.group(1) == "version"
            else rf"(?P<{m.group(1)}>{_SEG})"
        ),
        template,
    )
    return re.compile(f"^{regex}$")


def _label(method: str, template: str) -> str:
    short = template.removeprefix(DATA + "/").removeprefix("/services/")
    return f"{method} {short}"


ROUTES: list[Route] = [
    Route(method, _compile(template), handler, _label(method, template))
    for method, template, handler in _ROWS
]


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route answering ``method path`` and its captured (still encoded) parameters."""
    trimmed = path.rstrip("/") or "/"
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(trimmed)
        if found:
            return route, found.groupdict()
    return None


__all__ = ["ROUTES", "Route", "match"]
