"""Synthetic CRM data: owners, campaigns, leads with events and responses (issue 3, item 8).

Seeds the two CRM emulators, the demo and the benchmarks. Deterministic for a given seed and
anchor; leads are built lazily so 100k of them need not sit in memory at once.
"""

from connector.sandbox.synthetic.org import SyntheticOrg, generate, salesforce_id
from connector.sandbox.synthetic.profiles import HISTORY_DAYS, PROFILE_WEIGHTS
from connector.sandbox.synthetic.records import (
    RawDateTime,
    SyntheticCampaign,
    SyntheticEvent,
    SyntheticLead,
    SyntheticOwner,
    SyntheticResponse,
)
from connector.sandbox.synthetic.summary import is_flagged, summary
from connector.sandbox.synthetic.vocabulary import (
    CHANNEL_CODES,
    FLAGSHIP_MODELS,
    KIND_SPECS,
    MEDIUM_CODES,
    RAW_MEDIUM_ALIASES,
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
