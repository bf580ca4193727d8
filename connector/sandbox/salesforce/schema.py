"""The emulated org's objects and fields, with the describe metadata of each field.

The field names are EXACTLY the agreed ones (notes/crm-fields.md; output fields from
interfaces.md), plus the audit fields every real object has (``LastModifiedDate``). Types,
lengths and flags follow the Salesforce object reference (crm-apis.md 1.6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Field types whose values are strings on the wire and in the store.
TEXT_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox"}
)
ID_TYPES = frozenset({"id", "reference"})
NUMBER_TYPES = frozenset({"double", "currency", "int", "percent"})


@dataclass(frozen=True)
class FieldDef:
    """One field and its describe metadata.

    Attributes:
        name: API name.
        type: describe type (string, picklist, boolean, datetime, date, double, reference, ...).
        label: UI label (defaults to the name without ``__c`` and underscores).
        length: maximum length of text fields (0 for other types).
        createable: may be set on insert.
        updateable: may be set on update.
        nillable: may be null (False = required on insert).
        external_id: flagged External ID (upsert key).
        unique: values are unique among live records.
        picklist: allowed picklist values.
        restricted: a value outside ``picklist`` is refused.
        reference_to: object names a reference field points at.
        default: value set on insert when the field is absent.
    """

    name: str
    type: str
    label: str = ""
    length: int = 0
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    external_id: bool = False
    unique: bool = False
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    default: Any = None

    @property
    def custom(self) -> bool:
        """Custom fields end in ``__c``."""
        return self.name.endswith("__c")

    @property
    def display_label(self) -> str:
        """The label shown in messages."""
        return self.label or self.name.removesuffix("__c").replace("_", " ")

    def describe(self) -> dict[str, Any]:
        """The field's entry in ``sobjects/{T}/describe``."""
        is_text = self.type in TEXT_TYPES or self.type in ID_TYPES
        return {
            "name": self.name,
            "label": self.display_label,
            "type": self.type,
            "length": self.length if is_text else 0,
            "byteLength": self.length * 3 if is_text else 0,
            "precision": 18 if self.type in NUMBER_TYPES else 0,
            "scale": 2 if self.type in NUMBER_TYPES else 0,
            "digits": 0,
            "custom": self.custom,
            "createable": self.createable,
            "updateable": self.updateable,
            "nillable": self.nillable,
            "externalId": self.external_id,
            "unique": self.unique,
            "idLookup": self.type == "id" or self.external_id,
            "calculated": False,
            "caseSensitive": False,
            "defaultedOnCreate": self.default is not None or self.type in {"id", "boolean"},
            "filterable": self.type != "textarea" or self.length <= 255,
            "sortable": self.type not in {"textarea", "multipicklist"},
            "referenceTo": list(self.reference_to),
            "relationshipName": (
                self.name.removesuffix("Id").removesuffix("__c") if self.reference_to else None
            ),
            "restrictedPicklist": self.restricted,
            "picklistValues": [
                {"value": v, "label": v, "active": True, "defaultValue": v == self.default}
                for v in self.picklist
            ],
            "soapType": _SOAP_TYPES.get(self.type, "xsd:string"),
        }


_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "datetime": "xsd:dateTime",
    "date": "xsd:date",
    "double": "xsd:double",
    "currency": "xsd:double",
    "int": "xsd:int",
}


@dataclass(frozen=True)
class ObjectDef:
    """One sObject type.

    Attributes:
        name: API name.
        key_prefix: first three characters of its record ids.
        fields: its fields by name, in describe order.
        label: UI label.
    """

    name: str
    key_prefix: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    label: str = ""

    @property
    def custom(self) -> bool:
        """Custom objects end in ``__c``."""
        return self.name.endswith("__c")

    def field_named(self, name: str) -> FieldDef | None:
        """The field called ``name`` (API names are case-insensitive), or None."""
        found = self.fields.get(name)
        if found is not None:
            return found
        lowered = name.lower()
        return next((f for f in self.fields.values() if f.name.lower() == lowered), None)

    def describe(self, version: str) -> dict[str, Any]:
        """The body of ``sobjects/{T}/describe``."""
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            **self.summary(version),
            "fields": [f.describe() for f in self.fields.values()],
            "childRelationships": [],
            "recordTypeInfos": [],
            "urls": {**self.summary(version)["urls"], "describe": f"{base}/describe"},
        }

    def summary(self, version: str) -> dict[str, Any]:
        """The object's entry in the global describe (``sobjects/``)."""
        base = f"/services/data/v{version}/sobjects/{self.name}"
        label = self.label or self.name.removesuffix("__c").replace("_", " ")
        return {
            "name": self.name,
            "label": label,
            "labelPlural": label + "s",
            "keyPrefix": self.key_prefix,
            "custom": self.custom,
            "createable": True,
            "updateable": True,
            "deletable": True,
            "queryable": True,
            "replicateable": True,
            "retrieveable": True,
            "searchable": True,
            "urls": {"sobject": base, "rowTemplate": f"{base}/{{ID}}"},
        }


def _text(name: str, length: int = 255, **kw: Any) -> FieldDef:
    return FieldDef(name, "string", length=length, **kw)


def _pick(name: str, values: tuple[str, ...], **kw: Any) -> FieldDef:
    return FieldDef(name, "picklist", length=255, picklist=values, **kw)


def _flag(name: str, **kw: Any) -> FieldDef:
    return FieldDef(name, "boolean", nillable=False, **{"default": False, **kw})


def _readonly(name: str, type_: str, **kw: Any) -> FieldDef:
    return FieldDef(name, type_, createable=False, updateable=False, **kw)


def _audit() -> list[FieldDef]:
    # Set by the org on every write; never writable through the API.
    return [
        _readonly("CreatedDate", "datetime", nillable=False),
        _readonly("LastModifiedDate", "datetime", nillable=False),
        _readonly("SystemModstamp", "datetime", nillable=False),
        _readonly("IsDeleted", "boolean", nillable=False, default=False),
    ]


def _object(name: str, prefix: str, fields: list[FieldDef], label: str = "") -> ObjectDef:
    id_field = FieldDef("Id", "id", length=18, createable=False, updateable=False, nillable=False)
    return ObjectDef(name, prefix, {f.name: f for f in [id_field, *fields]}, label)


LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Nurturing",
    "Closed - Converted",
    "Closed - Not Converted",
)
LEAD_SOURCES = (
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
    "App",
    "Social",
    "Email",
    "SMS",
    "Affiliate",
    "Showroom",
    "Exhibition",
    "Event - Prospect",
    "Event - Loyalty",
    "Promoter",
    "HotPlace",
    "In Person",
)
MEDIUM_VALUES = (
    "organic",
    "cpc",
    "display",
    "displayAD",
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
ACTIVITY_KINDS = (
    "email_open",
    "email_click",
    "email_bounce",
    "page_visit",
    "ad_click",
    "landing_session",
    "social_follow",
    "social_like",
    "social_comment",
    "social_share",
    "survey_reply",
    "consult_request",
    "quote_request",
    "chat_inquiry",
    "test_drive_request",
    "quote_view",
    "contract",
    "competitor_search",
    "competitor_purchase",
    "unrelated_activity",
    "message_sent",
)
#: D-3 channel codes (the raw values response records carry).
CHANNEL_CODES = (
    "Website",
    "App",
    "Social",
    "Email",
    "SMS",
    "Affiliate",
    "Showroom",
    "Exhibition",
    "Event_Prospect",
    "Event_Loyalty",
    "Promoter",
    "HotPlace",
    "Phone",
    "InPerson",
)
TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
LEADSYNC_TYPES = ("Hot", "Warm", "Cold", "Dormant", "Converted", "Removed")
LEADSYNC_PRIORITIES = ("Hot+Flag", "Hot", "Warm", "Cold", "Dormant")
MEMBER_STATUSES = ("Sent", "Opened", "Clicked", "Responded")
#: Member statuses whose "responded" flag is set (per campaign in a real org).
RESPONDED_STATUSES = frozenset({"Clicked", "Responded"})

_OWNER = FieldDef("OwnerId", "reference", length=18, nillable=False, reference_to=("User", "Group"))
_TASK_OWNER = FieldDef("OwnerId", "reference", length=18, nillable=False, reference_to=("User",))
_WHO = FieldDef("WhoId", "reference", length=18, reference_to=("Lead", "Contact"))

LEAD = _object(
    "Lead",
    "00Q",
    [
        _text("FirstName", 40),
        _text("LastName", 80, nillable=False),
        _text("Company", 255, nillable=False),
        FieldDef("Email", "email", length=80),
        FieldDef("Phone", "phone", length=40),
        _pick("Status", LEAD_STATUSES, nillable=False, restricted=True, default=LEAD_STATUSES[0]),
        _pick("Rating", ("Hot", "Warm", "Cold")),
        _pick("LeadSource", LEAD_SOURCES),
        _OWNER,
        _flag("HasOptedOutOfEmail", label="Email Opt Out"),
        FieldDef("EmailBouncedDate", "datetime"),
        _text("EmailBouncedReason", 255),
        _readonly("IsConverted", "boolean", nillable=False, default=False),
        _readonly("ConvertedDate", "date"),
        # Set on the losing lead of a merge; it points at the surviving one.
        _readonly("MasterRecordId", "reference"),
        FieldDef("Description", "textarea", length=32000),
        FieldDef("RecordTypeId", "reference", length=18, reference_to=("RecordType",)),
        _text("Customer_Id__c", 50),
        _text("Channel_Sub_Source__c", 100),
        _pick("Inflow_Medium__c", MEDIUM_VALUES),
        _text("Campaign_Code__c", 80),
        _text("UTM_Source__c"),
        _text("UTM_Medium__c"),
        _text("UTM_Campaign__c"),
        _pick("Privacy_Consent__c", ("Y", "N"), restricted=True),
        _pick("Marketing_Consent__c", ("Y", "N"), restricted=True),
        _text("Interest_Model__c", 100),
        _text("Interest_Class__c", 100),
        _text("Visited_Page__c"),
        _pick("Device_Type__c", ("Mobile", "PC", "Tablet"), restricted=True),
        _text("Region_Code__c", 20),
        _flag("Brand_Owner__c"),
        FieldDef(
            "HVA_Requests__c",
            "multipicklist",
            length=4099,
            picklist=("TestDrive", "Quote", "Consult"),
            restricted=True,
        ),
        _pick("Intake_Form__c", ("LeadForm", "Membership", "Offline"), restricted=True),
        _flag("LeadSync_Pause__c"),
        _pick("LeadSync_Type__c", LEADSYNC_TYPES, restricted=True),
        _pick("LeadSync_Priority__c", LEADSYNC_PRIORITIES, restricted=True),
        FieldDef("LeadSync_Score__c", "double"),
        FieldDef("LeadSync_Activity_Score__c", "double"),
        FieldDef("LeadSync_Demographic_Score__c", "double"),
        FieldDef("LeadSync_Recency_Score__c", "double"),
        _flag("LeadSync_Flag__c"),
        _text("LeadSync_Reason__c", 255),
        FieldDef("LeadSync_Next_Review__c", "date"),
        _text("LeadSync_Next_Action__c", 255),
        FieldDef("LeadSync_Next_Action_Due__c", "datetime"),
        *_audit(),
    ],
)

TASK = _object(
    "Task",
    "00T",
    [
        _WHO,
        _TASK_OWNER,
        FieldDef("Subject", "combobox", length=255),
        _pick("Type", ("Call", "Email", "Meeting", "Other")),
        FieldDef(
            "TaskSubtype",
            "picklist",
            length=40,
            updateable=False,
            picklist=("Task", "Email", "Call", "ListEmail", "Cadence"),
            restricted=True,
            default="Task",
        ),
        _pick("Status", TASK_STATUSES, nillable=False, restricted=True, default="Not Started"),
        _pick(
            "Priority", ("High", "Normal", "Low"), nillable=False, restricted=True, default="Normal"
        ),
        FieldDef("ActivityDate", "date"),
        FieldDef("ReminderDateTime", "datetime"),
        _flag("IsReminderSet"),
        FieldDef("Description", "textarea", length=32000),
        _readonly("IsClosed", "boolean", nillable=False, default=False),
        _readonly("CompletedDateTime", "datetime"),
        _text("LeadSync_Key__c", 80, external_id=True, unique=True),
        _pick(
            "Response_Type__c",
            ("Res_TestDrive", "Res_Quote", "Res_Inquiry", "Res_AS", "Res_Event", "Res_Complaint"),
        ),
        _pick("Response_Channel__c", CHANNEL_CODES),
        _pick("Processing_Status__c", ("Completed", "Pending", "Follow-Up"), restricted=True),
        _pick("Department__c", ("SA", "AS", "CS"), restricted=True),
        _pick("Reaction__c", ("Feedback_Posi", "Feedback_Neut", "Feedback_Neg"), restricted=True),
        FieldDef("NPS__c", "double"),
        *_audit(),
    ],
)

EVENT = _object(
    "Event",
    "00U",
    [
        _WHO,
        _TASK_OWNER,
        FieldDef("Subject", "combobox", length=255),
        _pick("Type", ("Test Drive", "Consult", "Meeting", "Call", "Email", "Other")),
        FieldDef("StartDateTime", "datetime"),
        FieldDef("EndDateTime", "datetime"),
        *_audit(),
    ],
)

CAMPAIGN = _object(
    "Campaign",
    "701",
    [
        _text("Name", 80, nillable=False),
        _pick(
            "Type",
            ("Advertisement", "Email", "Event", "Direct Marketing", "Social", "Webinar", "Other"),
        ),
        FieldDef("ActualCost", "currency"),
        *_audit(),
    ],
)

CAMPAIGN_MEMBER = _object(
    "CampaignMember",
    "00v",
    [
        FieldDef("LeadId", "reference", length=18, reference_to=("Lead",)),
        FieldDef(
            "CampaignId",
            "reference",
            length=18,
            nillable=False,
            updateable=False,
            reference_to=("Campaign",),
        ),
        _pick("Status", MEMBER_STATUSES, default="Sent"),
        _readonly("HasResponded", "boolean", nillable=False, default=False),
        _readonly("FirstRespondedDate", "date"),
        *_audit(),
    ],
)

WEB_ACTIVITY = _object(
    "Web_Activity__c",
    "a0X",
    [
        _text("Name", 80),
        FieldDef("Lead__c", "reference", length=18, reference_to=("Lead",)),
        _pick("Kind__c", ACTIVITY_KINDS),
        FieldDef("Occurred_At__c", "datetime"),
        _text("Page__c"),
        _text("Channel__c", 100),
        _text("Medium__c", 100),
        _text("Campaign__c", 80),
        _text("Detail__c"),
        *_audit(),
    ],
    label="Web Activity",
)

USER = _object(
    "User",
    "005",
    [
        _text("FirstName", 40),
        _text("LastName", 80, nillable=False),
        _readonly("Name", "string", length=121),
        FieldDef("Email", "email", length=128, nillable=False),
        _text("Username", 80, nillable=False),
        _text("EmployeeNumber", 20),
        _text("Department", 80),
        _flag("IsActive", default=True),
        *_audit(),
    ],
)

GROUP = _object(
    "Group",
    "00G",
    [
        _text("Name", 40, nillable=False),
        _text("DeveloperName", 80),
        _pick("Type", ("Queue", "Regular"), restricted=True, default="Queue"),
        *_audit(),
    ],
)

#: Every emulated object, by API name.
OBJECTS: dict[str, ObjectDef] = {
    o.name: o for o in (LEAD, TASK, EVENT, CAMPAIGN, CAMPAIGN_MEMBER, WEB_ACTIVITY, USER, GROUP)
}


def object_named(name: str) -> ObjectDef | None:
    """The object called ``name`` (case-insensitive), or None."""
    found = OBJECTS.get(name)
    if found is not None:
        return found
    return next((o for o in OBJECTS.values() if o.name.lower() == name.lower()), None)


__all__ = [
    "ACTIVITY_KINDS",
    "LEADSYNC_PRIORITIES",
    "LEADSYNC_TYPES",
    "LEAD_SOURCES",
    "LEAD_STATUSES",
    "MEDIUM_VALUES",
    "OBJECTS",
    "RESPONDED_STATUSES",
    "TASK_STATUSES",
    "FieldDef",
    "ObjectDef",
    "object_named",
]
