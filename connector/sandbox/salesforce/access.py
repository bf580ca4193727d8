"""Who may call the emulated org, and how much: issued tokens and the daily API budget."""

from __future__ import annotations

import secrets
import threading

from connector.sandbox.salesforce.wire import ApiError, Request

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


__all__ = ["ORG_ID", "ApiBudget", "TokenStore", "bearer_token", "invalid_session"]
