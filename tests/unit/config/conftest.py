import pytest


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """No LEADSYNC_* variable of the machine leaks into a test (style 17)."""
    import os

    for name in list(os.environ):
        if name.startswith("LEADSYNC_"):
            monkeypatch.delenv(name)
