"""The standard code lists the mapping validator checks value maps against.

These are the *defaults*; a mapping file may replace or extend them in its
``codes:`` section (the playbook says every code list is admin-overridable).
The automotive words live in data, never in engine branches (style 8).
"""

from __future__ import annotations

from connector.models.lifecycle import LeadState, Priority

#: D-3 channel codes: online, offline, and the intake channels seen in D-1.
CHANNEL_CODES: tuple[str, ...] = (
    # online
    "Website",
    "App",
    "Social",
    "Email",
    "SMS",
    "Affiliate",
    # offline
    "Showroom",
    "Exhibition",
    "Event_Prospect",
    "Event_Loyalty",
    "Promoter",
    # also seen as intake channels (D-1 examples)
    "HotPlace",
    "Phone",
    "InPerson",
)

#: D-4 medium codes plus R-19's additions (paidsearch, social, email).
#: ``paid_<channel>`` is a family: see :data:`MEDIUM_CODE_PREFIXES`.
MEDIUM_CODES: tuple[str, ...] = (
    "organic",
    "cpc",
    "display",
    "retargeting",
    "push",
    "inapp",
    "direct",
    "ads",
    "newsletter",
    "walkin",
    "qr",
    "invite",
    "leaflet",
    "event",
    "prospect",
    #
    "paidsearch",
    "social",
    "email",
)

#: D-4's ``paid_<channel>``: any code with this prefix is a medium code.
MEDIUM_CODE_PREFIXES: tuple[str, ...] = ("paid_",)

#: R-19: spellings seen in the source documents that mean a standard code.
MEDIUM_ALIASES: dict[str, str] = {"displayAD": "display"}

#: D-5 response types (extensible); written ``Res_<Type>`` on records.
RESPONSE_TYPES: tuple[str, ...] = ("TestDrive", "Quote", "Inquiry", "AS", "Event", "Complaint")

#: D-5 processing statuses, departments and reactions (closed lists).
PROCESSING_STATUSES: tuple[str, ...] = ("Completed", "Pending", "Follow-Up")
DEPARTMENTS: tuple[str, ...] = ("SA", "AS", "CS")
REACTIONS: tuple[str, ...] = ("Feedback_Posi", "Feedback_Neut", "Feedback_Neg")

#: L-1 lifecycle states, as pushed (the values of the ``state`` output field).
STATES: tuple[str, ...] = tuple(state.value for state in LeadState)

#: Priorities as pushed (A-2).
PRIORITIES: tuple[str, ...] = tuple(priority.value for priority in Priority)

__all__ = [
    "CHANNEL_CODES",
    "DEPARTMENTS",
    "MEDIUM_ALIASES",
    "MEDIUM_CODES",
    "MEDIUM_CODE_PREFIXES",
    "PRIORITIES",
    "PROCESSING_STATUSES",
    "REACTIONS",
    "RESPONSE_TYPES",
    "STATES",
]
