"""Settings from the environment and the project's ``.env`` (interfaces.md, decision 15).

Precedence, highest first: command-line option > environment > the project's
``.env`` > ``config/connections.yaml`` > built-in default. The order is one
explicit method, :meth:`Settings.settings_customise_sources`, as in
pydantic-settings' own docs; the connections.yaml values enter as the lowest
source through :func:`load_settings`.

Secrets are :class:`~pydantic.SecretStr`: they print as ``**********`` and are
unwrapped only where a client is built (style 12).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from pydantic import SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from connector.config.connections import Connections
from connector.errors import ConfigError, ConfigProblem

ENV_PREFIX = "LEADSYNC_"
DEFAULT_HUBSPOT_BASE_URL = "https://api.hubapi.com"


class Settings(BaseSettings):
    """Every ``LEADSYNC_*`` variable of interfaces.md."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=None,  # the project's .env is passed by load_settings
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    project_dir: Path | None = None
    database_url: SecretStr | None = None

    salesforce_instance_url: str | None = None
    salesforce_username: str | None = None
    salesforce_password: SecretStr | None = None
    salesforce_security_token: SecretStr | None = None
    salesforce_domain: str | None = None
    salesforce_client_id: str | None = None
    salesforce_client_secret: SecretStr | None = None
    salesforce_consumer_key: str | None = None
    salesforce_private_key_file: Path | None = None
    salesforce_session_id: SecretStr | None = None
    salesforce_ca_bundle: Path | None = None

    hubspot_access_token: SecretStr | None = None
    hubspot_base_url: str = DEFAULT_HUBSPOT_BASE_URL

    smtp_password: SecretStr | None = None
    alert_webhook_url: SecretStr | None = None

    log_level: str = "INFO"

    #: Lowest-precedence values (from connections.yaml); set per load by load_settings.
    _file_values: ClassVar[Mapping[str, Any]] = {}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Decision 15: CLI (init kwargs) > environment > .env > connections.yaml > default."""
        del file_secret_settings  # no /run/secrets directory in our deployments
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            _MappingSource(settings_cls, cls._file_values),
        )

    def secret_values(self) -> Iterator[str]:
        """Every secret's plain value (for the redaction filter only)."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                yield value.get_secret_value()

    def resolved_database_url(self, project_dir: Path) -> str:
        """The store URL: the setting, else SQLite in ``<project>/.leadsync/state.db``."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(project_dir / '.leadsync' / 'state.db').resolve()}"


class _MappingSource(PydanticBaseSettingsSource):
    """A settings source over fixed values (the connections.yaml layer)."""

    def __init__(self, settings_cls: type[BaseSettings], values: Mapping[str, Any]) -> None:
        super().__init__(settings_cls)
        self._values = dict(values)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Required by the base class; values come from ``__call__``."""
        del field
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        """The values, keyed by field name."""
        return {k: v for k, v in self._values.items() if v is not None}


def values_from_connections(connections: Connections | None) -> dict[str, Any]:
    """The settings a ``connections.yaml`` provides (the layer below ``.env``)."""
    if connections is None:
        return {}
    return {
        "database_url": connections.database_url,
        "salesforce_instance_url": connections.salesforce.instance_url,
        "hubspot_base_url": connections.hubspot.base_url,
    }


def load_settings(
    project_dir: Path | None = None,
    *,
    connections: Connections | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings with decision 15's precedence.

    Args:
        project_dir: the project folder whose ``.env`` is read (if it exists).
        connections: the validated ``config/connections.yaml`` (lowest layer).
        overrides: values from command-line options (highest layer); ``None``
            values are ignored.

    Raises:
        ConfigError: a variable has an invalid value (names the variable, never
            the value of a secret).
    """
    env_file = project_dir / ".env" if project_dir is not None else None
    kwargs = {k: v for k, v in (overrides or {}).items() if v is not None}
    bound = type(
        "Settings",
        (Settings,),
        {"_file_values": values_from_connections(connections), "__module__": __name__},
    )
    try:
        settings = bound(
            _env_file=env_file if env_file is not None and env_file.is_file() else None,
            **kwargs,
        )
    except ValidationError as exc:
        problems = [
            ConfigProblem(
                file=".env / environment",
                key=f"{ENV_PREFIX}{str(err['loc'][0]).upper()}" if err["loc"] else "",
                expected=str(err["msg"]).removeprefix("Input should be "),
                found="an invalid value",
            )
            for err in exc.errors(include_url=False)
        ]
        raise ConfigError(problems=problems) from None
    return settings


__all__ = [
    "DEFAULT_HUBSPOT_BASE_URL",
    "ENV_PREFIX",
    "Settings",
    "load_settings",
    "values_from_connections",
]
