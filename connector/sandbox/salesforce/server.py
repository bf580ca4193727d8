"""The Salesforce emulator's HTTPS server and its Python handle, :class:`SalesforceSandbox`.

Standard-library ``ThreadingHTTPServer`` on 127.0.0.1 (port 0 = any free port), wrapped in TLS
with a throwaway ``trustme`` CA because simple-salesforce only speaks ``https://``.

Example::

    with SalesforceSandbox(leads=50, seed=7) as sandbox:
        sandbox.write_env_file(project / ".env")
        ...  # point leadsync (or simple-salesforce) at sandbox.base_url
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from connector.sandbox.faults import FaultInjector, FaultSpec
from connector.sandbox.salesforce.access import ApiBudget, TokenStore
from connector.sandbox.salesforce.app import SalesforceApp
from connector.sandbox.salesforce.context import Context, SalesforceTimings
from connector.sandbox.salesforce.logins import Credentials
from connector.sandbox.salesforce.org import Org
from connector.sandbox.tls import make_server_tls

_HOST = "127.0.0.1"


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SalesforceSandbox/1.0"
    timeout = 60  # an idle keep-alive connection frees its thread after this

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in one write; no Nagle / delayed-ACK stall between them.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        app: SalesforceApp = self.server.app  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        outcome = app.handle(self.command, self.path, headers, body)
        if outcome.drop_after is not None:
            time.sleep(outcome.drop_after)
            self.close_connection = True
            return
        response = outcome.response
        payload = response.payload()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        has_body = response.status not in (204, 304)
        if has_body:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
        self._headers_buffer.append(b"\r\n" + (payload if has_body else b""))
        self.flush_headers()

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silence the default stderr access log (tokens may sit in URLs)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SalesforceApp) -> None:
        self.app = app
        super().__init__(address, _Handler)


class SalesforceSandbox:
    """A running (or ready-to-run) Salesforce emulator.

    Attributes:
        org: the in-memory org (seed, edit and inspect records directly).
        client_id: OAuth client id the token endpoint accepts.
        client_secret: its secret.
        timings: time constants (slow answers, bulk completion).
    """

    def __init__(
        self,
        *,
        port: int = 0,
        seed: int = 0,
        leads: int = 0,
        faults: FaultSpec | str | None = None,
        api_budget: int = 15000,
        api_used: int = 0,
        timings: SalesforceTimings | None = None,
        clock: Callable[[], datetime] = _utc_now,
        ca_path: Path | None = None,
        anchor: datetime | None = None,
    ) -> None:
        """Build the org and seed it; nothing listens until :meth:`start`.

        Args:
            port: TCP port on 127.0.0.1 (0: any free port).
            seed: random seed of the synthetic data and nothing else.
            leads: how many synthetic leads (with their activities) to seed.
            faults: fault spec (text as ``--faults`` takes it, or parsed), None for none.
            api_budget: ``DailyApiRequests.Max``.
            api_used: calls already spent today.
            timings: time constants (``SalesforceTimings.for_tests()`` in tests).
            clock: the org's clock for audit fields (tests may freeze or move it).
            ca_path: where to write the CA PEM (default: a private temp folder).
            anchor: the "now" the synthetic history is generated up to (default: clock()).
        """
        self.org = Org(clock)
        self.credentials = Credentials.generate()
        self.client_id = self.credentials.client_id
        self.client_secret = self.credentials.client_secret
        self.timings = timings or SalesforceTimings()
        spec = FaultSpec.parse(faults) if isinstance(faults, str) or faults is None else faults
        self._ctx = Context(
            org=self.org,
            tokens=TokenStore(),
            budget=ApiBudget(api_budget, api_used),
            injector=FaultInjector(spec),
            timings=self.timings,
        )
        self._app = SalesforceApp(self._ctx, credentials=self.credentials)
        self._port = port
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if ca_path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="leadsync-sf-sandbox-")
            ca_path = Path(self._tmp.name) / "sandbox-ca.pem"
        self._tls = make_server_tls(ca_path)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # Imported here: the seeder pulls in the synthetic generator, which tests may not need.
        from connector.sandbox.salesforce.seed import seed_org

        seed_org(self.org, leads=leads, seed=seed, anchor=anchor or clock())

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> SalesforceSandbox:
        """Listen on 127.0.0.1 and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        server = _Server((_HOST, self._port), self._app)
        server.socket = self._tls.context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        self._server = server
        self._ctx.instance_url = self.base_url
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="salesforce-sandbox",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def close(self) -> None:
        """Stop and remove the temporary CA folder."""
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> SalesforceSandbox:
        """Start serving."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop serving and clean up."""
        self.close()

    # -- facts ----------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._server is None:
            return self._port
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT`` (the instance URL)."""
        return f"https://{_HOST}:{self.port}"

    @property
    def ca_path(self) -> Path:
        """The CA certificate clients must trust."""
        return self._tls.ca_path

    @property
    def budget(self) -> ApiBudget:
        """The daily API allocation (``set_used`` to start a test near the cap)."""
        return self._ctx.budget

    def stats(self) -> dict[str, Any]:
        """``{"total_calls", "by_endpoint", "by_status", "faults", "api_usage"}``."""
        return self._app.stats_body()

    def reset_stats(self) -> None:
        """Set the call and fault counters to zero (not the API budget)."""
        self._app.stats.reset()
        self._ctx.injector.reset_counts()

    def set_faults(self, faults: FaultSpec | str | None) -> None:
        """Replace the fault spec (its random sequence restarts from its seed; the counts of
        faults already injected are kept until :meth:`reset_stats`)."""
        spec = FaultSpec.parse(faults) if isinstance(faults, str) or faults is None else faults
        injector = FaultInjector(spec)
        injector.injected.update(self._ctx.injector.counts())
        self._ctx.injector = injector

    def issue_token(self) -> str:
        """An access token, as the token endpoint would give (tests that skip the login)."""
        return self._ctx.tokens.issue()

    def expire_sessions(self) -> None:
        """Revoke every token: the next call of each client gets 401 ``INVALID_SESSION_ID``."""
        self._ctx.tokens.expire_all()

    @property
    def login_domain(self) -> str:
        """The ``domain`` that sends simple-salesforce's own logins here (``127.0.0.1:PORT/login``).

        The SDK builds ``https://{domain}.salesforce.com/...``; the emulator serves its login
        endpoints under that ``/login.salesforce.com`` path prefix too.
        """
        return f"{_HOST}:{self.port}/login"

    def write_env_file(self, path: Path, *, login: str = "client-credentials") -> Path:
        """Write the settings that point a leadsync project at this emulator (mode 0600).

        Args:
            path: the ``.env`` file to write.
            login: ``client-credentials`` (``_CLIENT_ID`` / ``_CLIENT_SECRET``), ``password``
                (``_USERNAME`` / ``_PASSWORD`` / ``_SECURITY_TOKEN`` / ``_DOMAIN``) or ``jwt``
                (``_USERNAME`` / ``_CONSUMER_KEY`` / ``_PRIVATE_KEY_FILE`` / ``_DOMAIN``; the
                key is written beside the env file as ``salesforce-jwt.key``, mode 0600).
                Every form also has ``_INSTANCE_URL`` and ``_CA_BUNDLE``. Call after
                :meth:`start` (the port is known then).
        """
        creds = self.credentials
        lines = [
            f"LEADSYNC_SALESFORCE_INSTANCE_URL={self.base_url}",
            f"LEADSYNC_SALESFORCE_CA_BUNDLE={self.ca_path}",
        ]
        if login == "client-credentials":
            lines += [
                f"LEADSYNC_SALESFORCE_CLIENT_ID={creds.client_id}",
                f"LEADSYNC_SALESFORCE_CLIENT_SECRET={creds.client_secret}",
            ]
        elif login == "password":
            lines += [
                f"LEADSYNC_SALESFORCE_USERNAME={creds.username}",
                f"LEADSYNC_SALESFORCE_PASSWORD={creds.password}",
                f"LEADSYNC_SALESFORCE_SECURITY_TOKEN={creds.security_token}",
                f"LEADSYNC_SALESFORCE_DOMAIN={self.login_domain}",
            ]
        elif login == "jwt":
            key_file = _write_private(path.parent / "salesforce-jwt.key", creds.private_key_pem)
            lines += [
                f"LEADSYNC_SALESFORCE_USERNAME={creds.username}",
                f"LEADSYNC_SALESFORCE_CONSUMER_KEY={creds.client_id}",
                f"LEADSYNC_SALESFORCE_PRIVATE_KEY_FILE={key_file}",
                f"LEADSYNC_SALESFORCE_DOMAIN={self.login_domain}",
            ]
        else:
            msg = f"unknown login {login!r}: use client-credentials, password or jwt"
            raise ValueError(msg)
        return _write_private(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _write_private(path: Path, content: bytes) -> Path:
    """Write ``content`` readable by the owner only (it holds secrets)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    path.chmod(0o600)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 free right now (for callers that must know it in advance)."""
    with socket.socket() as probe:
        probe.bind((_HOST, 0))
        return int(probe.getsockname()[1])


__all__ = ["SalesforceSandbox", "free_port"]
