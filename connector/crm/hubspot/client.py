"""The hubspot-api-client objects leadsync calls, built once (decision 17).

``HubSpot(access_token=..., host=..., retry=Retry(total=0, raise_on_status=False))``:
urllib3 never retries on its own, so tenacity (``crm/retrying.py``) owns every
retry and honours ``Retry-After``. The SDK builds a new API client, with a new
connection pool, each time a ``client.crm...`` attribute is read; the API objects
are therefore made once here and reused, which keeps connections alive.

The access token is unwrapped here and nowhere else (style 12).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import urllib3
from hubspot import HubSpot
from pydantic import SecretStr


@dataclass(frozen=True)
class Answer:
    """One HubSpot answer: status, headers (case-insensitive) and the parsed JSON body."""

    status: int
    headers: Mapping[str, str]
    body: dict[str, Any]


@dataclass(frozen=True)
class HubSpotApis:
    """The SDK API objects the adapter uses, each with its own kept-alive pool."""

    objects_basic: Any
    objects_batch: Any
    objects_search: Any
    associations_batch: Any
    properties_core: Any
    properties_groups: Any


def build_apis(*, base_url: str, access_token: SecretStr) -> HubSpotApis:
    """Build the client per decision 17 and take its API objects once.

    Args:
        base_url: ``https://api.hubapi.com`` or the sandbox's ``http://127.0.0.1:PORT``.
        access_token: the private app token.
    """
    client = HubSpot(
        access_token=access_token.get_secret_value(),
        host=base_url.rstrip("/"),
        retry=urllib3.util.Retry(total=0, raise_on_status=False),
    )
    crm = client.crm
    return HubSpotApis(
        objects_basic=crm.objects.basic_api,
        objects_batch=crm.objects.batch_api,
        objects_search=crm.objects.search_api,
        associations_batch=crm.associations.v4.batch_api,
        properties_core=crm.properties.core_api,
        properties_groups=crm.properties.groups_api,
    )


def send(method: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Answer:
    """Call an SDK ``*_with_http_info`` method and return status, headers and raw JSON.

    The body is read as plain JSON (``_preload_content=False``) rather than through
    the SDK's models: the headers carry the rate limits (crm-apis.md 2.5), and plain
    dicts keep every property exactly as HubSpot spelled it. Error statuses still
    raise the SDK's ``ApiException``.
    """
    response = method(*args, _request_timeout=timeout, _preload_content=False, **kwargs)
    try:
        raw = response.data
        headers = response.headers
        status = int(response.status)
    finally:
        response.release_conn()
    body: Any = json.loads(raw) if raw else {}
    return Answer(status=status, headers=headers, body=body if isinstance(body, dict) else {})


__all__ = ["Answer", "HubSpotApis", "build_apis", "send"]
