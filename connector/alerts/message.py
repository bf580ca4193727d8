"""What a channel delivers: one staff message (an A-3 alert or the D-6 digest)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StaffMessage:
    """One message to staff; stored as an outbox payload so a retry sends the same text.

    Attributes:
        kind: ``alert`` (A-3, A-5, S-3 notification) or ``data_quality_digest`` (D-6).
        subject: one line (e-mail subject, first line of the chat message).
        body: plain text.
        recipients: e-mail addresses (the webhook posts to its one URL instead).
        data: structured fields for the webhook's JSON (lead id, rule, reason...).
    """

    kind: str
    subject: str
    body: str
    recipients: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """The JSON-able outbox payload."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "body": self.body,
            "recipients": list(self.recipients),
            "data": dict(self.data),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> StaffMessage:
        """Rebuild a message from its outbox payload."""
        return cls(
            kind=str(payload.get("kind", "alert")),
            subject=str(payload.get("subject", "")),
            body=str(payload.get("body", "")),
            recipients=tuple(str(r) for r in payload.get("recipients", ())),
            data=dict(payload.get("data", {})),
        )


__all__ = ["StaffMessage"]
