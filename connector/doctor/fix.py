"""``doctor --fix``: create missing HubSpot properties; write the Salesforce package to deploy.

HubSpot properties can be created through its API (issue 6), so ``--fix`` does it
and a second run creates nothing. Salesforce custom fields are metadata an admin
deploys, so ``--fix`` writes a metadata package (custom fields + permission set, see
:mod:`connector.doctor.sfpackage`) next to the project's files; the next ``doctor``
verifies the deployment through describe.
"""

from __future__ import annotations

from pathlib import Path

from connector.config.mapping import CrmMapping
from connector.crm.base import CrmAdapter
from connector.doctor.report import FixReport
from connector.doctor.sfpackage import (
    PACKAGE_DIR,
    PERMISSION_SET,
    PackagedField,
    packaged_fields,
    write_package,
)
from connector.pipeline.provision import provision_hubspot

#: The deploy commands, run from the package folder (``sf`` is the Salesforce CLI v2).
DEPLOY_COMMANDS = (
    f"cd {PACKAGE_DIR} && sf project deploy start --manifest manifest/package.xml "
    "--target-org <your org alias>",
    f"sf org assign permset --name {PERMISSION_SET} --on-behalf-of <integration username> "
    "--target-org <your org alias>",
)

SALESFORCE_NOTE = (
    "deploy the package with the Salesforce CLI (`"
    + DEPLOY_COMMANDS[0]
    + "`), assign the permission set to the integration user (`"
    + DEPLOY_COMMANDS[1]
    + "`), then run `leadsync doctor` again: it checks every field through describe"
)


def fix_hubspot(adapter: CrmAdapter, mapping: CrmMapping) -> FixReport:
    """Create the ``leadsync`` property group and every missing output/task-key property."""
    created = provision_hubspot(adapter, mapping)
    note = (
        f"created {len(created)} HubSpot properties in the group 'leadsync'"
        if created
        else "every leadsync property already exists; nothing created"
    )
    return FixReport(created=created, note=note)


def _describe(field: PackagedField) -> str:
    detail = field.type
    if field.length:
        detail += f"({field.length})"
    if field.values:
        detail += f" ({', '.join(field.values)})"
    if field.external_id:
        detail += ", external id, unique"
    if not field.editable:
        detail += ", read only for leadsync"
    return f"{field.object}.{field.name}: {detail}"


def fix_salesforce(root: Path, mapping: CrmMapping, *, api_version: str) -> FixReport:
    """Write the metadata package to ``<root>/leadsync-salesforce``; list what it holds."""
    written = write_package(root, mapping, api_version=api_version)
    lines = [_describe(f) for f in packaged_fields(mapping)]
    lines.append(f"PermissionSet {PERMISSION_SET}: read/edit on the fields above")
    return FixReport(field_list=lines, written_to=written, note=SALESFORCE_NOTE)


__all__ = ["DEPLOY_COMMANDS", "SALESFORCE_NOTE", "fix_hubspot", "fix_salesforce"]
