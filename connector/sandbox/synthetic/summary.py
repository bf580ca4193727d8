"""Counts over a synthetic org, for the demo's "what was seeded" line and for tests."""

from __future__ import annotations

from collections import Counter
from typing import Any

from connector.sandbox.synthetic.org import SyntheticOrg
from connector.sandbox.synthetic.records import SyntheticLead
from connector.sandbox.synthetic.vocabulary import FLAGSHIP_MODELS


def is_flagged(lead: SyntheticLead) -> bool:
    """Whether the demo policy's S-3 flag applies: brand owner, or a flagship interest model."""
    return lead.owns_brand_product is True or lead.interest_model in FLAGSHIP_MODELS


def _consent(value: str | None) -> str:
    if value is None:
        return "missing"
    return value if value in ("Y", "N") else "invalid"


def summary(org: SyntheticOrg) -> dict[str, Any]:
    """Count what ``org`` holds; builds every lead once (about 0.1 ms per lead).

    Returns:
        A JSON-ready dict: totals (``leads``, ``events``, ``responses``, ``activities``,
        ``owners``, ``campaigns``, ``campaign_cost``), flags (``flagged``, ``converted``,
        ``email_bounced``, ``queue_owned``, ``paused``, ``malformed_leads``) and breakdowns
        (``by_profile``, ``by_intake_form``, ``by_channel``, ``by_medium``, ``by_kind``,
        ``by_category`` keyed ``'1'``..``'6'`` and ``'none'``, ``privacy_consent``,
        ``marketing_consent`` keyed ``Y``/``N``/``missing``/``invalid``,
        ``malformed_by_field``), each sorted by key.
    """
    counters: dict[str, Counter[str]] = {
        name: Counter()
        for name in (
            "by_profile",
            "by_intake_form",
            "by_channel",
            "by_medium",
            "by_kind",
            "by_category",
            "privacy_consent",
            "marketing_consent",
            "malformed_by_field",
        )
    }
    flags: Counter[str] = Counter()
    events = responses = 0
    for lead in org:
        counters["by_profile"][lead.profile] += 1
        counters["by_intake_form"][lead.intake_form] += 1
        counters["by_channel"][str(lead.inflow_channel)] += 1
        counters["by_medium"][str(lead.inflow_medium)] += 1
        counters["privacy_consent"][_consent(lead.privacy_consent)] += 1
        counters["marketing_consent"][_consent(lead.marketing_consent)] += 1
        counters["malformed_by_field"].update(lead.malformed)
        flags["flagged"] += is_flagged(lead)
        flags["converted"] += lead.is_converted
        flags["email_bounced"] += lead.email_bounced
        flags["queue_owned"] += lead.owner_is_queue
        flags["paused"] += lead.is_paused
        flags["malformed_leads"] += lead.is_malformed
        events += len(lead.events)
        responses += len(lead.responses)
        for event in lead.events:
            counters["by_kind"][event.kind] += 1
            category = "none" if event.category is None else str(event.category)
            counters["by_category"][category] += 1
    result: dict[str, Any] = {
        "seed": org.seed,
        "anchor": org.anchor.isoformat(),
        "leads": len(org),
        "events": events,
        "responses": responses,
        "activities": events + responses,
        "owners": len(org.owners),
        "campaigns": len(org.campaigns),
        "campaign_cost": round(sum(campaign.cost for campaign in org.campaigns), 2),
    }
    for name in ("flagged", "converted", "email_bounced", "queue_owned", "paused"):
        result[name] = flags[name]
    result["malformed_leads"] = flags["malformed_leads"]
    for name, counter in counters.items():
        result[name] = dict(sorted(counter.items()))
    return result
