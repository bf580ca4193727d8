"""The HubSpot adapter: hubspot-api-client behind the CrmAdapter protocol.

Reads through CRM search sorted ascending on the modified stamp, 200 rows a
page, re-windowing past the 10,000-result cap (``paging.py``); engagements get
their contacts from batched v4 association reads, one call per 1,000 engagements; archived
records come from the list API. Writes go 100 inputs a call. Tasks are made
idempotent by the ``leadsync_key`` property: a replayed create intent is looked
up first, with a bounded wait for search indexing lag (decision 18). Every
call passes a timeout, waits for the client-side limiter, is retried by
tenacity on transient errors only, and stops cleanly once the configured share
of the daily limit is used (lessons.md: API budgets).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from connector.checkpoints import checkpoint
from connector.config.connections import connection_id
from connector.crm.base import (
    AdapterLimits,
    ApiBudget,
    Cursor,
    Excluded,
    FieldInfo,
    PullRequest,
    RawPage,
    RawRecord,
    RecordCreate,
    RecordUpdate,
    TaskSpec,
    WriteResult,
)
from connector.crm.hubspot._values import as_list, epoch_ms, parse_stamp, to_properties
from connector.crm.hubspot.client import Answer, HubSpotApis, build_apis, send
from connector.crm.hubspot.errors import is_api_exception, is_translatable, translate
from connector.crm.hubspot.paging import (
    Filter,
    SearchStats,
    list_pages,
    search_pages,
)
from connector.crm.hubspot.properties import PropertySpec, field_info
from connector.crm.hubspot.throttle import RollingWindowLimiter
from connector.crm.hubspot.writes import create_results, update_results, whole_call_failed
from connector.crm.retrying import RetryPolicy, call_with_retries
from connector.errors import ConfigError, RecordError

logger = logging.getLogger(__name__)

#: Batch endpoints take at most 100 inputs; search pages hold 200; list pages 100.
BATCH_LIMIT = 100
SEARCH_PAGE_LIMIT = 200
LIST_PAGE_LIMIT = 100
#: v4 association batch reads take up to 1,000 ids.
ASSOCIATION_BATCH_LIMIT = 1000
#: HubSpot allows 6 filters in one filter group; the cursor walk uses 2.
_MAX_SCOPE_FILTERS = 4
CONTACTS = "contacts"
#: HUBSPOT_DEFINED engagement -> contact association type ids (crm-apis.md 2.2).
DEFAULT_ASSOCIATION_TYPES: Mapping[str, int] = {
    "tasks": 204,
    "notes": 202,
    "meetings": 200,
    "emails": 198,
    "calls": 194,
}
#: Where each object keeps its modified stamp (crm-apis.md 2.6).
MODIFIED_PROPERTY: Mapping[str, str] = {CONTACTS: "lastmodifieddate"}
ENGAGEMENT_MODIFIED = "hs_lastmodifieddate"
CONTACT_IDS_FIELD = "_contact_ids"
_RATE_DAILY = "X-HubSpot-RateLimit-Daily"
_RATE_DAILY_REMAINING = "X-HubSpot-RateLimit-Daily-Remaining"


@dataclass(frozen=True)
class HubSpotOptions:
    """Everything the adapter needs to reach one HubSpot account; built by the caller.

    Attributes:
        access_token: the private app token (``pat-...``).
        base_url: the API host (the sandbox's URL in tests and demos).
        portal_id: the account (hub) id, when known (decision 14).
        timeout_seconds: connect+read timeout of every call.
        burst_limit: calls per burst window the app may make (Free 100, Pro 190).
        burst_window_seconds: HubSpot's rolling window (10 s; scaled down in tests).
        search_per_second: search calls per second (HubSpot: 5 per account).
        search_window_seconds: the search window (1 s; scaled down in tests).
        rate_headroom: share of each window added as a margin for network jitter.
        budget_share: stop once this share of the daily limit is used.
        search_page_size: rows per search page (HubSpot allows 200).
        batch_size: inputs per batch call (HubSpot allows 100).
        task_key_property: the task property holding leadsync's idempotency key.
        index_lag_wait_seconds: how long a replayed create waits for search to catch up
            before looking its key up a second time (decision 18).
        association_types: engagement type -> association type id to its contact.
    """

    access_token: SecretStr
    base_url: str = "https://api.hubapi.com"
    portal_id: str | None = None
    timeout_seconds: float = 30.0
    burst_limit: int = 100
    burst_window_seconds: float = 10.0
    search_per_second: int = 5
    search_window_seconds: float = 1.0
    rate_headroom: float = 0.05
    budget_share: float = 0.8
    search_page_size: int = SEARCH_PAGE_LIMIT
    batch_size: int = BATCH_LIMIT
    task_key_property: str = "leadsync_key"
    index_lag_wait_seconds: float = 5.0
    association_types: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_ASSOCIATION_TYPES)
    )


class HubSpotAdapter:
    """One HubSpot account, reached through hubspot-api-client; see the module docstring.

    Args:
        options: where and how to reach the account.
        retry_policy: attempts and waits for transient errors.
        sleep: every wait (retries, limiter, indexing lag) goes through it.
        clock: monotonic seconds for the rate limiter.
        apis: prebuilt SDK API objects (built from ``options`` when None).
    """

    crm = "hubspot"

    def __init__(
        self,
        options: HubSpotOptions,
        *,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        apis: HubSpotApis | None = None,
    ) -> None:
        self._options = options
        self._retry = retry_policy or RetryPolicy()
        self._sleep = sleep
        self._apis = apis
        self._calls = 0
        self._usage: ApiBudget | None = None
        self._burst = RollingWindowLimiter(
            options.burst_limit,
            options.burst_window_seconds,
            headroom=options.rate_headroom,
            clock=clock,
            sleep=sleep,
        )
        self._search = RollingWindowLimiter(
            options.search_per_second,
            options.search_window_seconds,
            headroom=options.rate_headroom,
            clock=clock,
            sleep=sleep,
        )
        self.search_stats = SearchStats()
        self.limits = AdapterLimits(
            page_size=min(options.search_page_size, SEARCH_PAGE_LIMIT),
            update_batch=min(options.batch_size, BATCH_LIMIT),
            create_batch=min(options.batch_size, BATCH_LIMIT),
        )

    # -- identity and connection ---------------------------------------------------------

    @property
    def host(self) -> str:
        """The API host (with port for the sandbox)."""
        return urlsplit(self._options.base_url).netloc

    @property
    def connection_id(self) -> str:
        """Decision 14: ``hubspot:<host>`` plus ``:<portal id>`` when known."""
        return connection_id(self.crm, self._options.base_url, self._options.portal_id)

    @property
    def apis(self) -> HubSpotApis:
        """The SDK API objects; built on first use."""
        if self._apis is None:
            self._apis = build_apis(
                base_url=self._options.base_url, access_token=self._options.access_token
            )
        return self._apis

    def connect(self) -> None:
        """Check the token with one cheap read (it also reports the daily budget).

        Raises:
            ConnectionFailedError: the token was refused or the host cannot be reached.
        """
        self._read_rate_headers()

    def _read_rate_headers(self) -> Answer:
        return self._call(
            "read one contact",
            lambda api: send(
                api.objects_basic.get_page_with_http_info,
                CONTACTS,
                limit=1,
                properties=["hs_object_id"],
                archived=False,
                timeout=self._options.timeout_seconds,
            ),
        )

    # -- one guarded call ----------------------------------------------------------------

    def _call(
        self, action: str, func: Callable[[HubSpotApis], Answer], *, search: bool = False
    ) -> Answer:
        """One API call: budget check, limiter, error translation and retries."""
        limiter = self._search if search else self._burst

        def attempt() -> Answer:
            self._check_budget(action)
            limiter.acquire()
            self._calls += 1
            try:
                answer = func(self.apis)
            except Exception as error:
                if not is_translatable(error):
                    raise
                if is_api_exception(error):
                    self._remember_usage(getattr(error, "headers", None))
                raise translate(error, action=action) from error
            self._remember_usage(answer.headers)
            return answer

        return call_with_retries(attempt, policy=self._retry, sleep=self._sleep)

    def _remember_usage(self, headers: Mapping[str, str] | None) -> None:
        # Search answers carry no rate headers (crm-apis.md 2.3): keep the last seen.
        if not headers:
            return
        lowered = {k.lower(): v for k, v in headers.items()}
        total = lowered.get(_RATE_DAILY.lower())
        remaining = lowered.get(_RATE_DAILY_REMAINING.lower())
        if total is None or remaining is None:
            return
        try:
            total_n, remaining_n = int(total), int(remaining)
        except ValueError:
            return
        self._usage = ApiBudget(used=max(total_n - remaining_n, 0), total=total_n)

    def _check_budget(self, action: str) -> None:
        if self._usage is not None:
            self._usage.refuse_beyond(
                self._options.budget_share, action=f"HubSpot {action} ({self.host})"
            )

    # -- reading -------------------------------------------------------------------------

    def pull(self, request: PullRequest, since: Cursor | None) -> Iterator[RawPage]:
        """Yield pages of records modified at or after ``since`` (closed range, deduped by id).

        Live records come first, ascending by (stamp, id); when ``include_deleted`` is
        set, records archived at or after ``since`` follow as ``is_deleted`` records.
        Those never move the cursor: archiving does not bump the modified stamp, and a
        cursor taken from ``archivedAt`` could step over live changes still on their
        way into the search index. Re-reading a delete next time is harmless.
        """
        since = since or Cursor()
        object_type = request.object_type
        cursor_field = request.cursor_field or MODIFIED_PROPERTY.get(
            object_type, ENGAGEMENT_MODIFIED
        )
        properties = _properties(request.fields, cursor_field, object_type)
        scope = _scope_filters(request.scope)
        page_size = self.limits.page_size

        def fetch(filters: Sequence[Filter], sort: str, after: int) -> Mapping[str, Any]:
            body = _search_body([*filters, *scope], sort, properties, page_size, after)
            return self._search_call(object_type, body).body

        since_ms = epoch_ms(since.value) if since.value is not None else None
        cursor = since
        associated = object_type in self._options.association_types
        # Engagement pages wait until they fill one v4 batch read (1,000 ids, five search
        # pages): one association call per page would double the calls of a big pull.
        held: list[list[Mapping[str, Any]]] = []
        for rows in search_pages(
            fetch,
            cursor_field=cursor_field,
            since_ms=since_ms,
            given_at_since=since.ids_at_boundary,
            page_size=page_size,
            stats=self.search_stats,
        ):
            if not associated:
                records = [_raw(object_type, row, cursor_field, None) for row in rows]
                cursor = _advance(cursor, records)
                yield RawPage(records=records, cursor=cursor)
                continue
            held.append(rows)
            if sum(len(h) for h in held) + page_size > ASSOCIATION_BATCH_LIMIT:
                pages, cursor = self._with_contacts(object_type, held, cursor_field, cursor)
                held = []
                yield from pages
        if held:
            pages, cursor = self._with_contacts(object_type, held, cursor_field, cursor)
            yield from pages
        if request.include_deleted:
            yield from self._archived(object_type, properties, since, cursor)

    def _search_call(self, object_type: str, body: dict[str, Any]) -> Answer:
        return self._call(
            f"search {object_type}",
            lambda api: send(
                api.objects_search.do_search_with_http_info,
                object_type,
                body,
                timeout=self._options.timeout_seconds,
            ),
            search=True,
        )

    def _archived(
        self, object_type: str, properties: list[str], since: Cursor, cursor: Cursor
    ) -> Iterator[RawPage]:
        def fetch(after: str | None) -> Mapping[str, Any]:
            kwargs: dict[str, Any] = {"after": after} if after else {}
            return self._call(
                f"list archived {object_type}",
                lambda api: send(
                    api.objects_basic.get_page_with_http_info,
                    object_type,
                    limit=LIST_PAGE_LIMIT,
                    properties=properties,
                    archived=True,
                    timeout=self._options.timeout_seconds,
                    **kwargs,
                ),
            ).body

        for rows in list_pages(fetch):
            records: list[RawRecord] = []
            for row in rows:
                archived_at = parse_stamp(row.get("archivedAt")) or parse_stamp(
                    row.get("updatedAt")
                )
                if archived_at is None:
                    continue
                record_id = str(row.get("id"))
                if since.value is not None and (
                    archived_at < since.value
                    or (archived_at == since.value and record_id in since.ids_at_boundary)
                ):
                    continue
                records.append(
                    RawRecord(
                        object_type=object_type,
                        record_id=record_id,
                        modstamp=archived_at,
                        fields=dict(row.get("properties") or {}),
                        is_deleted=True,
                    )
                )
            if records:
                yield RawPage(records=records, cursor=cursor)

    def _with_contacts(
        self,
        object_type: str,
        held: Sequence[Sequence[Mapping[str, Any]]],
        cursor_field: str,
        cursor: Cursor,
    ) -> tuple[list[RawPage], Cursor]:
        """The held search pages with their contact ids, read in as few v4 calls as fit."""
        contacts = self._contacts_of(object_type, [str(r.get("id")) for rows in held for r in rows])
        pages: list[RawPage] = []
        for rows in held:
            records = [_raw(object_type, row, cursor_field, contacts) for row in rows]
            cursor = _advance(cursor, records)
            pages.append(RawPage(records=records, cursor=cursor))
        return pages, cursor

    def _contacts_of(self, object_type: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """Contact ids of each engagement, read in v4 batches (never one call per record)."""
        found: dict[str, list[str]] = {}
        for start in range(0, len(ids), ASSOCIATION_BATCH_LIMIT):
            chunk = ids[start : start + ASSOCIATION_BATCH_LIMIT]
            body = {"inputs": [{"id": i} for i in chunk]}
            answer = self._call(
                f"read {object_type} contact associations",
                lambda api, body=body: send(
                    api.associations_batch.get_page_with_http_info,
                    object_type,
                    CONTACTS,
                    body,
                    timeout=self._options.timeout_seconds,
                ),
            )
            # A 207 lists engagements without contacts as errors: they simply have none.
            # An engagement with more than 500 contacts would page; leads have a handful.
            for result in answer.body.get("results") or []:
                from_id = str((result.get("from") or {}).get("id"))
                found[from_id] = [
                    str(t.get("toObjectId")) for t in result.get("to") or [] if t.get("toObjectId")
                ]
        return found

    def describe(self, object_type: str) -> dict[str, FieldInfo]:
        """Field facts from ``GET /crm/v3/properties/{type}``."""
        answer = self._call(
            f"read {object_type} properties",
            lambda api: send(
                api.properties_core.get_all_with_http_info,
                object_type,
                archived=False,
                timeout=self._options.timeout_seconds,
            ),
        )
        fields: dict[str, FieldInfo] = {}
        for item in answer.body.get("results") or []:
            if isinstance(item, Mapping) and item.get("name"):
                info = field_info(item)
                fields[info.name] = info
        return fields

    def ensure_properties(
        self,
        object_type: str,
        *,
        group: str,
        group_label: str,
        specs: Sequence[PropertySpec],
    ) -> list[str]:
        """Create the missing properties (and their group) for ``leadsync doctor --fix``.

        A no-op the second time: one read, no writes. A 409 (someone created it
        meanwhile) counts as done.

        Returns:
            The names of the properties this call created.
        """
        existing = self.describe(object_type)
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        self._create_if_absent(
            f"create {object_type} property group {group}",
            lambda api: send(
                api.properties_groups.create_with_http_info,
                object_type,
                {"name": group, "label": group_label},
                timeout=self._options.timeout_seconds,
            ),
        )
        created: list[str] = []
        for spec in missing:
            body = spec.to_json(group)
            made = self._create_if_absent(
                f"create {object_type} property {spec.name}",
                lambda api, body=body: send(
                    api.properties_core.create_with_http_info,
                    object_type,
                    body,
                    timeout=self._options.timeout_seconds,
                ),
            )
            if made:
                created.append(spec.name)
        return created

    def _create_if_absent(self, action: str, func: Callable[[HubSpotApis], Answer]) -> bool:
        try:
            self._call(action, func)
        except RecordError as error:
            if getattr(error.__cause__, "status", None) == 409:
                return False
            raise ConfigError(str(error), hint="check the property definitions") from error
        return True

    def budget(self) -> ApiBudget:
        """The account's daily usage, from the rate headers of the latest answer."""
        if self._usage is None:
            self._read_rate_headers()
        return self._usage or ApiBudget(used=0, total=0)

    #: HubSpot contacts stay writable after they become customers.
    writes_converted_leads = True

    @staticmethod
    def task_fields(task: TaskSpec, *, timezone: tzinfo) -> dict[str, Any]:
        """A follow-up task as task properties (``hs_timestamp`` is the due time)."""
        del timezone  # HubSpot shows hs_timestamp in each user's own time zone.
        fields: dict[str, Any] = {
            "hs_task_subject": task.subject[:255],
            "hs_task_body": task.description,
            "hs_task_priority": task.priority,
            "hs_task_status": "NOT_STARTED",
            "hs_task_type": "TODO",
            "hs_timestamp": str(int(task.due_at.timestamp() * 1000)),
        }
        if task.owner_id:
            fields["hubspot_owner_id"] = task.owner_id
        return fields

    def api_calls(self) -> int:
        """Calls made through this adapter, retries included."""
        return self._calls

    # -- writing -------------------------------------------------------------------------

    def update(self, updates: Sequence[RecordUpdate]) -> list[WriteResult]:
        """Write fields through ``batch/update``, 100 inputs a call; one result per input."""
        results: list[WriteResult | None] = [None] * len(updates)
        for object_type, positions in _by_type(updates).items():
            for chunk in _chunks_unique(positions, updates, self.limits.update_batch):
                inputs = [(updates[i].key, updates[i].record_id) for i in chunk]
                body = {
                    "inputs": [
                        {"id": updates[i].record_id, "properties": to_properties(updates[i].fields)}
                        for i in chunk
                    ]
                }
                try:
                    answer = self._call(
                        f"update {object_type}",
                        lambda api, body=body, object_type=object_type: send(
                            api.objects_batch.update_with_http_info,
                            object_type,
                            body,
                            timeout=self._options.timeout_seconds,
                        ),
                    )
                except RecordError as error:
                    # The whole call was refused (e.g. 400): every input carries HubSpot's text.
                    chunk_results = whole_call_failed(
                        [k for k, _ in inputs], code=error.code, message=str(error)
                    )
                else:
                    chunk_results = update_results(inputs, answer.body)
                for pos, result in zip(chunk, chunk_results, strict=True):
                    results[pos] = result
        return [r for r in results if r is not None]

    def create(self, creates: Sequence[RecordCreate]) -> list[WriteResult]:
        """Create records idempotently on the ``leadsync_key`` property (decision 18).

        A create with ``known_crm_id`` exists already. A create marked ``is_retry``
        replays an intent recorded before a crash: its key is searched for, and if not
        found searched again after a bounded wait for indexing lag; found keys are not
        created again. The rest go out through ``batch/create`` with the contact
        association inline and ``objectWriteTraceId`` = key, so failures come back per
        input.
        """
        key_property = self._options.task_key_property
        by_key: dict[str, WriteResult] = {}
        for object_type, positions in _by_type(creates).items():
            items: dict[str, RecordCreate] = {}
            for i in positions:
                items.setdefault(creates[i].key, creates[i])
            for key, item in items.items():
                if item.known_crm_id:
                    by_key[key] = WriteResult(
                        key=key, success=True, crm_id=item.known_crm_id, created=False
                    )
            look_up = [k for k, c in items.items() if c.is_retry and k not in by_key]
            for key, crm_id in self._find_existing(object_type, look_up).items():
                by_key[key] = WriteResult(key=key, success=True, crm_id=crm_id, created=False)
            if look_up:
                # The replayed intents are looked up; what was not found is not created yet.
                checkpoint("hubspot.create.looked_up")
            fresh = [c for k, c in items.items() if k not in by_key]
            for start in range(0, len(fresh), self.limits.create_batch):
                chunk = fresh[start : start + self.limits.create_batch]
                for result in self._create_chunk(object_type, chunk, key_property):
                    by_key[result.key] = result
                checkpoint("hubspot.create.chunk_sent")
        return [by_key[c.key] for c in creates]

    def _find_existing(self, object_type: str, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        found = self._find_by_key(object_type, keys)
        missing = [k for k in keys if k not in found]
        wait = self._options.index_lag_wait_seconds
        if missing and wait > 0:
            # A record written just before the crash may not be searchable yet.
            logger.info(
                "waiting %.1fs for HubSpot's search index before re-creating %d %s",
                wait,
                len(missing),
                object_type,
            )
            self._sleep(wait)
            found.update(self._find_by_key(object_type, missing))
        return found

    def _find_by_key(self, object_type: str, keys: Sequence[str]) -> dict[str, str]:
        """Key -> record id for records whose key property is one of ``keys`` (lowest id wins)."""
        key_property = self._options.task_key_property
        found: dict[str, str] = {}
        for start in range(0, len(keys), BATCH_LIMIT):
            chunk = list(keys[start : start + BATCH_LIMIT])
            wanted = {k.lower(): k for k in chunk}
            filters = [{"propertyName": key_property, "operator": "IN", "values": chunk}]

            def fetch(after: str | None, filters: list[Filter] = filters) -> Mapping[str, Any]:
                body = _search_body(
                    filters, "hs_object_id", [key_property], SEARCH_PAGE_LIMIT, int(after or 0)
                )
                return self._search_call(object_type, body).body

            for rows in list_pages(fetch):
                for row in rows:
                    value = str((row.get("properties") or {}).get(key_property) or "")
                    key = wanted.get(value.lower())
                    if key is not None and key not in found:
                        found[key] = str(row.get("id"))
        return found

    def _create_chunk(
        self, object_type: str, chunk: Sequence[RecordCreate], key_property: str
    ) -> list[WriteResult]:
        type_id = self._options.association_types.get(object_type)
        inputs: list[dict[str, Any]] = []
        for item in chunk:
            entry: dict[str, Any] = {
                "properties": {**to_properties(item.fields), key_property: item.key},
                "objectWriteTraceId": item.key,
            }
            if item.parent_id and type_id is not None:
                entry["associations"] = [
                    {
                        "to": {"id": item.parent_id},
                        "types": [
                            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}
                        ],
                    }
                ]
            inputs.append(entry)
        keys = [c.key for c in chunk]
        try:
            answer = self._call(
                f"create {object_type}",
                lambda api: send(
                    api.objects_batch.create_with_http_info,
                    object_type,
                    {"inputs": inputs},
                    timeout=self._options.timeout_seconds,
                ),
            )
        except RecordError as error:
            return whole_call_failed(keys, code=error.code, message=str(error))
        return create_results(keys, answer.body, key_property=key_property)


# -- module helpers --------------------------------------------------------------------


def _properties(fields: Sequence[str], cursor_field: str, object_type: str) -> list[str]:
    extra = [cursor_field, "hs_object_id"]
    if object_type == CONTACTS:
        # Merges keep the survivor and list the merged ids here (crm-apis.md 2.6).
        extra.append("hs_merged_object_ids")
    return list(dict.fromkeys([*fields, *extra]))


def _scope_filters(scope: Mapping[str, Any]) -> list[Filter]:
    """PullRequest.scope as search filters: a list means IN, a value EQ, None no value;
    :class:`Excluded` negates each (NOT_IN, NEQ, HAS_PROPERTY)."""
    filters: list[Filter] = []
    for name, given in scope.items():
        negated = isinstance(given, Excluded)
        value = given.value if negated else given
        if value is None:
            operator = "HAS_PROPERTY" if negated else "NOT_HAS_PROPERTY"
            filters.append({"propertyName": name, "operator": operator})
        elif isinstance(value, list | tuple | set | frozenset):
            operator = "NOT_IN" if negated else "IN"
            filters.append({"propertyName": name, "operator": operator, "values": as_list(value)})
        else:
            operator = "NEQ" if negated else "EQ"
            filters.append({"propertyName": name, "operator": operator, "value": as_list(value)[0]})
    if len(filters) > _MAX_SCOPE_FILTERS:
        msg = (
            f"HubSpot search allows {_MAX_SCOPE_FILTERS} scope filters beside the cursor, "
            f"the mapping sets {len(filters)}: {', '.join(scope)}"
        )
        raise ConfigError(msg, hint="narrow the scope in mappings/hubspot.yaml")
    return filters


def _search_body(
    filters: Sequence[Filter], sort: str, properties: list[str], limit: int, after: int
) -> dict[str, Any]:
    # The full query goes out on every page; only ``after`` changes (lessons.md).
    return {
        "filterGroups": [{"filters": list(filters)}] if filters else [],
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "properties": properties,
        "limit": limit,
        "after": str(after),
    }


def _raw(
    object_type: str,
    row: Mapping[str, Any],
    cursor_field: str,
    contacts: Mapping[str, list[str]] | None,
) -> RawRecord:
    props = dict(row.get("properties") or {})
    record_id = str(row.get("id"))
    stamp = (
        parse_stamp(props.get(cursor_field))
        or parse_stamp(row.get("updatedAt"))
        or datetime.fromtimestamp(0, tz=UTC)
    )
    if contacts is not None:
        props[CONTACT_IDS_FIELD] = list(contacts.get(record_id, []))
    merged = str(props.get("hs_merged_object_ids") or "") if object_type == CONTACTS else ""
    return RawRecord(
        object_type=object_type,
        record_id=record_id,
        modstamp=stamp,
        fields=props,
        is_deleted=bool(row.get("archived", False)),
        merged_ids=tuple(m for m in merged.split(";") if m and m != record_id),
    )


def _advance(cursor: Cursor, records: Sequence[RawRecord]) -> Cursor:
    if not records:
        return cursor
    top = max(r.modstamp for r in records)
    if cursor.value is not None and top < cursor.value:
        return cursor
    at_top = frozenset(r.record_id for r in records if r.modstamp == top)
    if cursor.value is not None and top == cursor.value:
        at_top = at_top | cursor.ids_at_boundary
    return Cursor(value=top, ids_at_boundary=at_top)


def _by_type(items: Sequence[RecordUpdate] | Sequence[RecordCreate]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for pos, item in enumerate(items):
        grouped.setdefault(item.object_type, []).append(pos)
    return grouped


def _chunks_unique(
    positions: Sequence[int], updates: Sequence[RecordUpdate], size: int
) -> Iterator[list[int]]:
    """Chunks of at most ``size`` with no record twice (HubSpot refuses duplicate ids)."""
    chunk: list[int] = []
    ids: set[str] = set()
    for pos in positions:
        record_id = updates[pos].record_id
        if len(chunk) >= size or record_id in ids:
            yield chunk
            chunk, ids = [], set()
        chunk.append(pos)
        ids.add(record_id)
    if chunk:
        yield chunk


__all__ = [
    "CONTACT_IDS_FIELD",
    "DEFAULT_ASSOCIATION_TYPES",
    "HubSpotAdapter",
    "HubSpotOptions",
]
