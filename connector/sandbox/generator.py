"""Entry point of the synthetic data generator (the implementation is ``sandbox.synthetic``).

Usage::

    from connector.sandbox.generator import generate, summary

    org = generate(10_000, seed=7, anchor=datetime(2026, 1, 1, tzinfo=UTC))
    for lead in org:  # built lazily, one at a time
        ...  # lead.events, lead.responses, lead.malformed
"""

from connector.sandbox.synthetic import (
    CHANNEL_CODES,
    FLAGSHIP_MODELS,
    HISTORY_DAYS,
    KIND_SPECS,
    MEDIUM_CODES,
    PROFILE_WEIGHTS,
    RAW_MEDIUM_ALIASES,
    RawDateTime,
    SyntheticCampaign,
    SyntheticEvent,
    SyntheticLead,
    SyntheticOrg,
    SyntheticOwner,
    SyntheticResponse,
    generate,
    is_flagged,
    salesforce_id,
    summary,
)

__all__ = [
    "CHANNEL_CODES",
    "FLAGSHIP_MODELS",
    "HISTORY_DAYS",
    "KIND_SPECS",
    "MEDIUM_CODES",
    "PROFILE_WEIGHTS",
    "RAW_MEDIUM_ALIASES",
    "RawDateTime",
    "SyntheticCampaign",
    "SyntheticEvent",
    "SyntheticLead",
    "SyntheticOrg",
    "SyntheticOwner",
    "SyntheticResponse",
    "generate",
    "is_flagged",
    "salesforce_id",
    "summary",
]
