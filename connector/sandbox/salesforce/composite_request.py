"""``POST composite``: up to 25 subrequests in one API call, with ``@{ref.field}`` references
and ``allOrNone`` (crm-apis.md 1.4). Subrequests run through the same routes, without
counting against the budget or drawing faults of their own."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from connector.sandbox.salesforce.context import Context
from connector.sandbox.salesforce.wire import ApiError, Request, Response

MAX_SUBREQUESTS = 25
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)\.([A-Za-z0-9_.\[\]]+)\}")


def _resolve(text: str, answers: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found: Any = answers.get(match.group(1))
        for part in re.split(r"[.\[\]]+", match.group(2)):
            if not part:
                continue
            if isinstance(found, list) and part.isdigit():
                found = found[int(part)]
            elif isinstance(found, dict):
                found = found.get(part)
            else:
                found = None
        if found is None:
            raise ApiError.of(400, "INVALID_REFERENCE", f"reference {match.group(0)} not found")
        return str(found)

    return _REFERENCE.sub(value, text)


def composite(ctx: Context, request: Request) -> Response:
    """Run the subrequests in order; answer ``{"compositeResponse": [...]}``."""
    # Imported here because the route table imports this module.
    from connector.sandbox.salesforce.routes import match

    body = request.json_object()
    subrequests = body.get("compositeRequest")
    if not isinstance(subrequests, list) or not subrequests:
        raise ApiError.of(400, "JSON_PARSER_ERROR", "compositeRequest must be a non-empty list")
    if len(subrequests) > MAX_SUBREQUESTS:
        raise ApiError.of(
            400, "LIMIT_EXCEEDED", f"Maximum of {MAX_SUBREQUESTS} subrequests allowed"
        )
    all_or_none = bool(body.get("allOrNone", False))
    answers: dict[str, Any] = {}
    results: list[dict[str, Any]] = []
    failed = False
    with ctx.org.transaction() as rollback:
        for sub in subrequests:
            reference = str(sub.get("referenceId", ""))
            if failed and all_or_none:
                halted = ApiError.of(400, "PROCESSING_HALTED", "The transaction was rolled back")
                results.append(_entry(halted.response(), reference))
                continue
            answer = _run_one(ctx, request, sub, answers, match)
            answers[reference] = answer.body
            failed = failed or answer.status >= 400
            results.append(_entry(answer, reference))
        if failed and all_or_none:
            rollback()
    return Response(200, {"compositeResponse": results})


def _run_one(
    ctx: Context, outer: Request, sub: dict[str, Any], answers: dict[str, Any], match: Any
) -> Response:
    try:
        url = _resolve(str(sub.get("url", "")), answers)
        raw_body = sub.get("body")
        data = _resolve(json.dumps(raw_body), answers).encode() if raw_body is not None else b""
        parts = urlsplit(url)
        method = str(sub.get("method", "GET")).upper()
        found = match(method, parts.path)
        if found is None or found[0].label in {"POST composite", "GET data"}:
            raise ApiError.of(404, "NOT_FOUND", "The requested resource does not exist")
        route, params = found
        inner = Request(
            method,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            outer.headers,
            data,
            {k: unquote(v) for k, v in params.items()},
        )
        return route.handler(ctx, inner)
    except ApiError as error:
        return error.response()


def _entry(answer: Response, reference: str) -> dict[str, Any]:
    return {
        "body": answer.body,
        "httpHeaders": {k: v for k, v in answer.headers.items() if k == "Location"},
        "httpStatusCode": answer.status,
        "referenceId": reference,
    }


__all__ = ["MAX_SUBREQUESTS", "composite"]
