from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from connector.config.policy import Policy, default_policy

# decision 25: a small, fast hypothesis profile for CI.
settings.register_profile(
    "leadsync-engine",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("leadsync-engine")


@pytest.fixture(scope="session")
def policy() -> Policy:
    return default_policy()
