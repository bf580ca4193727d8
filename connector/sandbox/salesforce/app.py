"""One call through the emulator: control endpoints, auth, daily budget, faults, the route,
the ``Sforce-Limit-Info`` header and the call counters. HTTP-free, so it is easy to reason
about; ``server.py`` only moves bytes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from connector.sandbox.faults import CallStats
from connector.sandbox.salesforce.access import bearer_token, invalid_session
from connector.sandbox.salesforce.context import Context
from connector.sandbox.salesforce.logins import (
    Credentials,
    login_route,
    soap_login_answer,
    token_answer,
)
from connector.sandbox.salesforce.routes import match
from connector.sandbox.salesforce.wire import ApiError, Request, Response, not_found

_CONTROL = "/__sandbox/"
#: Faults that replace the answer outright, with their status, code and message.
_ANSWER_FAULTS = {
    "429": (429, "REQUEST_LIMIT_EXCEEDED", "Too many requests (sandbox fault)"),
    "500": (500, "UNKNOWN_EXCEPTION", "An unexpected error occurred (sandbox fault)"),
    "503": (503, "SERVER_UNAVAILABLE", "Server temporarily unavailable (sandbox fault)"),
    "budget": (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    "403": (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
}
_RECORD_FAULTS = frozenset({"record_error", "lock_error"})


@dataclass
class Outcome:
    """What the HTTP layer does with a call.

    Attributes:
        response: the answer (ignored when ``drop_after`` is set).
        drop_after: seconds to hold the connection before closing it unanswered (a
            ``timeout`` fault), or None to answer.
    """

    response: Response
    drop_after: float | None = None


class SalesforceApp:
    """Dispatches calls to routes with the org-wide rules around them."""

    def __init__(self, ctx: Context, *, credentials: Credentials) -> None:
        """Serve ``ctx``; the login endpoints accept only these credentials."""
        self.ctx = ctx
        self.credentials = credentials
        self.stats = CallStats()

    def stats_body(self) -> dict[str, object]:
        """The ``/__sandbox/stats`` body (with injected faults and API usage beside)."""
        return self.stats.snapshot(
            faults=self.ctx.injector.counts(),
            api_usage={"used": self.ctx.budget.used, "max": self.ctx.budget.maximum},
        )

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Outcome:
        """Answer one call.

        Args:
            method: HTTP method.
            target: path and query as sent.
            headers: lower-case header names.
            body: raw body.
        """
        parts = urlsplit(target)
        path = parts.path
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        request = Request(method.upper(), path, query, headers, body)
        if path.startswith(_CONTROL):
            return Outcome(self._control(request))
        label, outcome = self._api_call(request)
        outcome.response.headers["Sforce-Limit-Info"] = self.ctx.budget.header()
        self.stats.record(label, 0 if outcome.drop_after is not None else outcome.response.status)
        return outcome

    def _control(self, request: Request) -> Response:
        if request.method == "GET" and request.path.rstrip("/") == "/__sandbox/stats":
            return Response(200, self.stats_body())
        if request.method == "POST" and request.path.rstrip("/") == "/__sandbox/reset-stats":
            self.stats.reset()
            self.ctx.injector.reset_counts()
            return Response(204)
        if request.method == "POST" and request.path.rstrip("/") == "/__sandbox/expire-sessions":
            self.ctx.tokens.expire_all()
            return Response(204)
        return not_found().response()

    def _api_call(self, request: Request) -> tuple[str, Outcome]:
        login = login_route(request.path)
        if login is not None:
            if request.method != "POST":
                return "login", Outcome(not_found().response())
            if login == "soap":
                return "POST Soap/u login", self._faulted(request, self._soap, auth_faults=False)
            return "POST oauth2/token", self._faulted(request, self._token, auth_faults=False)
        found = match(request.method, request.path)
        if found is None:
            return "unknown", Outcome(not_found().response())
        route, params = found
        request.params = {k: unquote(v) for k, v in params.items()}
        if route.label == "GET data":
            return route.label, Outcome(route.handler(self.ctx, request))
        token = bearer_token(request)
        if token is None or not self.ctx.tokens.is_valid(token):
            return route.label, Outcome(invalid_session().response())
        if not self.ctx.budget.spend():
            refusal = ApiError.of(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            return route.label, Outcome(refusal.response())

        def run(req: Request) -> Response:
            return route.handler(self.ctx, req)

        is_cursor = "cursor" in request.params
        return route.label, self._faulted(request, run, token=token, is_cursor=is_cursor)

    def _token(self, request: Request) -> Response:
        return token_answer(
            request,
            credentials=self.credentials,
            tokens=self.ctx.tokens,
            instance_url=self.ctx.instance_url,
        )

    def _soap(self, request: Request) -> Response:
        return soap_login_answer(
            request,
            credentials=self.credentials,
            tokens=self.ctx.tokens,
            instance_url=self.ctx.instance_url,
        )

    def _faulted(
        self,
        request: Request,
        run: Callable[[Request], Response],
        *,
        token: str | None = None,
        auth_faults: bool = True,
        is_cursor: bool = False,
    ) -> Outcome:
        injector = self.ctx.injector
        kind = injector.pick()
        if kind in _ANSWER_FAULTS and (auth_faults or kind in {"500", "503"}):
            injector.count(kind)
            status, code, message = _ANSWER_FAULTS[kind]
            error = ApiError.of(status, code, message)
            if status == 429:
                error.headers["Retry-After"] = str(self.ctx.timings.retry_after)
            return Outcome(error.response())
        if kind == "expired_session" and token is not None:
            injector.count(kind)
            self.ctx.tokens.expire(token)
            return Outcome(invalid_session().response())
        if kind == "stale_cursor" and is_cursor:
            injector.count(kind)
            return Outcome(
                ApiError.of(400, "INVALID_QUERY_LOCATOR", "invalid query locator").response()
            )
        if kind == "slow":
            injector.count(kind)
            time.sleep(self.ctx.timings.slow_delay)
        if kind in _RECORD_FAULTS and auth_faults:
            request.record_fault = kind
        try:
            response = run(request)
        except ApiError as error:
            response = error.response()
        if request.record_fault_used and kind is not None:
            injector.count(kind)
        if kind == "timeout":
            # The work is done (a write is committed), then the answer is lost: the hard case
            # for idempotent retries.
            injector.count(kind)
            return Outcome(response, drop_after=self.ctx.timings.timeout_delay)
        return Outcome(response)


__all__ = ["Outcome", "SalesforceApp"]
