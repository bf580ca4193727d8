"""A leadsync project folder: find it, write it (``init``), load and check it (``doctor``).

Layout (interfaces.md)::

    DIR/config/connections.yaml  DIR/config/policy.yaml
    DIR/mappings/<crm>.yaml      DIR/jobs/*.yaml
    DIR/.env (0600)              DIR/.leadsync/state.db

Loading collects the problems of *every* file before it reports (style 7,
poetry's ``check``): an admin fixes them all in one round.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connector.config.connections import Connections
from connector.config.jobs import Job
from connector.config.loader import collect_model
from connector.config.mapping import CrmMapping
from connector.config.settings import Settings, load_settings
from connector.errors import ConfigError, ConfigProblem, UsageError

if TYPE_CHECKING:
    from connector.config.policy import Policy

CONNECTIONS_FILE = "config/connections.yaml"
POLICY_FILE = "config/policy.yaml"
MAPPINGS_DIR = "mappings"
JOBS_DIR = "jobs"
STATE_DIR = ".leadsync"
ADMIN_DIRS = ("config", MAPPINGS_DIR, JOBS_DIR)

_GITIGNORE = ".env\n.leadsync/\n"

_ENV_TEMPLATE = """\
# leadsync secrets and overrides. Keep this file out of git and readable only by
# you (chmod 600). Uncomment what you use. Precedence: command-line option >
# environment > this file > config/connections.yaml > built-in default.

# LEADSYNC_DATABASE_URL=postgresql+psycopg://leadsync:PASSWORD@db.example.com/leadsync

# Salesforce: the My Domain URL and ONE login method.
# LEADSYNC_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com
# OAuth client credentials (recommended for a server):
# LEADSYNC_SALESFORCE_CLIENT_ID=
# LEADSYNC_SALESFORCE_CLIENT_SECRET=
# Username + password:
# LEADSYNC_SALESFORCE_USERNAME=
# LEADSYNC_SALESFORCE_PASSWORD=
# LEADSYNC_SALESFORCE_SECURITY_TOKEN=
# LEADSYNC_SALESFORCE_DOMAIN=login
# JWT bearer:
# LEADSYNC_SALESFORCE_CONSUMER_KEY=
# LEADSYNC_SALESFORCE_PRIVATE_KEY_FILE=
# An existing session:
# LEADSYNC_SALESFORCE_SESSION_ID=
# Extra CA file to trust (a company proxy, or the sandbox):
# LEADSYNC_SALESFORCE_CA_BUNDLE=

# HubSpot private-app token:
# LEADSYNC_HUBSPOT_ACCESS_TOKEN=pat-...
# LEADSYNC_HUBSPOT_BASE_URL=https://api.hubapi.com

# Alert channels (config/connections.yaml `alerts:`):
# LEADSYNC_SMTP_PASSWORD=
# LEADSYNC_ALERT_WEBHOOK_URL=
"""


# -- finding and writing ----------------------------------------------------------------


def find_project_dir(option: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The project folder: ``--project-dir``, else ``LEADSYNC_PROJECT_DIR``, else the cwd."""
    if option is not None:
        return option
    env = os.environ if environ is None else environ
    value = env.get("LEADSYNC_PROJECT_DIR")
    return Path(value) if value else Path.cwd()


def _defaults_root() -> Traversable:
    return resources.files("connector") / "defaults"


def default_files() -> dict[str, Traversable]:
    """The packaged default admin files, by their path inside a project."""
    found: dict[str, Traversable] = {}
    root = _defaults_root()
    for folder in ADMIN_DIRS:
        base = root / folder
        if not base.is_dir():
            continue
        for item in sorted(base.iterdir(), key=lambda t: t.name):
            if item.is_file() and item.name.endswith(".yaml"):
                found[f"{folder}/{item.name}"] = item
    return found


def init_project(target: Path) -> list[Path]:
    """Write the default admin files into ``target`` (``leadsync init``).

    Existing files are never overwritten: if any admin file is already there,
    nothing is written. ``.gitignore`` and ``.env`` are written only when absent.

    Returns:
        The files written, in order.

    Raises:
        UsageError: ``target`` is a file, or holds admin files already.
    """
    if target.exists() and not target.is_dir():
        msg = f"{target} is a file, not a folder"
        raise UsageError(msg, hint="choose a new folder name for the project")
    files = default_files()
    clashes = sorted(rel for rel in files if (target / rel).exists())
    if clashes:
        msg = f"{target} already holds admin files: " + ", ".join(clashes)
        raise UsageError(
            msg,
            hint="leadsync init never overwrites; choose another folder or move those files",
        )
    written: list[Path] = []
    for rel, source in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source.read_bytes())
        written.append(path)
    (target / STATE_DIR).mkdir(exist_ok=True)
    extras = {".gitignore": (_GITIGNORE, 0o644), ".env.example": (_ENV_TEMPLATE, 0o644)}
    extras[".env"] = (_ENV_TEMPLATE, 0o600)
    for name, (text, mode) in extras.items():
        path = target / name
        if path.exists():
            continue
        # .env holds secrets: create it 0600 from the start, never widen it later.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)
    return written


# -- loading and checking ---------------------------------------------------------------


@dataclass
class FileCheck:
    """The outcome of validating one admin file (one row of ``doctor``'s table)."""

    label: str
    problems: list[ConfigProblem] = field(default_factory=list)
    note: str = ""

    @property
    def is_valid(self) -> bool:
        """No problem found."""
        return not self.problems


@dataclass
class Project:
    """A loaded, valid project: every admin file as a validated model."""

    root: Path
    connections: Connections
    policy: Policy | Any
    mappings: dict[str, CrmMapping]
    jobs: list[Job]
    settings: Settings

    @property
    def state_dir(self) -> Path:
        """Where the SQLite store and other local state live."""
        return self.root / STATE_DIR

    @property
    def database_url(self) -> str:
        """The store URL (``LEADSYNC_DATABASE_URL`` or the project's SQLite file)."""
        return self.settings.resolved_database_url(self.root)


@dataclass
class ProjectCheck:
    """Everything ``doctor`` learned about a project, valid or not."""

    root: Path
    files: list[FileCheck]
    warnings: list[str]
    project: Project | None

    @property
    def problems(self) -> list[ConfigProblem]:
        """Every problem of every file, in file order."""
        return [p for f in self.files for p in f.problems]


def _policy_check(root: Path) -> tuple[Any, FileCheck]:
    try:
        from connector.config.policy import Policy
    except ImportError:
        return None, FileCheck(POLICY_FILE, note="not checked: the policy schema is not built yet")
    policy, problems = collect_model(root / POLICY_FILE, Policy, label=POLICY_FILE)
    return policy, FileCheck(POLICY_FILE, problems)


def _unknown_kinds(label: str, mapping: CrmMapping, policy: Any) -> list[ConfigProblem]:
    """Behaviour kinds a mapping emits that the policy does not define (they would not count)."""
    known = set(policy.events.kinds)
    expected = "a kind defined in config/policy.yaml events.kinds: " + ", ".join(sorted(known))
    problems = []
    for i, source in enumerate(mapping.activities):
        if source.becomes != "behaviour":
            continue
        for group in ("kinds", "property_kinds"):
            for value, spec in getattr(source, group).items():
                if spec.kind not in known:
                    problems.append(
                        ConfigProblem(
                            file=label,
                            key=f"activities[{i}].{group}.{value}.kind",
                            expected=expected,
                            found=repr(spec.kind),
                        )
                    )
    return problems


def _mapping_checks(
    root: Path, connections: Connections | None, policy: Any = None
) -> tuple[dict, list[FileCheck]]:
    mappings: dict[str, CrmMapping] = {}
    checks: list[FileCheck] = []
    wanted: dict[str, str] = {}  # label -> crm it serves
    if connections is not None:
        for crm in connections.enabled_crms():
            wanted[connections.crm(crm).mapping] = crm
    present = {f"{MAPPINGS_DIR}/{p.name}" for p in (root / MAPPINGS_DIR).glob("*.yaml")}
    for label in sorted(present | set(wanted)):
        mapping, problems = collect_model(root / label, CrmMapping, label=label)
        crm = wanted.get(label)
        note = f"used for {crm}" if crm else "not used (CRM not enabled)"
        if mapping is not None and policy is not None:
            problems += _unknown_kinds(label, mapping, policy)
        if mapping is not None and crm and mapping.crm != crm:
            problems.append(
                ConfigProblem(file=label, key="crm", expected=crm, found=repr(mapping.crm))
            )
        if mapping is not None and crm and not problems:
            mappings[crm] = mapping
        checks.append(FileCheck(label, problems, note))
    return mappings, checks


def _job_checks(root: Path, connections: Connections | None) -> tuple[list[Job], list[FileCheck]]:
    jobs: list[Job] = []
    checks: list[FileCheck] = []
    names: dict[str, str] = {}
    for path in sorted((root / JOBS_DIR).glob("*.yaml")):
        label = f"{JOBS_DIR}/{path.name}"
        job, problems = collect_model(path, Job, label=label)
        if job is not None:
            if job.name in names:
                problems.append(
                    ConfigProblem(
                        file=label,
                        key="name",
                        expected=f"a name not used by {names[job.name]}",
                        found=repr(job.name),
                    )
                )
            names.setdefault(job.name, label)
            enabled = connections.enabled_crms() if connections else []
            if connections is not None and job.crm != "all" and job.crm not in enabled:
                problems.append(
                    ConfigProblem(
                        file=label,
                        key="crm",
                        expected="all or an enabled CRM: " + ", ".join(enabled),
                        found=repr(job.crm),
                    )
                )
        if job is not None and not problems:
            jobs.append(job)
        checks.append(FileCheck(label, problems, job.runs if job else ""))
    return jobs, checks


def _setting_warnings(root: Path, connections: Connections, settings: Settings) -> list[str]:
    warnings: list[str] = []
    if connections.salesforce.enabled:
        if not settings.salesforce_instance_url:
            warnings.append(
                "salesforce: no instance URL; set LEADSYNC_SALESFORCE_INSTANCE_URL "
                "or salesforce.instance_url in config/connections.yaml"
            )
        logins = (
            settings.salesforce_client_id and settings.salesforce_client_secret,
            settings.salesforce_username and settings.salesforce_password,
            settings.salesforce_consumer_key and settings.salesforce_private_key_file,
            settings.salesforce_session_id,
        )
        if not any(logins):
            warnings.append(
                "salesforce: no login settings; set LEADSYNC_SALESFORCE_CLIENT_ID and "
                "LEADSYNC_SALESFORCE_CLIENT_SECRET (or username/password, JWT, session id)"
            )
    if connections.hubspot.enabled and settings.hubspot_access_token is None:
        warnings.append("hubspot: no token; set LEADSYNC_HUBSPOT_ACCESS_TOKEN")
    email = connections.alerts.email
    if email.enabled and email.username and settings.smtp_password is None:
        warnings.append("alerts.email: a username but no LEADSYNC_SMTP_PASSWORD")
    if connections.alerts.webhook.enabled and settings.alert_webhook_url is None:
        warnings.append("alerts.webhook: enabled but LEADSYNC_ALERT_WEBHOOK_URL is not set")
    env_file = root / ".env"
    if env_file.is_file() and stat.S_IMODE(env_file.stat().st_mode) & 0o077:
        warnings.append(".env: readable by others; run `chmod 600 .env`")
    return warnings


def check_project(root: Path, *, overrides: Mapping[str, Any] | None = None) -> ProjectCheck:
    """Validate every admin file and the settings of the project at ``root``.

    Never raises for a problem in a file: each goes into its :class:`FileCheck`.

    Raises:
        UsageError: ``root`` is not a folder.
    """
    if not root.is_dir():
        msg = f"no project folder at {root}"
        raise UsageError(msg, hint="run `leadsync init DIR` or pass --project-dir")
    connections, problems = collect_model(
        root / CONNECTIONS_FILE, Connections, label=CONNECTIONS_FILE
    )
    note = ("enabled: " + ", ".join(connections.enabled_crms())) if connections else ""
    files = [FileCheck(CONNECTIONS_FILE, problems, note)]
    policy, policy_check = _policy_check(root)
    files.append(policy_check)
    mappings, mapping_checks = _mapping_checks(root, connections, policy)
    files += mapping_checks
    jobs, job_checks = _job_checks(root, connections)
    files += job_checks
    if not job_checks:
        files.append(FileCheck(f"{JOBS_DIR}/", note="no jobs: `leadsync run` has nothing to do"))
    settings_check = FileCheck("settings (environment, .env)")
    settings: Settings | None = None
    try:
        settings = load_settings(root, connections=connections, overrides=overrides)
    except ConfigError as exc:
        settings_check.problems = exc.problems
    files.append(settings_check)
    warnings: list[str] = []
    if settings is not None and connections is not None:
        warnings = _setting_warnings(root, connections, settings)
        settings_check.note = f"{len(warnings)} warning(s)" if warnings else "ok"
    project = None
    if all(f.is_valid for f in files) and connections is not None and settings is not None:
        project = Project(root, connections, policy, mappings, jobs, settings)
    return ProjectCheck(root, files, warnings, project)


def load_project(root: Path, *, overrides: Mapping[str, Any] | None = None) -> Project:
    """Load the project at ``root``; every admin file must be valid.

    Raises:
        ConfigError: one problem per invalid value, across all files.
        UsageError: ``root`` is not a folder.
    """
    result = check_project(root, overrides=overrides)
    if result.project is None:
        raise ConfigError(
            problems=result.problems, hint="fix the files above; `leadsync doctor` lists them"
        )
    return result.project


__all__ = [
    "CONNECTIONS_FILE",
    "JOBS_DIR",
    "MAPPINGS_DIR",
    "POLICY_FILE",
    "STATE_DIR",
    "FileCheck",
    "Project",
    "ProjectCheck",
    "check_project",
    "default_files",
    "find_project_dir",
    "init_project",
    "load_project",
]
