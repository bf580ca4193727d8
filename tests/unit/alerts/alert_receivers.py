"""Loopback receivers for the alert tests: an aiosmtpd SMTP server and an HTTP webhook.

Both bind 127.0.0.1 port 0 and record what they received; the webhook answers
with the status codes a test queues (200 once the queue is empty).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from connector.config.project import init_project, load_project
from connector.pipeline.demo import enable_crms

# aiosmtpd logs each client's disconnect at INFO; under pytest-xdist a late one lands on
# the run's output after its test's capture has ended.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class SmtpReceiver:
    """What the SMTP server got; ``refuse`` makes it refuse every recipient (550)."""

    port: int = 0
    messages: list[Envelope] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        del server, session, options
        if self.refuse:
            return "550 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        del server, session
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def _serve() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(
            loop.create_server(lambda: SMTP(receiver), host="127.0.0.1", port=0)
        )
        holder["server"] = server
        receiver.port = server.sockets[0].getsockname()[1]
        ready.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()

    thread = threading.Thread(target=_serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    yield receiver
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


@dataclass
class WebhookReceiver:
    """Requests received (JSON bodies) and the statuses to answer next."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    always: int | None = None


@pytest.fixture
def webhook_server() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    class _Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            receiver.bodies.append(json.loads(self.rfile.read(length) or b"{}"))
            status = receiver.always or (receiver.statuses.pop(0) if receiver.statuses else 200)
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"no" if status >= 400 else b"ok")

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/secret-token-xyz"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(5)


def make_project(
    root: Path,
    *,
    smtp_port: int | None = None,
    webhook_url: str | None = None,
    recipients: tuple[str, ...] = ("sales-team@example.com",),
):  # type: ignore[no-untyped-def]
    """A Salesforce project with the e-mail and/or webhook channel enabled."""
    init_project(root)
    enable_crms(root, ["salesforce"])
    config = root / "config" / "connections.yaml"
    text = config.read_text(encoding="utf-8")
    if smtp_port is not None:
        listed = ", ".join(recipients)
        text = text.replace(
            "  email:\n    enabled: false\n    host: null             # e.g. smtp.example.com\n"
            "    port: 587\n    starttls: true\n",
            f"  email:\n    enabled: true\n    host: 127.0.0.1\n    port: {smtp_port}\n"
            "    starttls: false\n",
        )
        text = text.replace(
            "    sender: null           # e.g. leadsync@example.com\n    recipients: []",
            f"    sender: leadsync@example.com\n    recipients: [{listed}]",
        )
        assert "enabled: true\n    host: 127.0.0.1" in text
    if webhook_url is not None:
        text = text.replace("  webhook:\n    enabled: false", "  webhook:\n    enabled: true")
    config.write_text(text, encoding="utf-8")
    env = "LEADSYNC_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com\n"
    if webhook_url is not None:
        env += f"LEADSYNC_ALERT_WEBHOOK_URL={webhook_url}\n"
    (root / ".env").write_text(env, encoding="utf-8")
    os.chmod(root / ".env", 0o600)  # noqa: PTH101 - as `leadsync init` leaves it
    return load_project(root)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No LEADSYNC_* variable of the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith("LEADSYNC_"):
            monkeypatch.delenv(name)
