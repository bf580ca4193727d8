"""Decision 19: a person's edit of a field leadsync writes, and who wins.

A person's edit is a CRM value that differs from the last value leadsync pushed
for that field. Our own pushes come back unchanged (the echo) and are not edits.
An edit is remembered beside the pushed values as ``_edited:<meaning>``; while it
stands, the conflict policy decides whether leadsync overwrites it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from connector.config.connections import ConflictPolicy, ConflictRule
from connector.config.mapping import CrmMapping
from connector.mapping.values import BadValueError, is_blank, parse_bool, parse_datetime
from connector.pipeline.provision import OUTPUT_SPECS

logger = logging.getLogger(__name__)

EDIT_PREFIX = "_edited:"


def normalize(meaning: str, value: Any) -> Any:
    """One spelling per value, whatever the CRM sent (``12.0``, ``"12"``, epoch ms, ISO)."""
    if is_blank(value):
        return None
    spec = OUTPUT_SPECS.get(meaning)
    kind = spec.kind if spec else "string"
    try:
        if kind == "number":
            return round(float(value), 2)
        if kind == "bool":
            return parse_bool(value)
        if kind == "datetime":
            return parse_datetime(value).replace(microsecond=0).isoformat()
        if kind == "date":
            if isinstance(value, datetime | date):
                return value.isoformat()[:10]
            text = str(value)
            return parse_datetime(text).date().isoformat() if text.isdigit() else text[:10]
    except (BadValueError, ValueError):
        return str(value)
    return str(value)


def observed_edits(
    raw_fields: Mapping[str, Any],
    last_pushed: Mapping[str, Any],
    mapping: CrmMapping,
) -> dict[str, Any]:
    """Edit markers to store for one lead: set where a person changed a value, None where gone.

    Args:
        raw_fields: the lead record as just pulled (CRM field names).
        last_pushed: what the CRM last accepted from leadsync, by meaning, plus markers.
        mapping: names the CRM field of each output.
    """
    markers: dict[str, Any] = {}
    for meaning, output in mapping.outputs.items():
        if meaning not in last_pushed or output.field not in raw_fields:
            continue
        seen = normalize(meaning, raw_fields[output.field])
        ours = normalize(meaning, last_pushed[meaning])
        key = EDIT_PREFIX + meaning
        if seen != ours:
            if last_pushed.get(key) != seen:
                markers[key] = seen
        elif last_pushed.get(key) is not None:
            markers[key] = None  # the CRM shows our value again: the edit is over
    return markers


def has_edit(last_pushed: Mapping[str, Any], meaning: str) -> bool:
    """A person's value currently stands for this output."""
    return last_pushed.get(EDIT_PREFIX + meaning) is not None


def writable(
    changed: Mapping[str, Any],
    last_pushed: Mapping[str, Any],
    policy: ConflictPolicy,
    *,
    lead_id: str,
) -> tuple[dict[str, Any], list[str]]:
    """Split changed outputs into those to write and those a person's edit keeps.

    Returns:
        (values to write, meanings skipped because the CRM wins).
    """
    keep: dict[str, Any] = {}
    skipped: list[str] = []
    for meaning, value in changed.items():
        rule = policy.fields.get(meaning, policy.default)
        if has_edit(last_pushed, meaning) and rule is ConflictRule.CRM_WINS:
            skipped.append(meaning)
            continue
        keep[meaning] = value
    if skipped:
        logger.info(
            "lead %s: not overwriting %s, edited by a person in the CRM (conflict policy crm_wins)",
            lead_id,
            ", ".join(skipped),
        )
    return keep, skipped


__all__ = ["EDIT_PREFIX", "has_edit", "normalize", "observed_edits", "writable"]
