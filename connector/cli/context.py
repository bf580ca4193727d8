"""What every command starts with: the project folder, the output mode, secrets registered.

Commands stay thin (style 13): they parse options, build a :class:`CommandContext`,
call one service function and render its result.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from connector.config.project import Project, find_project_dir, load_project
from connector.config.redaction import redactor
from connector.config.settings import Settings, load_settings
from connector.errors import ConfigError, NotAvailableError


@dataclass
class CommandContext:
    """One command invocation: where the project is and how to answer.

    Attributes:
        command: the command as typed after ``leadsync`` (``sync``, ``outbox list``).
        project_dir: the project folder (``--project-dir`` > ``LEADSYNC_PROJECT_DIR`` > cwd).
        as_json: ``--json`` was given: one JSON object on stdout, nothing else there.
        overrides: settings given as command-line options (decision 15's top layer).
    """

    command: str
    project_dir: Path
    as_json: bool = False
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def settings(self) -> Settings:
        """The settings (env, ``.env``; no connections.yaml layer), secrets registered."""
        settings = load_settings(self.project_dir, overrides=self.overrides)
        redactor().add(settings.secret_values())
        return settings

    def project(self) -> Project:
        """The loaded project; every admin file valid, secrets registered.

        Raises:
            ConfigError: every problem of every admin file.
        """
        project = load_project(self.project_dir, overrides=self.overrides)
        redactor().add(project.settings.secret_values())
        return project


def begin(
    command: str,
    project_dir: Path | None,
    *,
    as_json: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> CommandContext:
    """Resolve the project folder and register every secret before anything can print.

    Secrets are registered from the environment and the project's ``.env`` first, so
    that even an error in an admin file cannot echo a token.
    """
    context = CommandContext(command, find_project_dir(project_dir), as_json, overrides or {})
    # An invalid variable is reported by the command that needs it (doctor lists it).
    with contextlib.suppress(ConfigError):
        context.settings()
    return context


def not_available(command: str, reason: str, *, hint: str | None = None) -> NoReturn:
    """Say clearly that a command's machinery is not built yet (exit 2).

    Raises:
        NotAvailableError: always.
    """
    msg = f"`leadsync {command}` is not available yet: {reason}"
    raise NotAvailableError(
        msg,
        hint=hint or "run `leadsync doctor` to check your project in the meantime",
    )


__all__ = ["CommandContext", "begin", "not_available"]
