"""The properties a fresh emulated account defines (crm-fields.md, HubSpot section).

Standard HubSpot properties plus the company's custom *input* properties
(group ``leadsync_input``). leadsync's own output properties (group
``leadsync``, and ``leadsync_key`` on tasks) are deliberately absent:
``leadsync doctor --fix`` must create them through the properties API.
"""

from __future__ import annotations

from connector.sandbox.hubspot.values import PropertyDef, options

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)
ANALYTICS_SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "OTHER_CAMPAIGNS",
    "DIRECT_TRAFFIC",
    "OFFLINE",
    "PAID_SOCIAL",
)
BOUNCE_REASONS = ("BAD_MAILBOX", "DOMAIN_LEVEL", "POLICY", "SPAM", "CONTENT", "MAILBOX_FULL")

STANDARD_GROUPS: dict[str, list[tuple[str, str]]] = {
    "contacts": [
        ("contactinformation", "Contact information"),
        ("analyticsinformation", "Web analytics history"),
        ("emailinformation", "Email information"),
        ("leadsync_input", "LeadSync inputs"),
    ],
    "tasks": [("task", "Task information")],
    "notes": [("note", "Note information")],
    "emails": [("email", "Email information")],
    "calls": [("call", "Call information"), ("leadsync_input", "LeadSync inputs")],
    "meetings": [("meeting", "Meeting information")],
}


def _p(
    name: str,
    kind: str = "string",
    field_type: str = "text",
    group: str = "contactinformation",
    opts: tuple[str, ...] = (),
    *,
    read_only: bool = False,
    unique: bool = False,
    custom: bool = False,
) -> PropertyDef:
    return PropertyDef(
        name=name,
        label=name.replace("_", " ").capitalize(),
        type=kind,
        field_type=field_type,
        group_name=group,
        options=options(*opts),
        read_only=read_only,
        has_unique_value=unique,
        hubspot_defined=not custom,
    )


def _system(group: str, *, created: str, modified: str) -> list[PropertyDef]:
    return [
        _p("hs_object_id", "number", "number", group, read_only=True),
        _p(created, "datetime", "date", group, read_only=True),
        _p(modified, "datetime", "date", group, read_only=True),
    ]


def _owner(group: str, owner_ids: tuple[str, ...]) -> PropertyDef:
    return _p("hubspot_owner_id", "enumeration", "select", group, owner_ids)


def _contacts(owner_ids: tuple[str, ...]) -> list[PropertyDef]:
    ci, an, em, li = (
        "contactinformation",
        "analyticsinformation",
        "emailinformation",
        "leadsync_input",
    )
    custom = [
        _p(n, group=li, custom=True)
        for n in (
            "customer_id",
            "inflow_channel",
            "channel_sub_source",
            "inflow_medium",
            "campaign_code",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "interest_model",
            "interest_class",
            "visited_page",
            "region_code",
        )
    ]
    custom += [
        # Consents and device are free text in this account (as many portals have them), so
        # the generator's D-6 malformations ("Maybe", "SmartFridge") can exist in the CRM.
        _p("privacy_consent", custom=True, group=li),
        _p("marketing_consent", custom=True, group=li),
        _p("device_type", custom=True, group=li),
        _p("brand_owner", "bool", "booleancheckbox", li, ("true", "false"), custom=True),
        _p(
            "hva_requests",
            "enumeration",
            "checkbox",
            li,
            ("TestDrive", "Quote", "Consult"),
            custom=True,
        ),
        _p(
            "intake_form",
            "enumeration",
            "select",
            li,
            ("LeadForm", "Membership", "Offline"),
            custom=True,
        ),
        _p("request_memo", "string", "textarea", li, custom=True),
        _p("leadsync_pause", "bool", "booleancheckbox", li, ("true", "false"), custom=True),
        _p("last_social_engagement", "datetime", "date", li, custom=True),
        _p("last_ad_click", "datetime", "date", li, custom=True),
    ]
    return [
        *_system(ci, created="createdate", modified="lastmodifieddate"),
        _p("email", unique=True),
        _p("firstname"),
        _p("lastname"),
        _p("phone", "string", "phonenumber"),
        _p("company"),
        _p("lifecyclestage", "enumeration", "radio", ci, LIFECYCLE_STAGES),
        _p("hs_lead_status", "enumeration", "radio", ci, LEAD_STATUSES),
        _owner(ci, owner_ids),
        _p("hs_analytics_source", "enumeration", "select", an, ANALYTICS_SOURCES, read_only=True),
        _p("hs_analytics_source_data_1", group=an, read_only=True),
        _p("hs_analytics_last_visit_timestamp", "datetime", "date", an, read_only=True),
        _p("hs_email_last_open_date", "datetime", "date", em, read_only=True),
        _p("hs_email_last_click_date", "datetime", "date", em, read_only=True),
        _p("hs_email_last_send_date", "datetime", "date", em, read_only=True),
        _p(
            "hs_email_hard_bounce_reason_enum",
            "enumeration",
            "select",
            em,
            BOUNCE_REASONS,
            read_only=True,
        ),
        _p("hs_email_optout", "bool", "booleancheckbox", em, ("true", "false"), read_only=True),
        _p("hs_merged_object_ids", "enumeration", "checkbox", ci, read_only=True),
        *custom,
    ]


def _engagement(
    name: str, group: str, owner_ids: tuple[str, ...], extra: list[PropertyDef]
) -> list[PropertyDef]:
    del name
    return [
        *_system(group, created="hs_createdate", modified="hs_lastmodifieddate"),
        _p("hs_timestamp", "datetime", "date", group),
        _owner(group, owner_ids),
        *extra,
    ]


def default_catalog(owner_ids: tuple[str, ...]) -> dict[str, list[PropertyDef]]:
    """Return the property definitions of a fresh account, per object type.

    Args:
        owner_ids: the users' ids; ``hubspot_owner_id`` accepts only these.
    """
    li = "leadsync_input"
    call_custom = [
        _p("response_type", group=li, custom=True),
        _p("response_channel", group=li, custom=True),
        _p(
            "processing_status",
            "enumeration",
            "select",
            li,
            ("Completed", "Pending", "Follow-Up"),
            custom=True,
        ),
        _p("department", "enumeration", "select", li, ("SA", "AS", "CS"), custom=True),
        _p(
            "reaction",
            "enumeration",
            "select",
            li,
            ("Feedback_Posi", "Feedback_Neut", "Feedback_Neg"),
            custom=True,
        ),
        _p("nps", "number", "number", li, custom=True),
    ]
    return {
        "contacts": _contacts(owner_ids),
        "tasks": _engagement(
            "tasks",
            "task",
            owner_ids,
            [
                _p("hs_task_subject", group="task"),
                _p("hs_task_body", "string", "textarea", "task"),
                _p(
                    "hs_task_status",
                    "enumeration",
                    "select",
                    "task",
                    ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
                ),
                _p(
                    "hs_task_priority",
                    "enumeration",
                    "select",
                    "task",
                    ("NONE", "LOW", "MEDIUM", "HIGH"),
                ),
                _p(
                    "hs_task_type",
                    "enumeration",
                    "select",
                    "task",
                    ("TODO", "CALL", "EMAIL", "LINKED_IN", "MEETING"),
                ),
                _p("hs_task_completion_date", "datetime", "date", "task", read_only=True),
            ],
        ),
        "notes": _engagement(
            "notes", "note", owner_ids, [_p("hs_note_body", "string", "html", "note")]
        ),
        "emails": _engagement(
            "emails",
            "email",
            owner_ids,
            [
                _p(
                    "hs_email_direction",
                    "enumeration",
                    "select",
                    "email",
                    ("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
                ),
                _p(
                    "hs_email_status",
                    "enumeration",
                    "select",
                    "email",
                    ("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"),
                ),
                _p("hs_email_subject", group="email"),
                _p("hs_email_text", "string", "textarea", "email"),
            ],
        ),
        "calls": _engagement(
            "calls",
            "call",
            owner_ids,
            [
                _p("hs_call_title", group="call"),
                _p("hs_call_body", "string", "html", "call"),
                _p("hs_call_direction", "enumeration", "select", "call", ("INBOUND", "OUTBOUND")),
                _p(
                    "hs_call_status",
                    "enumeration",
                    "select",
                    "call",
                    ("COMPLETED", "BUSY", "NO_ANSWER", "FAILED", "CANCELED", "IN_PROGRESS"),
                ),
                _p("hs_call_duration", "number", "number", "call"),
                *call_custom,
            ],
        ),
        "meetings": _engagement(
            "meetings",
            "meeting",
            owner_ids,
            [
                _p("hs_meeting_title", group="meeting"),
                _p("hs_meeting_body", "string", "html", "meeting"),
                _p(
                    "hs_meeting_outcome",
                    "enumeration",
                    "select",
                    "meeting",
                    ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"),
                ),
                _p("hs_meeting_start_time", "datetime", "date", "meeting"),
                _p("hs_meeting_end_time", "datetime", "date", "meeting"),
            ],
        ),
    }
