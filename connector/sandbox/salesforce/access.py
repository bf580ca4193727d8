"""Who may call the emulated org, and how much: OAuth tokens and the daily API budget."""

from __future__ import annotations

import base64
import secrets
import threading
import time
from urllib.parse import parse_qs

from connector.sandbox.salesforce.wire import ApiError, Request, Response

ORG_ID = "00D5g000004SbXEEA0"


class TokenStore:
    """Access tokens issued by the token endpoint; any of them can be expired (one-shot)."""

    def __init__(self) -> None:
        """Start with no tokens."""
        self._lock = threading.Lock()
        self._valid: set[str] = set()

    def issue(self) -> str:
        """A new access token, shaped like Salesforce's (``<org id>!<opaque>``)."""
        token = f"{ORG_ID[:15]}!{secrets.token_urlsafe(48)}"
        with self._lock:
            self._valid.add(token)
        return token

    def is_valid(self, token: str) -> bool:
        """Whether ``token`` was issued and not expired."""
        with self._lock:
            return token in self._valid

    def expire(self, token: str) -> None:
        """Revoke one token: later calls with it get 401 ``INVALID_SESSION_ID``."""
        with self._lock:
            self._valid.discard(token)

    def expire_all(self) -> None:
        """Revoke every token issued so far."""
        with self._lock:
            self._valid.clear()


class ApiBudget:
    """The org's daily API allocation (``DailyApiRequests``, crm-apis.md 1.5)."""

    def __init__(self, maximum: int, used: int = 0) -> None:
        """Start the day with ``used`` of ``maximum`` calls spent."""
        self._lock = threading.Lock()
        self.maximum = maximum
        self.used = used

    def spend(self) -> bool:
        """Count one call; False (nothing counted) once the allocation is used up."""
        with self._lock:
            if self.used >= self.maximum:
                return False
            self.used += 1
            return True

    def set_used(self, used: int) -> None:
        """Jump the counter (tests: start near the cap)."""
        with self._lock:
            self.used = max(0, used)

    @property
    def remaining(self) -> int:
        """Calls left today."""
        with self._lock:
            return max(self.maximum - self.used, 0)

    def header(self) -> str:
        """The ``Sforce-Limit-Info`` value every answer carries."""
        with self._lock:
            return f"api-usage={self.used}/{self.maximum}"


def bearer_token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (or OAuth ``OAuth <token>``)."""
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() in {"bearer", "oauth"} and token.strip():
        return token.strip()
    return None


def invalid_session() -> ApiError:
    """The 401 that makes simple-salesforce log in again (array body, crm-apis.md 1.1)."""
    return ApiError.of(401, "INVALID_SESSION_ID", "Session expired or invalid")


def token_answer(
    request: Request,
    *,
    client_id: str,
    client_secret: str,
    tokens: TokenStore,
    instance_url: str,
) -> Response:
    """Answer ``POST /services/oauth2/token`` for the client-credentials grant.

    Credentials come from HTTP Basic auth or the form fields ``client_id`` / ``client_secret``.
    Bad ones get 400 ``invalid_client`` (OAuth error JSON, not the REST error array).
    """
    form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    form.update({k: v for k, v in request.query.items() if k not in form})
    given_id, given_secret = form.get("client_id"), form.get("client_secret")
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
        except ValueError:
            decoded = ""
        given_id, _, given_secret = decoded.partition(":")
    if form.get("grant_type") != "client_credentials":
        return Response(
            400,
            {"error": "unsupported_grant_type", "error_description": "grant type not supported"},
        )
    if not (
        secrets.compare_digest(given_id or "", client_id)
        and secrets.compare_digest(given_secret or "", client_secret)
    ):
        return Response(
            400, {"error": "invalid_client", "error_description": "invalid client credentials"}
        )
    token = tokens.issue()
    return Response(
        200,
        {
            "access_token": token,
            "signature": secrets.token_urlsafe(32),
            "scope": "api",
            "instance_url": instance_url,
            "id": f"{instance_url}/id/{ORG_ID}/0055g00000SandboxAAA",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
        },
    )


__all__ = ["ORG_ID", "ApiBudget", "TokenStore", "bearer_token", "invalid_session", "token_answer"]
