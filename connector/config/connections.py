"""The model of ``config/connections.yaml``: which CRM, where, how fast, who wins.

Secrets never live in this file (architecture.md): passwords, tokens and
webhook URLs come from the environment or ``.env`` only (``settings.py``).
"""

from __future__ import annotations

import re
from datetime import tzinfo
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from connector.config.loader import AdminModel, Finding
from connector.config.mapping import OUTPUT_FIELDS

#: The CRMs leadsync speaks.
CrmName = Literal["salesforce", "hubspot"]
CRM_NAMES: tuple[str, ...] = ("salesforce", "hubspot")


class ConflictRule(StrEnum):
    """Who wins when a person edited a field leadsync writes (decision 19)."""

    CRM_WINS = "crm_wins"
    LEADSYNC_WINS = "leadsync_wins"


class Mode(StrEnum):
    """``live`` writes to the CRM; ``shadow`` computes and records but never writes."""

    LIVE = "live"
    SHADOW = "shadow"


def _check_timezone(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        msg = "an IANA time zone name such as UTC or Asia/Seoul"
        raise ValueError(msg) from None
    return value


def _check_url(value: str | None) -> str | None:
    if value is None:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        msg = "a URL such as https://acme.my.salesforce.com"
        raise ValueError(msg)
    return value.rstrip("/")


class _CrmConnection(AdminModel):
    enabled: bool = False
    page_size: int = Field(default=2000, ge=1)
    write_batch: int = Field(default=200, ge=1)
    budget_share: float = Field(
        default=0.8, gt=0, le=1, description="Share of the daily API allocation leadsync may use."
    )
    timeout_seconds: float = Field(default=60.0, gt=0)
    fallback_owner_id: str | None = Field(
        default=None, description="Decision 11: owner of tasks for leads owned by a queue."
    )
    timezone: str | None = Field(
        default=None, description="Business dates of this connection; default: the top level."
    )
    mapping: str = Field(default="", description="Mapping file, relative to the project.")

    _tz = field_validator("timezone")(_check_timezone)


class SalesforceConnection(_CrmConnection):
    """The ``salesforce:`` section."""

    instance_url: str | None = None
    api_version: str = "62.0"
    page_size: int = Field(default=2000, ge=200, le=2000)
    write_batch: int = Field(default=200, ge=1, le=200)
    bulk_threshold: int = Field(
        default=10_000, ge=0, description="Decision 20: Bulk API 2.0 above this; 0 disables."
    )
    mapping: str = "mappings/salesforce.yaml"

    _url = field_validator("instance_url")(_check_url)

    @field_validator("api_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not re.fullmatch(r"\d{2,3}\.0", value):
            msg = "a Salesforce API version such as '62.0' (quoted)"
            raise ValueError(msg)
        return value


class HubspotConnection(_CrmConnection):
    """The ``hubspot:`` section."""

    base_url: str | None = None
    page_size: int = Field(default=200, ge=1, le=200)
    write_batch: int = Field(default=100, ge=1, le=100)
    mapping: str = "mappings/hubspot.yaml"

    _url = field_validator("base_url")(_check_url)


class ConflictPolicy(AdminModel):
    """Decision 19: per output field, whether a person's CRM edit or leadsync wins."""

    default: ConflictRule = ConflictRule.CRM_WINS
    fields: dict[str, ConflictRule] = Field(default_factory=dict)

    def check(self) -> list[Finding]:
        """Field names must be output fields of the mapping (``state``, ``score``...)."""
        return [
            Finding(
                f"fields.{name}",
                "one of the output fields: " + ", ".join(OUTPUT_FIELDS),
                repr(name),
            )
            for name in self.fields
            if name not in OUTPUT_FIELDS
        ]


class EmailAlerts(AdminModel):
    """SMTP settings for staff alerts; the password is ``LEADSYNC_SMTP_PASSWORD`` only."""

    enabled: bool = False
    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username: str | None = None
    sender: str | None = None
    recipients: list[str] = Field(default_factory=list)

    def check(self) -> list[Finding]:
        """An enabled channel needs a host and a sender."""
        if not self.enabled:
            return []
        return [
            Finding(name, "a value when email alerts are enabled", "nothing")
            for name in ("host", "sender")
            if not getattr(self, name)
        ]


class WebhookAlerts(AdminModel):
    """A chat webhook for staff alerts; its URL is ``LEADSYNC_ALERT_WEBHOOK_URL`` only."""

    enabled: bool = False


class AlertChannels(AdminModel):
    """Where staff alerts go besides the CRM task (A-3)."""

    email: EmailAlerts = Field(default_factory=EmailAlerts)
    webhook: WebhookAlerts = Field(default_factory=WebhookAlerts)


class Retention(AdminModel):
    """How long the local store keeps activity, runs and logs (privacy; ``sweep`` purges)."""

    days: int | None = Field(
        default=None,
        ge=1,
        description="Purge events, responses, alert log, resolved issues, sent writes and "
        "finished runs older than this many days; empty keeps everything.",
    )


class Connections(AdminModel):
    """The whole ``config/connections.yaml``."""

    version: Literal[1] = 1
    mode: Mode = Mode.LIVE
    timezone: str = "UTC"
    database_url: str | None = Field(
        default=None, description="Overridden by LEADSYNC_DATABASE_URL; no passwords here."
    )
    salesforce: SalesforceConnection = Field(default_factory=SalesforceConnection)
    hubspot: HubspotConnection = Field(default_factory=HubspotConnection)
    conflicts: ConflictPolicy = Field(default_factory=ConflictPolicy)
    alerts: AlertChannels = Field(default_factory=AlertChannels)
    retention: Retention = Field(default_factory=Retention)

    _tz = field_validator("timezone")(_check_timezone)

    @field_validator("database_url")
    @classmethod
    def _no_password(cls, value: str | None) -> str | None:
        # Secrets never live in admin files: a URL with a password goes in .env.
        if value and urlsplit(value).password:
            msg = "a database URL without a password (put the full URL in LEADSYNC_DATABASE_URL)"
            raise ValueError(msg)
        return value

    def check(self) -> list[Finding]:
        """At least one CRM must be enabled."""
        if self.salesforce.enabled or self.hubspot.enabled:
            return []
        return [Finding("", "salesforce.enabled or hubspot.enabled set to true", "none enabled")]

    def enabled_crms(self) -> list[str]:
        """The names of the enabled CRMs, in a stable order."""
        return [name for name in CRM_NAMES if self.crm(name).enabled]

    def crm(self, name: str) -> SalesforceConnection | HubspotConnection:
        """The section of CRM ``name``."""
        if name == "salesforce":
            return self.salesforce
        if name == "hubspot":
            return self.hubspot
        msg = f"unknown CRM {name!r}"
        raise KeyError(msg)

    def timezone_of(self, name: str) -> tzinfo:
        """Decision 4: the time zone business dates of connection ``name`` use."""
        return ZoneInfo(self.crm(name).timezone or self.timezone)


def connection_id(crm: str, instance_url: str, org_id: str | None = None) -> str:
    """Decision 14: the id that keys every stored row, watermark and lock.

    ``<crm>:<host[:port]>`` plus ``:<org or portal id>`` once known, e.g.
    ``salesforce:acme.my.salesforce.com:00D000000000001``. The host is lower-cased
    so ``ACME.my.salesforce.com`` and ``acme.my.salesforce.com`` are one connection.

    Args:
        crm: ``salesforce`` or ``hubspot``.
        instance_url: the instance URL or API base the connection talks to.
        org_id: the Salesforce org id or HubSpot portal id, when known.
    """
    host = (urlsplit(instance_url).netloc or instance_url).lower()
    base = f"{crm}:{host}"
    return f"{base}:{org_id}" if org_id else base


__all__ = [
    "CRM_NAMES",
    "AlertChannels",
    "ConflictPolicy",
    "ConflictRule",
    "Connections",
    "CrmName",
    "EmailAlerts",
    "HubspotConnection",
    "Mode",
    "Retention",
    "SalesforceConnection",
    "WebhookAlerts",
    "connection_id",
]
