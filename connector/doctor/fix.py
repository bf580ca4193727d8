"""``doctor --fix``: create missing HubSpot properties; list the Salesforce fields to deploy.

HubSpot properties can be created through its API (issue 6), so ``--fix`` does it
and a second run creates nothing. Salesforce custom fields are metadata an admin
deploys; ``--fix`` lists them and writes the list next to the project's files. A
deployable metadata package with a permission set is issue 10, not built here.
"""

from __future__ import annotations

from pathlib import Path

from connector.config.mapping import CrmMapping
from connector.crm.base import CrmAdapter
from connector.doctor.report import FixReport
from connector.pipeline.provision import provision_hubspot, salesforce_field_list

#: Where ``doctor --fix`` writes the Salesforce field list, in the project folder.
SALESFORCE_FIELDS_FILE = "leadsync-salesforce-fields.txt"

SALESFORCE_NOTE = (
    "create these custom fields in Salesforce (Setup > Object Manager, or the Salesforce CLI), "
    "give the integration user read and edit access, then run `leadsync doctor` again; "
    "a deployable metadata package with a permission set is not built yet (issue 10)"
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


def fix_salesforce(root: Path, mapping: CrmMapping) -> FixReport:
    """Write the custom fields to deploy to ``<root>/leadsync-salesforce-fields.txt``."""
    lines = salesforce_field_list(mapping)
    path = root / SALESFORCE_FIELDS_FILE
    header = [
        "# Custom fields leadsync needs in Salesforce (written by `leadsync doctor --fix`).",
        "# Object.Field: kind (picklist values). " + SALESFORCE_NOTE + ".",
    ]
    path.write_text("\n".join([*header, *lines]) + "\n", encoding="utf-8")
    return FixReport(field_list=lines, written_to=path, note=SALESFORCE_NOTE)


__all__ = ["SALESFORCE_FIELDS_FILE", "SALESFORCE_NOTE", "fix_hubspot", "fix_salesforce"]
