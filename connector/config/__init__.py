"""Admin files and settings: loading, validation with exact messages, the project folder.

``loader`` turns one YAML file into a pydantic model and every invalid value into
one :class:`~connector.errors.ConfigProblem`; ``project`` loads a whole project
folder and collects the problems of every file (style 7).
"""

from connector.config.connections import (
    CRM_NAMES,
    ConflictRule,
    Connections,
    HubspotConnection,
    Mode,
    SalesforceConnection,
    connection_id,
)
from connector.config.jobs import Job, Schedule
from connector.config.loader import (
    AdminModel,
    Finding,
    collect_model,
    load_model,
    load_model_text,
    validate_document,
)
from connector.config.mapping import CrmMapping, FieldMap, Transform
from connector.config.project import (
    FileCheck,
    Project,
    ProjectCheck,
    check_project,
    find_project_dir,
    init_project,
    load_project,
)
from connector.config.redaction import Redactor, configure_logging, redactor
from connector.config.settings import Settings, load_settings

__all__ = [
    "CRM_NAMES",
    "AdminModel",
    "ConflictRule",
    "Connections",
    "CrmMapping",
    "FieldMap",
    "FileCheck",
    "Finding",
    "HubspotConnection",
    "Job",
    "Mode",
    "Project",
    "ProjectCheck",
    "Redactor",
    "SalesforceConnection",
    "Schedule",
    "Settings",
    "Transform",
    "check_project",
    "collect_model",
    "configure_logging",
    "connection_id",
    "find_project_dir",
    "init_project",
    "load_model",
    "load_model_text",
    "load_project",
    "load_settings",
    "redactor",
    "validate_document",
]
