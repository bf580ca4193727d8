"""Seeding the emulated org from the synthetic generator (CRM-neutral records -> sObjects).

Each synthetic record becomes exactly one CRM record, with the agreed field names
(notes/crm-fields.md) so the default mapping reads them back:

* owners -> ``User``; the web-leads queue -> ``Group`` (Type Queue); campaigns -> ``Campaign``
  (``Name`` = D-1 campaign code);
* leads -> ``Lead`` (channel codes through :data:`LEAD_SOURCE_BY_CHANNEL`, status through
  :data:`LEAD_STATUS_BY_CRM_STATUS`);
* responses (D-5) -> ``Task`` logged by staff: a completed call with the ``Response_*`` fields;
* events -> ``Event`` for showroom test drives and consults; ``CampaignMember`` (Status Sent)
  for the first send of a campaign to a lead; ``Web_Activity__c`` for everything else.

A Salesforce datetime field cannot hold a malformed date string: such a value is left empty
(the lead's ``CreatedDate`` falls back to its ``modified_at``). Malformed text, codes and
restricted-picklist values are stored as they are (seeding bypasses validation, as data loaded
before a picklist was restricted does).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from connector.sandbox.generator import SyntheticEvent, SyntheticLead, SyntheticResponse, generate
from connector.sandbox.salesforce.org import Org
from connector.sandbox.salesforce.schema import OBJECTS

#: D-3 channel code -> Lead.LeadSource value (the default mapping maps them back).
LEAD_SOURCE_BY_CHANNEL: dict[str, str] = {
    "Website": "Web",
    "Phone": "Phone Inquiry",
    "Event_Prospect": "Event - Prospect",
    "Event_Loyalty": "Event - Loyalty",
    "InPerson": "In Person",
}
#: Generator status -> Lead.Status value.
LEAD_STATUS_BY_CRM_STATUS: dict[str, str] = {
    "Open": "Open - Not Contacted",
    "Working": "Working - Contacted",
    "Nurturing": "Nurturing",
    "Converted": "Closed - Converted",
}
#: (event kind, channel) pairs logged as calendar Events, with the Event.Type.
EVENT_TYPES: dict[str, str] = {"test_drive_request": "Test Drive", "consult_request": "Consult"}
_EVENT_CHANNELS = frozenset({"Showroom", "InPerson"})


def _moment(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def seed_org(org: Org, *, leads: int, seed: int, anchor: datetime) -> dict[str, int]:
    """Fill ``org`` with ``leads`` synthetic leads, their owners, campaigns and activities.

    Args:
        org: the org to fill (records are added; nothing is removed).
        leads: number of leads (0: only the users and the queue).
        seed: the generator's seed.
        anchor: the generator's "now" (aware).

    Returns:
        How many records of each object were stored.
    """
    synthetic = generate(leads, seed=seed, anchor=anchor)
    for owner in synthetic.owners:
        org.load(
            "User",
            {
                "Id": owner.owner_id,
                "FirstName": owner.first_name,
                "LastName": owner.last_name,
                "Email": owner.email,
                "Username": owner.email,
                "EmployeeNumber": owner.employee_code,
                "Department": owner.department,
                "IsActive": True,
            },
        )
    queue = synthetic.queue
    org.load("Group", {"Id": queue.owner_id, "Name": queue.name, "DeveloperName": "Web_Leads"})
    campaign_ids: dict[str, str] = {}
    for campaign in synthetic.campaigns:
        created = datetime(campaign.month.year, campaign.month.month, 1, tzinfo=anchor.tzinfo)
        campaign_ids[campaign.code] = org.load(
            "Campaign",
            {
                "Name": campaign.code,
                "Type": campaign.campaign_type,
                "ActualCost": campaign.cost,
                "CreatedDate": created,
                "LastModifiedDate": created,
                "SystemModstamp": created,
            },
        )
    fallback_owner = synthetic.owners[0].owner_id
    for lead in synthetic:
        _seed_lead(org, lead, anchor, campaign_ids, fallback_owner)
    return {name: org.count(name, include_deleted=True) for name in OBJECTS}


def _audit(at: datetime) -> dict[str, datetime]:
    return {"CreatedDate": at, "LastModifiedDate": at, "SystemModstamp": at}


def _seed_lead(
    org: Org,
    lead: SyntheticLead,
    anchor: datetime,
    campaign_ids: dict[str, str],
    fallback_owner: str,
) -> None:
    created = _moment(lead.created_at) or lead.modified_at
    channel = lead.inflow_channel
    lead_id = org.load(
        "Lead",
        {
            "FirstName": lead.first_name,
            "LastName": lead.last_name,
            "Company": lead.company,
            "Email": lead.email,
            "Phone": lead.phone,
            "Status": LEAD_STATUS_BY_CRM_STATUS.get(lead.crm_status, lead.crm_status),
            "LeadSource": LEAD_SOURCE_BY_CHANNEL.get(channel, channel) if channel else None,
            "OwnerId": lead.owner_id,
            "HasOptedOutOfEmail": lead.marketing_consent == "N",
            "EmailBouncedDate": lead.email_bounced_at,
            "EmailBouncedReason": lead.email_bounce_reason,
            "IsConverted": lead.is_converted,
            "ConvertedDate": lead.converted_at.date() if lead.converted_at else None,
            "Description": lead.request_memo,
            "Customer_Id__c": lead.customer_id or None,
            "Channel_Sub_Source__c": lead.channel_sub_source,
            "Inflow_Medium__c": lead.inflow_medium,
            "Campaign_Code__c": lead.campaign_code,
            "UTM_Source__c": lead.utm_source,
            "UTM_Medium__c": lead.utm_medium,
            "UTM_Campaign__c": lead.utm_campaign,
            "Privacy_Consent__c": lead.privacy_consent,
            "Marketing_Consent__c": lead.marketing_consent,
            "Interest_Model__c": lead.interest_model,
            "Interest_Class__c": lead.interest_class,
            "Visited_Page__c": lead.visited_page,
            "Device_Type__c": lead.device_type,
            "Region_Code__c": lead.region_code,
            "Brand_Owner__c": bool(lead.owns_brand_product),
            "HVA_Requests__c": lead.hva_requests,
            "Intake_Form__c": lead.intake_form,
            "LeadSync_Pause__c": lead.is_paused,
            "CreatedDate": created,
            "LastModifiedDate": lead.modified_at,
            "SystemModstamp": lead.modified_at,
        },
    )
    # Activities belong to a person; a queue cannot own a Task or Event.
    user_owner = fallback_owner if lead.owner_is_queue else lead.owner_id
    for response in lead.responses:
        _seed_response(org, lead, lead_id, response)
    members: set[str] = set()
    for event in lead.events:
        _seed_event(org, lead, lead_id, event, anchor, campaign_ids, members, user_owner)


def _seed_response(
    org: Org, lead: SyntheticLead, lead_id: str, response: SyntheticResponse
) -> None:
    at = _moment(response.responded_at) or lead.modified_at
    org.load(
        "Task",
        {
            "WhoId": lead_id,
            # A response without an owner stays without one: the D-6 issue to find.
            "OwnerId": response.owner_id or None,
            "Subject": f"Call: {response.response_type or 'Response'}",
            "Type": "Call",
            "TaskSubtype": "Call",
            "Status": "Completed",
            "Priority": "Normal",
            "ActivityDate": at.date(),
            "Description": response.request_detail,
            "Response_Type__c": response.response_type,
            "Response_Channel__c": response.response_channel,
            "Processing_Status__c": response.status,
            "Department__c": response.department,
            "Reaction__c": response.reaction,
            "NPS__c": float(response.nps) if response.nps is not None else None,
            **_audit(at),
        },
    )


def _seed_event(
    org: Org,
    lead: SyntheticLead,
    lead_id: str,
    event: SyntheticEvent,
    anchor: datetime,
    campaign_ids: dict[str, str],
    members: set[str],
    owner: str,
) -> None:
    occurred = _moment(event.occurred_at)
    # A malformed future date must not move SystemModstamp past "now" (it would stall pulls).
    stamp = min(occurred, anchor) if occurred else lead.modified_at
    event_type = EVENT_TYPES.get(event.kind)
    if event_type and event.channel in _EVENT_CHANNELS and occurred:
        org.load(
            "Event",
            {
                "WhoId": lead_id,
                "OwnerId": owner,
                "Subject": event_type,
                "Type": event_type,
                "StartDateTime": occurred,
                "EndDateTime": occurred + timedelta(hours=1),
                **_audit(stamp),
            },
        )
        return
    campaign_id = campaign_ids.get(event.campaign or "")
    if event.kind == "message_sent" and campaign_id and campaign_id not in members:
        members.add(campaign_id)
        org.load(
            "CampaignMember",
            {
                "LeadId": lead_id,
                "CampaignId": campaign_id,
                "Status": "Sent",
                "HasResponded": False,
                **_audit(stamp),
            },
        )
        return
    org.load(
        "Web_Activity__c",
        {
            "Name": event.key,
            "Lead__c": lead_id,
            "Kind__c": event.kind,
            "Occurred_At__c": occurred,
            "Page__c": event.page,
            "Channel__c": event.channel,
            "Medium__c": event.medium,
            "Campaign__c": event.campaign,
            "Detail__c": event.detail,
            **_audit(stamp),
        },
    )


__all__ = ["EVENT_TYPES", "LEAD_SOURCE_BY_CHANNEL", "LEAD_STATUS_BY_CRM_STATUS", "seed_org"]
