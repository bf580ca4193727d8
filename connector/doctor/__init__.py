"""``leadsync doctor`` against the CRM: field checks, API budget, provisioning (``--fix``)."""

from connector.doctor.checks import check_crm, check_crms
from connector.doctor.fitness import Verdict, judge
from connector.doctor.fix import fix_hubspot, fix_salesforce
from connector.doctor.needs import FieldNeed, needs_of, objects_of
from connector.doctor.report import CrmReport, DoctorRow, FixReport
from connector.doctor.sfpackage import PACKAGE_DIR, write_package

__all__ = [
    "PACKAGE_DIR",
    "CrmReport",
    "DoctorRow",
    "FieldNeed",
    "FixReport",
    "Verdict",
    "check_crm",
    "check_crms",
    "fix_hubspot",
    "fix_salesforce",
    "judge",
    "needs_of",
    "objects_of",
    "write_package",
]
