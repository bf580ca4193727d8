"""The route table: (method, path pattern) -> handler, with a stats label.

Adding an endpoint means adding a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from connector.sandbox.hubspot import associations_api, batch_api, objects_api, properties_api
from connector.sandbox.hubspot.objecttypes import resolve_type
from connector.sandbox.hubspot.store import HubSpotStore
from connector.sandbox.hubspot.wire import Request, Response

Handler = Callable[[HubSpotStore, Request], Response]


@dataclass(frozen=True)
class Route:
    """One endpoint.

    Attributes:
        method: HTTP method.
        pattern: compiled path regex with named groups.
        handler: the function answering it.
        template: path with placeholders, for stats labels.
        is_search: counted against the search limit instead of the burst window.
    """

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    template: str
    is_search: bool = False


def _owners(store: HubSpotStore, req: Request) -> Response:
    del req
    results = [
        {
            "id": owner_id,
            "email": email,
            "firstName": first,
            "lastName": last,
            "userId": int(owner_id),
            "archived": False,
        }
        for owner_id, (first, last, email) in store.owner_details.items()
    ]
    return Response(200, {"results": results})


_SEG = r"[^/]+"
_ROWS: list[tuple[str, str, Handler, bool]] = [
    ("POST", "/crm/v3/objects/{type}/search", objects_api.search_objects, True),
    ("POST", "/crm/v3/objects/{type}/merge", objects_api.merge_contacts, False),
    ("POST", "/crm/v3/objects/{type}/batch/read", batch_api.batch_read, False),
    ("POST", "/crm/v3/objects/{type}/batch/create", batch_api.batch_create, False),
    ("POST", "/crm/v3/objects/{type}/batch/update", batch_api.batch_update, False),
    ("POST", "/crm/v3/objects/{type}/batch/upsert", batch_api.batch_upsert, False),
    ("POST", "/crm/v3/objects/{type}/batch/archive", batch_api.batch_archive, False),
    ("GET", "/crm/v3/objects/{type}", objects_api.list_objects, False),
    ("POST", "/crm/v3/objects/{type}", objects_api.create_object, False),
    ("GET", "/crm/v3/objects/{type}/{id}", objects_api.get_object, False),
    ("PATCH", "/crm/v3/objects/{type}/{id}", objects_api.update_object, False),
    ("DELETE", "/crm/v3/objects/{type}/{id}", objects_api.archive_object, False),
    ("GET", "/crm/v3/properties/{type}/groups", properties_api.list_groups, False),
    ("POST", "/crm/v3/properties/{type}/groups", properties_api.create_group, False),
    ("GET", "/crm/v3/properties/{type}", properties_api.list_properties, False),
    ("POST", "/crm/v3/properties/{type}", properties_api.create_property, False),
    ("GET", "/crm/v3/properties/{type}/{name}", properties_api.get_property, False),
    ("PATCH", "/crm/v3/properties/{type}/{name}", properties_api.update_property, False),
    (
        "PUT",
        "/crm/v4/objects/{from}/{id}/associations/default/{to}/{to_id}",
        associations_api.create_default,
        False,
    ),
    (
        "GET",
        "/crm/v4/objects/{from}/{id}/associations/{to}",
        associations_api.read_associations,
        False,
    ),
    ("POST", "/crm/v4/associations/{from}/{to}/batch/read", associations_api.batch_read, False),
    ("GET", "/crm/v3/owners", _owners, False),
]


def _compile(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>{_SEG})", template)
    return re.compile(f"^{regex}/?$")


ROUTES: tuple[Route, ...] = tuple(
    Route(method, _compile(template), handler, template, is_search)
    for method, template, handler, is_search in _ROWS
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """Return the route answering ``method path`` and its captured parameters."""
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict()
    return None


def label(route: Route, params: dict[str, str]) -> str:
    """Return the stats label: object types by name, ids left as placeholders."""
    path = route.template
    for key in ("type", "from", "to"):
        if key in params:
            otype = resolve_type(params[key])
            path = path.replace("{" + key + "}", otype.name if otype else params[key])
    return f"{route.method} {path}"
