"""Retention: each sweep purges what is older than ``connections.yaml`` ``retention.days``.

interfaces.md names no purge command, so the time-driven job that already runs daily
(``sweep``) does it; ``leadsync forget`` erases one person at once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from connector.pipeline.cycle import Cycle

logger = logging.getLogger(__name__)


def purge_expired(cycle: Cycle) -> dict[str, int]:
    """Delete this connection's rows older than the retention (nothing when it is unset).

    Returns:
        Rows deleted per table (empty when retention is off or in a dry run).
    """
    days = cycle.project.connections.retention.days
    if days is None or cycle.is_shadow:
        return {}
    cutoff = cycle.now - timedelta(days=days)
    with cycle.store.transaction(cycle.connection_id) as tx:
        deleted = tx.erasure.purge_before(cutoff)
    purged = {table: n for table, n in deleted.items() if n}
    if purged:
        logger.info(
            "retention: purged %s older than %d days",
            ", ".join(f"{n} {t}" for t, n in sorted(purged.items())),
            days,
            extra={"run_id": cycle.run_id},
        )
    return purged


__all__ = ["purge_expired"]
