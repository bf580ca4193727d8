"""The common shape of every repository: one open connection, one CRM connection id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection


class Repository:
    """Base of the per-aggregate repositories.

    A repository works inside the caller's transaction (``Store.transaction``);
    it never commits. Every statement is filtered by ``connection_id`` (decision 14).

    Args:
        connection: an open SQLAlchemy connection inside a transaction.
        connection_id: the CRM connection whose rows this repository reads and writes.
        clock: returns aware UTC "now" for bookkeeping columns.
    """

    def __init__(
        self, connection: Connection, connection_id: str, clock: Callable[[], datetime]
    ) -> None:
        """Bind the repository to one transaction and one CRM connection."""
        self._conn = connection
        self._cid = connection_id
        self._clock = clock

    @property
    def connection_id(self) -> str:
        """The CRM connection this repository is bound to."""
        return self._cid
