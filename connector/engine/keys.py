"""Idempotency keys derived from content (style 10, decision 18)."""

from __future__ import annotations

import hashlib
from datetime import datetime


def content_key(lead_id: str, rule: str, step: str, at: datetime, *extra: str) -> str:
    """A stable key for (lead, rule, step, trigger time): same inputs, same key.

    The result fits a Salesforce external-id text(80) field.
    """
    text = "|".join((lead_id, rule, step, at.isoformat(), *extra))
    return "ls-" + hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
