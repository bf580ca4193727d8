"""The Salesforce adapter: simple-salesforce behind the CrmAdapter protocol.

Reads with ``queryAll`` ordered by (SystemModstamp, Id) in 2,000-row pages, writes
through sObject Collections (200 records a call) and upserts tasks on the
external id ``LeadSync_Key__c`` so a replay updates instead of duplicating
(decision 18). Stops cleanly when the configured share of the org's daily API
allocation is used (lessons: API budgets).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import SecretStr
from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import Operation, _Bulk2Client
from simple_salesforce.exceptions import SalesforceError

from connector.checkpoints import checkpoint
from connector.config.connections import connection_id
from connector.crm.base import (
    AdapterLimits,
    ApiBudget,
    Cursor,
    FieldInfo,
    PullRequest,
    RawPage,
    RawRecord,
    RecordCreate,
    RecordUpdate,
    TaskSpec,
    WriteResult,
)
from connector.crm.retrying import RetryPolicy, call_with_retries
from connector.crm.salesforce._soql import incremental_query
from connector.crm.salesforce.bulk import (
    FINISHED_STATES,
    results_from_csv,
    updates_to_csv,
    wait_for_job,
)
from connector.crm.salesforce.errors import RETRYABLE_RECORD_CODES, translate
from connector.crm.salesforce.paging import iterate_query_pages
from connector.crm.salesforce.session import build_session, fetch_client_credentials_token
from connector.errors import (
    ConfigError,
    ConnectionFailedError,
    RecordError,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: sObject Collections take at most 200 records a call (crm-apis.md 1.4).
COLLECTION_LIMIT = 200


@dataclass(frozen=True)
class SalesforceOptions:
    """Everything the adapter needs to reach one org; built from settings by the caller."""

    instance_url: str
    api_version: str = "62.0"
    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    security_token: SecretStr | None = None
    domain: str | None = None
    session_id: SecretStr | None = None
    consumer_key: str | None = None
    private_key_file: Path | None = None
    ca_bundle: Path | None = None
    timeout_seconds: float = 60.0
    budget_share: float = 0.8
    page_size: int = 2000
    update_batch: int = COLLECTION_LIMIT
    task_key_field: str = "LeadSync_Key__c"
    bulk_poll_seconds: float = 2.0
    bulk_max_polls: int = 300


def org_id_of_session(session_id: str) -> str | None:
    """The 18-character org id a session id starts with (``00D...!...``), or None.

    Salesforce session ids begin with the org's 15-character id; the checksum suffix makes it
    the 18-character form the identity URL of a client-credentials login gives, so every login
    method names the same connection (decision 14).
    """
    prefix, bang, _ = session_id.partition("!")
    if not bang or len(prefix) != 15 or not prefix.startswith("00D") or not prefix.isalnum():
        return None
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for start in range(0, 15, 5):
        chunk = prefix[start : start + 5]
        suffix += alphabet[sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")]
    return prefix + suffix


def parse_datetime(value: str) -> datetime:
    """Salesforce datetimes look like ``2024-05-01T12:34:56.000+0000``."""
    return datetime.fromisoformat(value)


class SalesforceAdapter:
    """One org, reached through simple-salesforce; see the module docstring."""

    crm = "salesforce"

    def __init__(
        self,
        options: SalesforceOptions,
        *,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None],
    ) -> None:
        self._options = options
        self._retry = retry_policy or RetryPolicy()
        self._sleep = sleep
        self._sf: Salesforce | None = None
        self._session: requests.Session | None = None
        self._org_id: str | None = None
        self._calls = 0
        self._usage: ApiBudget | None = None
        self.limits = AdapterLimits(
            page_size=options.page_size,
            update_batch=min(options.update_batch, COLLECTION_LIMIT),
            create_batch=min(options.update_batch, COLLECTION_LIMIT),
        )

    # -- identity and login -------------------------------------------------------------

    @property
    def host(self) -> str:
        """The instance host (with port for the sandbox)."""
        return urlsplit(self._options.instance_url).netloc

    @property
    def connection_id(self) -> str:
        """Decision 14: ``salesforce:<host>`` plus ``:<org id>`` once known."""
        return connection_id(self.crm, self._options.instance_url, self._org_id)

    def connect(self) -> None:
        """Log in per decision 16 and build the SDK client."""
        options = self._options
        self._session = build_session(ca_bundle=options.ca_bundle, timeout=options.timeout_seconds)
        common: dict[str, Any] = {
            "version": options.api_version,
            "session": self._session,
        }
        try:
            if options.client_id and options.client_secret:
                self._sf = self._login_client_credentials(common)
            elif options.session_id:
                self._sf = Salesforce(
                    session_id=options.session_id.get_secret_value(),
                    instance_url=options.instance_url,
                    **common,
                )
            elif options.username and options.consumer_key and options.private_key_file:
                self._sf = Salesforce(
                    username=options.username,
                    consumer_key=options.consumer_key,
                    privatekey_file=str(options.private_key_file),
                    domain=options.domain,
                    **common,
                )
            elif options.username and options.password:
                token = options.security_token.get_secret_value() if options.security_token else ""
                self._sf = Salesforce(
                    username=options.username,
                    password=options.password.get_secret_value(),
                    security_token=token,
                    domain=options.domain,
                    **common,
                )
            else:
                msg = "no Salesforce login is configured"
                raise ConfigError(
                    msg,
                    hint="set LEADSYNC_SALESFORCE_CLIENT_ID and _CLIENT_SECRET (or a username/"
                    "password, JWT key, or session id) in the environment or the project's .env",
                )
            if self._org_id is None:
                self._org_id = org_id_of_session(str(self._sf.session_id))
        except requests.RequestException as error:
            # simple-salesforce's own logins (password, JWT) let transport errors through.
            raise translate(error, action="login") from error
        except SalesforceError as error:
            msg = f"Salesforce login at {self.host} failed ({type(error).__name__})"
            raise ConnectionFailedError(
                msg, hint="check the LEADSYNC_SALESFORCE_* login settings"
            ) from error

    def _login_client_credentials(self, common: dict[str, Any]) -> Salesforce:
        options = self._options
        assert self._session is not None
        assert options.client_id is not None
        assert options.client_secret is not None
        session = self._session
        client_id = options.client_id
        secret = options.client_secret.get_secret_value()
        token = call_with_retries(
            lambda: fetch_client_credentials_token(
                session,
                instance_url=options.instance_url,
                client_id=client_id,
                client_secret=secret,
            ),
            policy=self._retry,
            sleep=self._sleep,
        )
        self._calls += 1
        identity = str(token.get("id", ""))
        # The identity URL ends in /id/<org id>/<user id>.
        parts = identity.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2].startswith("00D"):
            self._org_id = parts[-2]
        return Salesforce(
            session_id=token["access_token"],
            instance_url=str(token.get("instance_url") or options.instance_url),
            **common,
        )

    @property
    def _can_log_in_again(self) -> bool:
        # A fixed session id cannot be renewed; every credential login can.
        options = self._options
        return bool(
            (options.client_id and options.client_secret)
            or (options.username and (options.password or options.private_key_file))
        )

    @property
    def client(self) -> Salesforce:
        """The SDK client; connects on first use."""
        if self._sf is None:
            self.connect()
        assert self._sf is not None
        return self._sf

    # -- one guarded call ---------------------------------------------------------------

    def _call(self, action: str, func: Callable[[Salesforce], T]) -> T:
        """Run one API call with the budget check, error translation, retries and re-login."""
        relogged = False

        def attempt() -> T:
            nonlocal relogged
            self._check_budget(action)
            self._calls += 1
            try:
                result = func(self.client)
            except (SalesforceError, requests.RequestException) as error:
                translated = translate(error, action=action)
                expired = (
                    isinstance(translated, ConnectionFailedError)
                    and getattr(error, "status", None) == 401
                )
                if expired and not relogged and self._can_log_in_again:
                    # Decision 16: on an expired session log in once more and retry.
                    relogged = True
                    logger.info("Salesforce session expired; logging in again")
                    self.connect()
                    self._calls += 1
                    return attempt()
                raise translated from error
            self._remember_usage()
            return result

        return call_with_retries(attempt, policy=self._retry, sleep=self._sleep)

    def _remember_usage(self) -> None:
        usage = self.client.api_usage.get("api-usage") if self._sf else None
        if usage is not None:
            self._usage = ApiBudget(used=int(usage.used), total=int(usage.total))

    def _check_budget(self, action: str) -> None:
        if self._usage is not None:
            self._usage.refuse_beyond(self._options.budget_share, action=f"Salesforce {action}")

    # -- reading ------------------------------------------------------------------------

    def pull(self, request: PullRequest, since: Cursor | None) -> Iterator[RawPage]:
        """Yield pages of records stamped at or after ``since`` (closed range, deduped by id)."""
        since = since or Cursor()
        soql = incremental_query(
            request.object_type,
            request.fields,
            request.cursor_field,
            since.value,
            request.scope,
        )
        headers = {"Sforce-Query-Options": f"batchSize={self._options.page_size}"}
        include_deleted = request.include_deleted
        pages = iterate_query_pages(
            lambda: self._call(
                f"query {request.object_type}",
                lambda sf: sf.query(soql, include_deleted=include_deleted, headers=headers),
            ),
            lambda url: self._call(
                f"query {request.object_type}",
                lambda sf: sf.query_more(url, identifier_is_url=True, headers=headers),
            ),
        )
        cursor = since
        for rows in pages:
            records: list[RawRecord] = []
            for row in rows:
                record = self._raw(request, row)
                if (
                    since.value is not None
                    and record.modstamp == since.value
                    and record.record_id in since.ids_at_boundary
                ):
                    continue
                records.append(record)
            if records:
                cursor = _advance(cursor, records)
            yield RawPage(records=records, cursor=cursor)

    @staticmethod
    def _raw(request: PullRequest, row: dict[str, Any]) -> RawRecord:
        fields = {k: v for k, v in row.items() if k != "attributes"}
        stamp = fields.get(request.cursor_field)
        return RawRecord(
            object_type=request.object_type,
            record_id=str(fields["Id"]),
            modstamp=parse_datetime(str(stamp)),
            fields=fields,
            is_deleted=bool(fields.get("IsDeleted", False)),
        )

    def describe(self, object_type: str) -> dict[str, FieldInfo]:
        """Field facts from ``sobjects/<type>/describe``."""
        answer = self._call(
            f"describe {object_type}",
            lambda sf: sf.restful(f"sobjects/{object_type}/describe"),
        )
        fields: dict[str, FieldInfo] = {}
        for item in (answer or {}).get("fields", []):
            fields[item["name"]] = FieldInfo(
                name=item["name"],
                type=str(item.get("type", "")),
                is_updateable=bool(item.get("updateable")),
                is_createable=bool(item.get("createable")),
                length=item.get("length") or None,
                picklist_values=tuple(
                    p["value"] for p in item.get("picklistValues") or [] if p.get("active", True)
                ),
                is_external_id=bool(item.get("externalId")),
            )
        return fields

    def budget(self) -> ApiBudget:
        """The org's daily API usage, from ``/limits``."""
        answer = self._call("read limits", lambda sf: sf.limits())
        daily = answer.get("DailyApiRequests", {})
        total = int(daily.get("Max", 0))
        return ApiBudget(used=total - int(daily.get("Remaining", 0)), total=total)

    def api_calls(self) -> int:
        """Calls made through this adapter, logins included."""
        return self._calls

    # -- writing ------------------------------------------------------------------------

    #: Decision 11: a converted Salesforce lead is frozen; leadsync never writes to it.
    writes_converted_leads = False

    @staticmethod
    def task_fields(
        task: TaskSpec,
        *,
        timezone: tzinfo,
    ) -> dict[str, Any]:
        """A follow-up task as Task fields (interfaces.md; decision 6 for the SLA clock).

        ``ActivityDate`` gets the business date in the connection's time zone and
        ``ReminderDateTime`` the exact due time.
        """
        fields: dict[str, Any] = {
            "WhoId": task.lead_id,
            "Subject": task.subject[:255],
            "Description": task.description[:32000],
            "Priority": task.priority,
            "Status": "Not Started",
            "ActivityDate": task.due_at.astimezone(timezone).date().isoformat(),
            "ReminderDateTime": task.due_at.isoformat(),
            "IsReminderSet": True,
        }
        if task.owner_id:
            fields["OwnerId"] = task.owner_id
        return fields

    def update(self, updates: Sequence[RecordUpdate]) -> list[WriteResult]:
        """Write fields through ``PATCH composite/sobjects``, 200 records a call."""
        results: list[WriteResult] = []
        for start in range(0, len(updates), self.limits.update_batch):
            chunk = updates[start : start + self.limits.update_batch]
            body = {
                "allOrNone": False,
                "records": [
                    {
                        "attributes": {"type": u.object_type},
                        "id": u.record_id,
                        **_json_fields(u.fields),
                    }
                    for u in chunk
                ],
            }
            results.extend(
                self._collection(
                    [u.key for u in chunk],
                    "update records",
                    lambda sf, body=body: sf.restful(
                        "composite/sobjects", method="PATCH", json=body
                    ),
                )
            )
            checkpoint("salesforce.collection.sent")
        return results

    def create(self, creates: Sequence[RecordCreate]) -> list[WriteResult]:
        """Upsert records on the external-id key field (decision 18), 200 a call."""
        key_field = self._options.task_key_field
        results: list[WriteResult] = []
        by_type: dict[str, list[RecordCreate]] = {}
        for item in creates:
            by_type.setdefault(item.object_type, []).append(item)
        for object_type, items in by_type.items():
            for start in range(0, len(items), self.limits.create_batch):
                chunk = items[start : start + self.limits.create_batch]
                body = {
                    "allOrNone": False,
                    "records": [
                        {
                            "attributes": {"type": object_type},
                            **_json_fields(c.fields),
                            key_field: c.key,
                        }
                        for c in chunk
                    ],
                }
                path = f"composite/sobjects/{object_type}/{key_field}"
                results.extend(
                    self._collection(
                        [c.key for c in chunk],
                        f"upsert {object_type}",
                        lambda sf, body=body, path=path: sf.restful(
                            path, method="PATCH", json=body
                        ),
                    )
                )
        return results

    def bulk_update(
        self,
        object_type: str,
        updates: Sequence[RecordUpdate],
        *,
        on_job_created: Callable[[str], None],
    ) -> list[WriteResult] | None:
        """Update many records of one type through a Bulk API 2.0 ingest job (decision 20).

        Args:
            object_type: the sObject all ``updates`` belong to (one job per type).
            updates: at most one update per record id.
            on_job_created: called with the job id before the upload, so the caller can
                store it and resume the job after a crash with :meth:`bulk_results`.

        Returns:
            Per-record results, or None if the job is still running after the polls
            (resume it later with :meth:`bulk_results`).
        """
        job = self._call(
            f"create bulk job on {object_type}",
            lambda sf: self._bulk_client(sf, object_type).create_job(Operation.update),
        )
        job_id = str(job["id"])
        checkpoint("salesforce.bulk.created")
        on_job_created(job_id)
        checkpoint("salesforce.bulk.recorded")
        data = updates_to_csv(updates)
        self._call(
            f"upload bulk job {job_id}",
            lambda sf: self._bulk_client(sf, object_type).upload_job_data(job_id, data),
        )
        checkpoint("salesforce.bulk.uploaded")
        self._call(
            f"close bulk job {job_id}",
            lambda sf: self._bulk_client(sf, object_type).close_job(job_id),
        )
        checkpoint("salesforce.bulk.closed")
        return self.bulk_results(object_type, job_id, {u.record_id: u.key for u in updates})

    def bulk_results(
        self, object_type: str, job_id: str, keys_by_record: dict[str, str]
    ) -> list[WriteResult] | None:
        """Wait for a bulk job and read its per-record results; None while it still runs.

        A job still ``Open`` was left by a crash before its upload was closed: it is closed
        now, so Salesforce processes what reached it; records it never got come back as
        ``UNPROCESSED`` (the caller sends those again).
        """

        def read_state() -> Mapping[str, Any]:
            return self._call(
                f"read bulk job {job_id}",
                lambda sf: self._bulk_client(sf, object_type).get_job(job_id, is_query=False),
            )

        state = read_state()
        if state.get("state") == "Open":
            self._call(
                f"close bulk job {job_id}",
                lambda sf: self._bulk_client(sf, object_type).close_job(job_id),
            )
        if state.get("state") not in FINISHED_STATES:
            state = wait_for_job(
                read_state,
                sleep=self._sleep,
                poll_seconds=self._options.bulk_poll_seconds,
                max_polls=self._options.bulk_max_polls,
            )
        if state.get("state") not in FINISHED_STATES:
            return None
        checkpoint("salesforce.bulk.finished")

        def read(kind: str) -> str:
            return self._call(
                f"read bulk job {job_id} {kind}",
                lambda sf: self._bulk_client(sf, object_type).get_ingest_results(job_id, kind),
            )

        return results_from_csv(keys_by_record, read("successfulResults"), read("failedResults"))

    @staticmethod
    def _bulk_client(sf: Salesforce, object_type: str) -> _Bulk2Client:
        # The SDK's one-shot helpers poll before telling us the job id; its step-by-step
        # client lets us record the id first (decision 20).
        headers = {
            "Content-Type": "application/json",
            "Authorization": "Bearer " + sf.session_id,
        }
        return _Bulk2Client(object_type, sf.bulk2_url, headers, sf.session)

    def _collection(
        self,
        keys: list[str],
        action: str,
        send: Callable[[Salesforce], Any],
    ) -> list[WriteResult]:
        try:
            answer = self._call(action, send)
        except RecordError as error:
            # The whole call was refused (e.g. 400): every record carries the CRM's text.
            return [
                WriteResult(key=k, success=False, error_code=error.code, error_message=str(error))
                for k in keys
            ]
        rows = answer if isinstance(answer, list) else []
        return [_result(key, rows[i] if i < len(rows) else None) for i, key in enumerate(keys)]


def _result(key: str, row: dict[str, Any] | None) -> WriteResult:
    if row is None:
        return WriteResult(
            key=key,
            success=False,
            error_code="NO_RESULT",
            error_message="Salesforce returned no result for this record",
            is_retryable=True,
        )
    if row.get("success"):
        return WriteResult(key=key, success=True, crm_id=row.get("id"), created=row.get("created"))
    errors = row.get("errors") or [{}]
    code = str(errors[0].get("statusCode") or "UNKNOWN")
    message = "; ".join(
        f"{e.get('statusCode')}: {e.get('message')}"
        + (f" ({', '.join(e['fields'])})" if e.get("fields") else "")
        for e in errors
    )
    return WriteResult(
        key=key,
        success=False,
        crm_id=row.get("id"),
        error_code=code,
        error_message=message,
        is_retryable=code in RETRYABLE_RECORD_CODES,
    )


def _json_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, datetime | date) else value
        for name, value in fields.items()
    }


def _advance(cursor: Cursor, records: Sequence[RawRecord]) -> Cursor:
    top = max(r.modstamp for r in records)
    at_top = frozenset(r.record_id for r in records if r.modstamp == top)
    if cursor.value is not None and top == cursor.value:
        at_top = at_top | cursor.ids_at_boundary
    return Cursor(value=top, ids_at_boundary=at_top)


__all__ = ["SalesforceAdapter", "SalesforceOptions", "parse_datetime"]
