"""A local emulator of the HubSpot CRM v3 API (crm-apis.md sections 2 and 3)."""

from connector.sandbox.hubspot.apierror import HubSpotApiError
from connector.sandbox.hubspot.ratelimit import RateLimits
from connector.sandbox.hubspot.server import HubSpotSandbox, serve_forever
from connector.sandbox.hubspot.store import HubSpotStore, StoredObject

__all__ = [
    "HubSpotApiError",
    "HubSpotSandbox",
    "HubSpotStore",
    "RateLimits",
    "StoredObject",
    "serve_forever",
]
