"""Code tables the generator draws from: D-3 channels, D-4 media, L-2 kinds, names, models.

These are the *raw* values a CRM would hold. They follow the default vocabulary of the
playbook (automotive) because the demo and the default mapping files use it; the engine never
sees this module.
"""

from __future__ import annotations

from typing import Final, NamedTuple

#: D-3 online channel codes, with the intake families they arrive through.
ONLINE_CHANNELS: Final = ("Website", "App", "Social", "Email", "SMS", "Affiliate")
#: D-3 offline channel codes, plus the intake channels 002 also names (HotPlace, Phone, InPerson).
OFFLINE_CHANNELS: Final = (
    "Showroom",
    "Exhibition",
    "Event_Prospect",
    "Event_Loyalty",
    "Promoter",
    "HotPlace",
    "Phone",
    "InPerson",
)
#: Every D-3 code the generator emits on a well-formed record.
CHANNEL_CODES: Final = ONLINE_CHANNELS + OFFLINE_CHANNELS

#: D-4 medium codes (with R-19's additions). ``displayAD`` is a raw spelling mapped to ``display``.
MEDIUM_CODES: Final = (
    "organic",
    "cpc",
    "display",
    "retargeting",
    "push",
    "inapp",
    "direct",
    "ads",
    "newsletter",
    "paid_social",
    "walkin",
    "qr",
    "invite",
    "leaflet",
    "event",
    "prospect",
    "paidsearch",
    "social",
    "email",
)
#: Raw medium spellings a CRM holds that the default mapping translates (R-19).
RAW_MEDIUM_ALIASES: Final = {"displayAD": "display"}

#: Media plausible for a lead arriving through each channel (D-3 -> D-4).
MEDIA_BY_CHANNEL: Final[dict[str, tuple[str, ...]]] = {
    "Website": ("organic", "cpc", "paidsearch", "display", "displayAD", "retargeting", "direct"),
    "App": ("push", "inapp", "direct"),
    "Social": ("social", "paid_social", "ads"),
    "Email": ("newsletter", "email"),
    "SMS": ("push", "direct"),
    "Affiliate": ("ads", "display", "cpc"),
    "Showroom": ("walkin", "direct"),
    "Exhibition": ("event", "qr"),
    "Event_Prospect": ("event", "prospect", "invite"),
    "Event_Loyalty": ("invite", "event"),
    "Promoter": ("leaflet", "qr", "prospect"),
    "HotPlace": ("qr", "leaflet", "event"),
    "Phone": ("direct",),
    "InPerson": ("walkin", "prospect"),
}
#: D-3: the sub-sources 002 names under ``Social``.
SOCIAL_SUB_SOURCES: Final = ("Facebook", "Instagram", "YouTube", "X", "WhatsApp")
#: utm_source values per online channel (D-2).
UTM_SOURCE_BY_CHANNEL: Final[dict[str, tuple[str, ...]]] = {
    "Website": ("google", "naver", "website"),
    "App": ("app",),
    "Social": ("instagram", "facebook", "youtube"),
    "Email": ("newsletter",),
    "SMS": ("sms",),
    "Affiliate": ("partner_portal", "carblog"),
}

#: Intake families (``Intake_Form__c`` / ``intake_form``; S-2 picks a grid per family).
INTAKE_LEAD_FORM: Final = "LeadForm"
INTAKE_MEMBERSHIP: Final = "Membership"
INTAKE_OFFLINE: Final = "Offline"
#: Online channels through which a membership sign-up can arrive.
MEMBERSHIP_CHANNELS: Final = ("Website", "App")


class KindSpec(NamedTuple):
    """How an L-2 event kind looks in the CRM: its category and plausible codes."""

    category: int | None
    direction: str
    #: (channel, medium) pairs the kind is logged with; one is drawn per event.
    routes: tuple[tuple[str | None, str | None], ...]
    pages: tuple[str | None, ...]
    has_campaign: bool


_NONE: Final[tuple[None]] = (None,)
_GENERAL_PAGES: Final = (
    "/",
    "/model/ioniq6",
    "/model/santafe",
    "/model/avante",
    "/model/tucson",
    "/model/kona",
    "/events",
    "/news",
)
_LANDING_PAGES: Final = ("/lp/spring-offer", "/lp/ev-week", "/lp/suv-fair", "/lp/finance-deal")
#: L-3 Warm-level pages: model comparison, finance option lookup, review browsing.
COMPARISON_PAGES: Final = ("/compare", "/finance", "/reviews")
#: L-4 Cold -> Warm: the high-interest page (test-drive page).
TEST_DRIVE_PAGE: Final = "/test-drive"
_MAIL: Final = (("Email", "newsletter"), ("Email", "email"))
_SENDS: Final = (*_MAIL, ("SMS", "direct"), ("App", "push"), ("App", "inapp"))
_ADS: Final = (
    ("Website", "display"),
    ("Website", "displayAD"),
    ("Website", "cpc"),
    ("Website", "paidsearch"),
    ("Website", "retargeting"),
    ("Affiliate", "ads"),
    ("Social", "paid_social"),
)
_WEB: Final = (("Website", "organic"), ("Website", "direct"), ("App", "inapp"))
_SOCIAL: Final = (("Social", "social"),)
_REQUEST: Final = (("Website", "direct"), ("Website", "organic"), ("App", "inapp"))

#: Every kind of ``Web_Activity__c.Kind__c`` (crm-fields.md) with its L-2 category. The three
#: external signals and the bounce belong to no L-2 category (the policy maps them, R-6).
KIND_SPECS: Final[dict[str, KindSpec]] = {
    "email_open": KindSpec(1, "inbound", _MAIL, _NONE, True),
    "email_click": KindSpec(1, "inbound", _MAIL, _LANDING_PAGES, True),
    "email_bounce": KindSpec(None, "outbound", _MAIL, _NONE, True),
    "survey_reply": KindSpec(1, "inbound", _SENDS, _NONE, True),
    "message_sent": KindSpec(1, "outbound", _SENDS, _NONE, True),
    "page_visit": KindSpec(2, "inbound", _WEB, _GENERAL_PAGES, False),
    "ad_click": KindSpec(3, "inbound", _ADS, _LANDING_PAGES, True),
    "landing_session": KindSpec(3, "inbound", _ADS[:5], _LANDING_PAGES, True),
    "social_follow": KindSpec(4, "inbound", _SOCIAL, _NONE, False),
    "social_like": KindSpec(4, "inbound", _SOCIAL, _NONE, False),
    "social_comment": KindSpec(4, "inbound", _SOCIAL, _NONE, False),
    "social_share": KindSpec(4, "inbound", _SOCIAL, _NONE, False),
    "consult_request": KindSpec(
        5, "inbound", (*_REQUEST, ("Phone", "direct"), ("Showroom", "walkin")), ("/consult",), False
    ),
    "quote_request": KindSpec(5, "inbound", _REQUEST, ("/quote",), False),
    "chat_inquiry": KindSpec(5, "inbound", _REQUEST, ("/chat",), False),
    "test_drive_request": KindSpec(
        6, "inbound", (*_REQUEST, ("Showroom", "walkin")), (TEST_DRIVE_PAGE,), False
    ),
    "quote_view": KindSpec(6, "inbound", _REQUEST, ("/quote/view",), False),
    "contract": KindSpec(6, "inbound", (("Showroom", "walkin"),), _NONE, False),
    "competitor_search": KindSpec(None, "inbound", (("Website", "organic"),), _NONE, False),
    "competitor_purchase": KindSpec(None, "inbound", ((None, None),), _NONE, False),
    "unrelated_activity": KindSpec(
        None, "inbound", (("Website", "organic"),), ("/careers", "/ir"), False
    ),
}
#: Campaign types (Salesforce ``Campaign.Type``) that can explain an event on each channel.
CAMPAIGN_TYPES_BY_CHANNEL: Final[dict[str, tuple[str, ...]]] = {
    "Email": ("Email",),
    "SMS": ("Direct Marketing",),
    "App": ("Email", "Direct Marketing"),
    "Website": ("Advertisement", "Event"),
    "Affiliate": ("Advertisement",),
    "Social": ("Social",),
}
#: The kinds L-3 lists as Hot-level conversion actions (plus their category-5/6 relatives).
HOT_KINDS: Final = (
    "test_drive_request",
    "quote_request",
    "consult_request",
    "chat_inquiry",
    "quote_view",
)
#: Kinds that form the ordinary background of a lead's history, with integer weights.
BACKGROUND_KINDS: Final = (
    ("email_open", 22),
    ("email_click", 8),
    ("message_sent", 20),
    ("page_visit", 22),
    ("ad_click", 8),
    ("landing_session", 5),
    ("social_follow", 3),
    ("social_like", 7),
    ("survey_reply", 2),
)

#: Response types of D-5 with the channels they are typically logged on.
RESPONSE_CHANNELS_BY_TYPE: Final[dict[str, tuple[str, ...]]] = {
    "Res_TestDrive": ("Showroom", "App"),
    "Res_Quote": ("Email", "Showroom"),
    "Res_Inquiry": ("Phone", "Showroom", "Email"),
    "Res_AS": ("App", "Phone"),
    "Res_Event": ("Event_Loyalty", "Exhibition"),
    "Res_Complaint": ("Phone", "Email"),
}
RESPONSE_STATUSES: Final = ("Completed", "Pending", "Follow-Up")
DEPARTMENT_BY_TYPE: Final[dict[str, str]] = {
    "Res_TestDrive": "SA",
    "Res_Quote": "SA",
    "Res_Inquiry": "SA",
    "Res_AS": "AS",
    "Res_Event": "SA",
    "Res_Complaint": "CS",
}
REACTIONS: Final = ("Feedback_Posi", "Feedback_Neut", "Feedback_Neg")
RESPONSE_DETAILS: Final = (
    "Booked a test drive for Saturday",
    "Sent the quote with finance options",
    "Asked about delivery schedule",
    "Customer wants a call back next week",
    None,
)

#: (model, class, weight). ``IONIQ 6`` is the demo policy's flagship model (S-3 b).
INTEREST_MODELS: Final = (
    ("IONIQ 6", "EV", 12),
    ("IONIQ 5", "EV", 10),
    ("SANTA FE", "SUV", 14),
    ("TUCSON", "SUV", 12),
    ("PALISADE", "SUV", 8),
    ("AVANTE", "Sedan", 14),
    ("GRANDEUR", "Sedan", 8),
    ("KONA", "Compact", 8),
    ("CASPER", "Compact", 6),
    ("STARIA", "MPV", 4),
)
#: Flagship models of the demo policy (S-3 b): a lead interested in one is flagged.
FLAGSHIP_MODELS: Final = frozenset({"IONIQ 6"})
COMPETITOR_MODELS: Final = ("Model 3", "EV6", "Sorento", "Camry", "ID.4")

REGIONS: Final = (
    "Seoul Gangnam-gu",
    "Seoul Mapo-gu",
    "Seoul Songpa-gu",
    "Busan Haeundae-gu",
    "Incheon Yeonsu-gu",
    "Daegu Suseong-gu",
    "Daejeon Yuseong-gu",
    "Gwangju Seo-gu",
    "Gyeonggi Seongnam-si",
    "Gyeonggi Suwon-si",
    "Gyeonggi Goyang-si",
    "Ulsan Nam-gu",
    "Jeju Jeju-si",
)
DEVICES: Final = (("Mobile", 6), ("PC", 3), ("Tablet", 1))

#: Small static name pools: faster than faker and stable across library versions.
FIRST_NAMES: Final = (
    "Minjun", "Seoyeon", "Jiho", "Hayoon", "Doyun", "Jiwoo", "Eunwoo", "Seoah", "Siwoo", "Jiyu",
    "Hajun", "Chaewon", "Junseo", "Sua", "Yejun", "Jia", "Ethan", "Olivia", "Liam", "Emma",
    "Noah", "Ava", "Mason", "Sophia", "Lucas", "Mia", "James", "Grace", "Daniel", "Chloe",
    "Hyunwoo", "Yuna", "Taeyang", "Soyeon", "Jinwoo", "Dahye", "Sangmin", "Eunji", "Kyungho",
    "Minji",
)  # fmt: skip
LAST_NAMES: Final = (
    "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim",
    "Han", "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Ryu", "Jeon",
    "Hong", "Ko", "Moon", "Yang", "Son", "Bae", "Baek", "Heo", "Yoo", "Nam",
    "Smith", "Brown", "Wilson", "Taylor", "Martin",
)  # fmt: skip
COMPANIES: Final = (
    "Individual", "Individual", "Individual", "Hanbit Logistics", "Seoul Dental Clinic",
    "Mirae Design", "Blue Harbor Foods", "Gangnam Realty", "Daehan Builders", "Nuri Software",
    "Sejong Academy", "Haneul Travel", "Green Valley Farm", "Busan Marine Supply", "Orion Media",
)  # fmt: skip
EMAIL_DOMAINS: Final = ("example.com", "example.net", "example.org")
REQUEST_MEMOS: Final = (
    "Question about delivery schedule",
    "Wants the EV charging options explained",
    "Asked for a weekend test drive",
    "Comparing trims, asked for brochure",
    "Trade-in value of current car?",
    "Corporate fleet inquiry (3 cars)",
)
