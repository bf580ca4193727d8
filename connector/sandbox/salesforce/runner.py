"""``leadsync sandbox serve --crm salesforce``: run the emulator until interrupted."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from connector.sandbox.faults import FaultSpec
from connector.sandbox.salesforce.server import SalesforceSandbox

_log = logging.getLogger(__name__)


def serve_forever(
    port: int = 0,
    leads: int = 100,
    seed: int = 0,
    faults: FaultSpec | str | None = None,
    env_file: Path | None = None,
    *,
    api_budget: int = 15000,
    login: str = "client-credentials",
    on_ready: Callable[[SalesforceSandbox], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Seed and serve a Salesforce emulator until ``stop`` is set or Ctrl-C.

    Args:
        port: TCP port on 127.0.0.1 (0: any free port; the chosen one is logged and written
            to ``env_file``).
        leads: synthetic leads to seed.
        seed: seed of the synthetic data.
        faults: fault spec, e.g. ``rate=0.2,kinds=429+500+timeout,seed=7``.
        env_file: where to write the settings that point a project at the emulator (0600).
        api_budget: the org's daily API allocation.
        login: which login the env file sets up (``client-credentials``, ``password``, ``jwt``).
        on_ready: called with the running sandbox (the CLI prints its URL there).
        stop: an event that ends the loop (tests); default: run until KeyboardInterrupt.
    """
    sandbox = SalesforceSandbox(
        port=port, seed=seed, leads=leads, faults=faults, api_budget=api_budget
    )
    with sandbox:
        if env_file is not None:
            sandbox.write_env_file(env_file, login=login)
        _log.info("Salesforce sandbox serving at %s", sandbox.base_url)
        if on_ready is not None:
            on_ready(sandbox)
        waiter = stop or threading.Event()
        try:
            while not waiter.wait(0.5):
                pass
        except KeyboardInterrupt:
            _log.info("Salesforce sandbox stopped")


__all__ = ["serve_forever"]
