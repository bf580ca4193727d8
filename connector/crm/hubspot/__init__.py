"""HubSpot: the adapter, its options and the property specs ``doctor --fix`` creates."""

from connector.crm.hubspot.adapter import CONTACT_IDS_FIELD, HubSpotAdapter, HubSpotOptions
from connector.crm.hubspot.properties import PropertyOption, PropertySpec

__all__ = [
    "CONTACT_IDS_FIELD",
    "HubSpotAdapter",
    "HubSpotOptions",
    "PropertyOption",
    "PropertySpec",
]
