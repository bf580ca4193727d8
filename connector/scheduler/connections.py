"""Which stored connection ids belong to this project (decision 14), without a CRM call.

A connection id is ``<crm>:<host>`` plus ``:<org id>`` once the adapter logged in.
The scheduler, ``status`` and ``outbox`` must find a project's rows before (or
without) connecting, and several projects may share one PostgreSQL database, so
the ids are matched on the ``<crm>:<host>`` prefix taken from the settings.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from connector.config.connections import connection_id
from connector.config.project import Project
from connector.store import Store
from connector.store.schema import outbox, runs


def base_connection_id(project: Project, crm: str) -> str | None:
    """``<crm>:<host>`` of ``crm`` from the settings (no org id), or ``None`` if no URL is set.

    Follows decision 15's precedence as ``pipeline.connection.build_adapter`` does.
    """
    settings = project.settings
    section = project.connections.crm(crm)
    if crm == "salesforce":
        url = settings.salesforce_instance_url or getattr(section, "instance_url", None)
    else:
        url = (
            settings.hubspot_base_url
            if "hubspot_base_url" in settings.model_fields_set
            else getattr(section, "base_url", None) or settings.hubspot_base_url
        )
    return connection_id(crm, url) if url else None


def stored_connection_ids(project: Project, store: Store, crm: str) -> list[str]:
    """The connection ids of ``crm`` found in the run log or the outbox, sorted.

    Returns:
        the stored ids matching this project's ``<crm>:<host>``; the bare base id
        when nothing is stored yet; nothing when no URL is configured.
    """
    base = base_connection_id(project, crm)
    if base is None:
        return []
    found: set[str] = set()
    with store.engine.connect() as connection:
        for table in (runs, outbox):
            column = table.c.connection_id
            query = (
                select(column)
                .where(or_(column == base, column.startswith(base + ":", autoescape=True)))
                .distinct()
            )
            found.update(str(row[0]) for row in connection.execute(query))
    # The bare base id holds what was recorded before the first login (a failed connect).
    return sorted(found) or [base]


def project_connection_ids(project: Project, store: Store) -> dict[str, list[str]]:
    """Every enabled CRM of the project with its stored connection ids."""
    return {
        crm: stored_connection_ids(project, store, crm)
        for crm in project.connections.enabled_crms()
    }


__all__ = ["base_connection_id", "project_connection_ids", "stored_connection_ids"]
