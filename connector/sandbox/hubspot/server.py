"""The HubSpot emulator's HTTP server and its Python handle, ``HubSpotSandbox``.

Plain HTTP on 127.0.0.1 (hubspot-api-client is pointed at it with ``host``,
decision 17). Every API call is authenticated with the sandbox's bearer
token, may be hit by an injected fault, is counted against the rate limits,
and is recorded in the stats served at ``GET /__sandbox/stats``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connector.sandbox.faults import CallStats, FaultInjector, FaultSpec
from connector.sandbox.hubspot import routes
from connector.sandbox.hubspot.apierror import HubSpotApiError
from connector.sandbox.hubspot.ratelimit import RateLimiter, RateLimits, format_retry_after
from connector.sandbox.hubspot.seed import seed_store
from connector.sandbox.hubspot.store import HubSpotStore, utc_now
from connector.sandbox.hubspot.wire import Request, Response

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/__sandbox/"
# Faults that hit one input of a batch write instead of the whole call.
RECORD_FAULTS = frozenset({"record_error", "lock_error"})


class HubSpotSandbox:
    """A local HubSpot CRM v3 account served over HTTP.

    Args:
        port: TCP port on 127.0.0.1 (0 picks a free one).
        seed: seed of the synthetic data.
        leads: how many synthetic leads to seed (0: an empty account).
        faults: fault spec (``rate=0.2,kinds=429+500,seed=7``) or None.
        limits: rate limits (HubSpot Free by default; scale windows down in tests).
        indexing_lag_s: seconds before a write is visible in search (decision 18).
        fault_delay_s: how long ``timeout`` and ``slow`` faults hold an answer.
        access_token: the token clients must send (random when None).
        anchor: the moment synthetic data is generated relative to.
        now: wall clock for record stamps.
        monotonic: clock for rate windows and indexing lag.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        seed: int = 0,
        leads: int = 0,
        faults: str | None = None,
        limits: RateLimits | None = None,
        indexing_lag_s: float = 0.0,
        fault_delay_s: float = 2.0,
        access_token: str | None = None,
        anchor: datetime | None = None,
        now: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.port = port
        self.seed = seed
        self.access_token = access_token or f"pat-sandbox-{secrets.token_hex(16)}"
        self.fault_delay_s = fault_delay_s
        self._now = now
        self._monotonic = monotonic
        self.store = HubSpotStore(now=now, monotonic=monotonic, indexing_lag_s=indexing_lag_s)
        self.limiter = RateLimiter(limits or RateLimits(), monotonic)
        self.faults = FaultInjector(FaultSpec.parse(faults))
        self.calls = CallStats()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        if leads > 0:
            seed_store(self.store, leads=leads, seed=seed, anchor=anchor or now())

    # ----- lifecycle ------------------------------------------------------------------
    def start(self) -> HubSpotSandbox:
        """Bind 127.0.0.1 and serve in a daemon thread; returns self."""
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"hubspot-sandbox-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> HubSpotSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the SDK's ``host``)."""
        return f"http://127.0.0.1:{self.port}"

    # ----- control --------------------------------------------------------------------
    def set_faults(self, spec: str | None) -> None:
        """Switch fault injection (None or "" turns it off)."""
        self.faults = FaultInjector(FaultSpec.parse(spec))

    def set_limits(self, limits: RateLimits) -> None:
        """Replace the rate limits (and empty the windows)."""
        self.limiter = RateLimiter(limits, self._monotonic)

    def stats(self) -> dict[str, Any]:
        """Return call counts: ``total_calls``, ``by_endpoint``, ``by_status``, ``faults``."""
        return self.calls.snapshot(faults=self.faults.counts())

    def reset_stats(self) -> None:
        """Zero the call counters (and the injected-fault counts)."""
        self.calls.reset()
        self.faults.injected.clear()

    def write_env_file(self, path: Path | str) -> Path:
        """Write the settings that point a leadsync project at this sandbox (mode 0600)."""
        target = Path(path)
        text = (
            f"LEADSYNC_HUBSPOT_ACCESS_TOKEN={self.access_token}\n"
            f"LEADSYNC_HUBSPOT_BASE_URL={self.base_url}\n"
        )
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        target.chmod(0o600)
        return target

    # ----- request handling -------------------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> Response | None:
        """Answer one HTTP request; None means drop the connection (timeout fault)."""
        parts = urlsplit(raw_path)
        path = parts.path
        if path.startswith(CONTROL_PREFIX):
            return self._control(method, path, raw_body)
        found = routes.match(method, path)
        endpoint = routes.label(*found) if found else f"{method} (unknown)"
        response = self._answer(method, path, parts.query, headers, raw_body, found)
        self.calls.record(endpoint, 0 if response is None else response.status)
        return response

    def _answer(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        raw_body: bytes,
        found: tuple[routes.Route, dict[str, str]] | None,
    ) -> Response | None:
        rate_headers: dict[str, str] = {}
        try:
            if headers.get("authorization", "") != f"Bearer {self.access_token}":
                raise HubSpotApiError(
                    401,
                    "INVALID_AUTHENTICATION",
                    "Authentication credentials not found. This API supports OAuth 2.0 "
                    "authentication and you can find more details at "
                    "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                )
            if found is None:
                raise HubSpotApiError(404, "OBJECT_NOT_FOUND", f"No route for {method} {path}")
            route, params = found
            fault = self.faults.pick()
            record_fault: str | None = None
            if fault is not None:
                applied = self._inject(fault, route, query)
                if applied is None:
                    return None
                if applied in RECORD_FAULTS:
                    record_fault = applied
                elif applied != "":
                    raise _fault_error(applied, self.limiter)
            rate_headers = self.limiter.admit(is_search=route.is_search)
            request = Request(
                method=method,
                path=path,
                query=parse_qs(query, keep_blank_values=True),
                body=_parse_json(raw_body),
                now=self._now(),
                params=params,
                record_fault=record_fault,
                fault_pick=self.faults.pick_index,
            )
            response = route.handler(self.store, request)
        except HubSpotApiError as exc:
            return Response(exc.status, exc.body(), {**rate_headers, **exc.headers})
        except Exception:  # an emulator bug must still answer, as a 500
            logger.exception("hubspot sandbox: unhandled error for %s %s", method, path)
            err = HubSpotApiError(500, "INTERNAL_ERROR", "internal error in the sandbox")
            return Response(500, err.body())
        response.headers = {**rate_headers, **response.headers}
        return response

    def _inject(self, fault: str, route: routes.Route, query: str) -> str | None:
        """Apply a picked fault: None drops the call, "" lets it through, else the kind.

        Kinds without a meaning for this call (a record fault on a read, a stale cursor
        without a cursor) let it through uncounted, as ``connector.sandbox.faults`` says.
        """
        if fault in {"timeout", "slow"}:
            self.faults.count(fault)
            self._stopping.wait(self.fault_delay_s)
            return None if fault == "timeout" else ""
        if fault in RECORD_FAULTS:
            if "/batch/" in route.template and not route.template.endswith(("/read", "/archive")):
                self.faults.count(fault)
                return fault
            return ""
        if fault == "stale_cursor":
            if "after=" in query or route.is_search:
                self.faults.count(fault)
                return fault
            return ""
        self.faults.count(fault)
        return fault

    def _control(self, method: str, path: str, raw_body: bytes) -> Response:
        name = path[len(CONTROL_PREFIX) :].strip("/")
        if method == "GET" and name == "stats":
            return Response(200, self.stats())
        if method == "POST" and name == "reset-stats":
            self.reset_stats()
            return Response(200, {"status": "ok"})
        if method == "POST" and name == "faults":
            body = _parse_json(raw_body) or {}
            try:
                self.set_faults(body.get("spec"))
            except ValueError as exc:
                return Response(400, {"status": "error", "message": str(exc)})
            return Response(200, {"status": "ok"})
        return Response(404, {"status": "error", "message": f"unknown control {method} {path}"})


def _fault_error(kind: str, limiter: RateLimiter) -> HubSpotApiError:
    if kind in {"403", "budget"}:
        # HubSpot refuses an exhausted daily allowance with a 429 DAILY, not a 403.
        headers = limiter.headers()
        headers["Retry-After"] = "3600"
        return HubSpotApiError(
            429,
            "",
            "You have reached your daily limit.",
            headers=headers,
            extra={"errorType": "RATE_LIMIT", "policyName": "DAILY"},
        )
    if kind == "stale_cursor":
        return HubSpotApiError(400, "VALIDATION_ERROR", "The paging cursor is invalid or expired.")
    if kind == "429":
        headers = limiter.headers()
        headers["Retry-After"] = format_retry_after(limiter.limits.burst_window_s / 10)
        return HubSpotApiError(
            429,
            "",
            "You have reached your ten_secondly_rolling limit.",
            headers=headers,
            extra={"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"},
        )
    if kind == "expired_session":
        return HubSpotApiError(
            401,
            "EXPIRED_AUTHENTICATION",
            "The OAuth token used to make this call expired.",
        )
    if kind == "503":
        return HubSpotApiError(503, "", "Service Unavailable (injected fault)")
    return HubSpotApiError(500, "INTERNAL_ERROR", "Internal Server Error (injected fault)")


def _parse_json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise HubSpotApiError(400, "VALIDATION_ERROR", "Invalid input JSON") from None


def _handler_for(sandbox: HubSpotSandbox) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "leadsync-hubspot-sandbox"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                response = sandbox.handle(self.command, self.path, headers, raw_body)
            except HubSpotApiError as exc:  # malformed JSON on a control call
                response = Response(exc.status, exc.body())
            if response is None:
                self.close_connection = True
                return
            payload = b"" if response.body is None else json.dumps(response.body).encode()
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            if response.status != 204:
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if response.status != 204:
                self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            logger.debug("hubspot sandbox: %s", format % args)

    return _Handler


def serve_forever(
    port: int = 0,
    leads: int = 0,
    seed: int = 0,
    faults: str | None = None,
    env_file: Path | str | None = None,
    *,
    on_ready: Callable[[HubSpotSandbox], None] | None = None,
    stop: threading.Event | None = None,
    **settings: Any,
) -> None:
    """Run a sandbox until ``stop`` is set or Ctrl-C (``leadsync sandbox serve --crm hubspot``).

    Args:
        port: TCP port (0 picks one; ``on_ready`` learns it from ``sandbox.base_url``).
        leads: synthetic leads to seed.
        seed: seed of the synthetic data.
        faults: fault spec or None.
        env_file: where to write the project settings (mode 0600), if given.
        on_ready: called once serving, e.g. to print the URL.
        stop: an event that ends serving when set.
        **settings: further ``HubSpotSandbox`` keyword arguments (limits, indexing_lag_s...).
    """
    sandbox = HubSpotSandbox(port=port, leads=leads, seed=seed, faults=faults, **settings)
    sandbox.start()
    try:
        if env_file is not None:
            sandbox.write_env_file(env_file)
        if on_ready is not None:
            on_ready(sandbox)
        waiter = stop or threading.Event()
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        logger.info("hubspot sandbox: interrupted, stopping")
    finally:
        sandbox.stop()
