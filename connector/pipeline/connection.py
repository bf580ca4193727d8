"""Build the adapter of one CRM connection from the project's settings (no env reads here)."""

from __future__ import annotations

import time
from collections.abc import Callable

from connector.config.project import Project
from connector.crm.base import CrmAdapter
from connector.errors import ConfigError


def build_adapter(
    project: Project, crm: str, *, sleep: Callable[[float], None] = time.sleep
) -> CrmAdapter:
    """The adapter for ``crm`` with the project's connection settings and secrets.

    Raises:
        ConfigError: the CRM is not enabled or a required setting is missing.
    """
    settings = project.settings
    section = project.connections.crm(crm)
    if crm == "salesforce":
        from connector.crm.salesforce import SalesforceAdapter, SalesforceOptions

        url = settings.salesforce_instance_url or getattr(section, "instance_url", None)
        if not url:
            msg = "no Salesforce instance URL is set"
            raise ConfigError(
                msg,
                hint="set LEADSYNC_SALESFORCE_INSTANCE_URL (or salesforce.instance_url in "
                "config/connections.yaml)",
            )
        options = SalesforceOptions(
            instance_url=url,
            api_version=project.connections.salesforce.api_version,
            client_id=settings.salesforce_client_id,
            client_secret=settings.salesforce_client_secret,
            username=settings.salesforce_username,
            password=settings.salesforce_password,
            security_token=settings.salesforce_security_token,
            domain=settings.salesforce_domain,
            session_id=settings.salesforce_session_id,
            consumer_key=settings.salesforce_consumer_key,
            private_key_file=settings.salesforce_private_key_file,
            ca_bundle=settings.salesforce_ca_bundle,
            timeout_seconds=section.timeout_seconds,
            budget_share=section.budget_share,
            page_size=section.page_size,
            update_batch=section.write_batch,
            task_key_field=project.mappings["salesforce"].tasks.key_field
            if project.mappings["salesforce"].tasks
            else "LeadSync_Key__c",
        )
        return SalesforceAdapter(options, sleep=sleep)
    if crm == "hubspot":
        from connector.crm.hubspot import HubSpotAdapter, HubSpotOptions

        token = settings.hubspot_access_token
        if token is None:
            msg = "no HubSpot access token is set"
            raise ConfigError(msg, hint="set LEADSYNC_HUBSPOT_ACCESS_TOKEN in the project's .env")
        # Decision 15: a set environment value beats connections.yaml, which beats the default.
        base_url = (
            settings.hubspot_base_url
            if "hubspot_base_url" in settings.model_fields_set
            else getattr(section, "base_url", None) or settings.hubspot_base_url
        )
        return HubSpotAdapter(
            HubSpotOptions(
                access_token=token,
                base_url=base_url,
                timeout_seconds=section.timeout_seconds,
                budget_share=section.budget_share,
                batch_size=section.write_batch,
            ),
            sleep=sleep,
        )
    msg = f"unknown CRM {crm!r}"
    raise ConfigError(msg, hint="use --crm salesforce or --crm hubspot")


__all__ = ["build_adapter"]
