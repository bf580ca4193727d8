from __future__ import annotations

import pytest
from playbook_builders import Builder

from connector.config.policy import Policy, default_policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return default_policy()


@pytest.fixture
def mk(policy: Policy) -> Builder:
    return Builder(policy)
