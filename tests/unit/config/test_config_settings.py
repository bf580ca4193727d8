"""Decision 15: command line > environment > .env > connections.yaml > built-in default."""

import pytest

from connector.config.connections import Connections
from connector.config.settings import DEFAULT_HUBSPOT_BASE_URL, load_settings
from connector.errors import ConfigError

YAML_URL = "https://yaml.example.com"
DOTENV_URL = "https://dotenv.example.com"
ENV_URL = "https://env.example.com"
CLI_URL = "https://cli.example.com"


def _connections():
    return Connections.model_validate(
        {
            "salesforce": {"enabled": True, "instance_url": YAML_URL},
            "hubspot": {"base_url": YAML_URL},
        }
    )


def _write_env(tmp_path):
    (tmp_path / ".env").write_text(f"LEADSYNC_SALESFORCE_INSTANCE_URL={DOTENV_URL}\n")


def test_settings_without_any_source_use_builtin_default(tmp_path):
    settings = load_settings(tmp_path)
    assert settings.salesforce_instance_url is None
    assert settings.hubspot_base_url == DEFAULT_HUBSPOT_BASE_URL


def test_settings_connections_yaml_beats_default(tmp_path):
    settings = load_settings(tmp_path, connections=_connections())
    assert settings.salesforce_instance_url == YAML_URL
    assert settings.hubspot_base_url == YAML_URL


def test_settings_dotenv_beats_connections_yaml(tmp_path):
    _write_env(tmp_path)
    settings = load_settings(tmp_path, connections=_connections())
    assert settings.salesforce_instance_url == DOTENV_URL


def test_settings_environment_beats_dotenv(tmp_path, monkeypatch):
    _write_env(tmp_path)
    monkeypatch.setenv("LEADSYNC_SALESFORCE_INSTANCE_URL", ENV_URL)
    settings = load_settings(tmp_path, connections=_connections())
    assert settings.salesforce_instance_url == ENV_URL


def test_settings_command_line_beats_environment(tmp_path, monkeypatch):
    _write_env(tmp_path)
    monkeypatch.setenv("LEADSYNC_SALESFORCE_INSTANCE_URL", ENV_URL)
    settings = load_settings(
        tmp_path, connections=_connections(), overrides={"salesforce_instance_url": CLI_URL}
    )
    assert settings.salesforce_instance_url == CLI_URL


def test_settings_secret_is_masked_in_repr(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSYNC_HUBSPOT_ACCESS_TOKEN", "pat-secret-123")
    settings = load_settings(tmp_path)
    assert "pat-secret-123" not in repr(settings)
    assert "pat-secret-123" not in str(settings.model_dump())
    assert settings.hubspot_access_token.get_secret_value() == "pat-secret-123"
    assert "pat-secret-123" in list(settings.secret_values())


def test_settings_default_database_is_project_sqlite(tmp_path):
    url = load_settings(tmp_path).resolved_database_url(tmp_path)
    assert url == f"sqlite:///{tmp_path.resolve()}/.leadsync/state.db"


def test_settings_invalid_value_names_variable_not_value(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSYNC_SALESFORCE_PRIVATE_KEY_FILE", "")
    monkeypatch.setenv("LEADSYNC_HUBSPOT_BASE_URL", "x")
    monkeypatch.setenv("LEADSYNC_LOG_LEVEL", "INFO")
    settings = load_settings(tmp_path)  # empty / plain strings are acceptable values
    assert settings.hubspot_base_url == "x"


def test_connections_database_url_with_password_is_refused():
    from connector.config.loader import load_model_text

    with pytest.raises(ConfigError) as caught:
        load_model_text(
            "database_url: postgresql://u:hunter22@db/x\n",
            Connections,
            label="config/connections.yaml",
        )
    (problem,) = caught.value.problems
    assert problem.key == "database_url"
    assert "LEADSYNC_DATABASE_URL" in problem.expected
