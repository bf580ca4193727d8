"""``StoreTx``: the repositories of one transaction, bound to one CRM connection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property

from sqlalchemy import Connection

from connector.store.activities import BehaviourEventRepository, ResponseRecordRepository
from connector.store.alerts import AlertLogRepository
from connector.store.campaigns import CampaignRepository
from connector.store.erasure import ErasureRepository
from connector.store.lead_state import LeadStateRepository
from connector.store.leads import LeadRepository
from connector.store.outbox import OutboxRepository
from connector.store.quality import QualityRepository
from connector.store.runs import RunRepository
from connector.store.touches import TouchRepository
from connector.store.transitions import TransitionRepository
from connector.store.watermarks import WatermarkRepository


class StoreTx:
    """What ``Store.transaction(connection_id)`` yields: one repository per aggregate.

    Everything done through it commits together at the end of the ``with``
    block, or not at all.
    """

    def __init__(
        self, connection: Connection, connection_id: str, clock: Callable[[], datetime]
    ) -> None:
        """Bind to an open connection inside a transaction."""
        self.connection = connection
        self.connection_id = connection_id
        self._clock = clock

    @cached_property
    def campaigns(self) -> CampaignRepository:
        """The CRM's campaigns (K-1 costs, K-7 membership)."""
        return CampaignRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def leads(self) -> LeadRepository:
        """Leads (canonical fields, input hash)."""
        return LeadRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def responses(self) -> ResponseRecordRepository:
        """D-5 response records."""
        return ResponseRecordRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def events(self) -> BehaviourEventRepository:
        """L-2 behaviour events."""
        return BehaviourEventRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def lead_state(self) -> LeadStateRepository:
        """Per-lead engine state, next review, last pushed values."""
        return LeadStateRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def transitions(self) -> TransitionRepository:
        """The append-only S-5 log."""
        return TransitionRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def outbox(self) -> OutboxRepository:
        """Pending CRM writes."""
        return OutboxRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def watermarks(self) -> WatermarkRepository:
        """Incremental-pull bookmarks."""
        return WatermarkRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def quality(self) -> QualityRepository:
        """Data-quality issues (D-6)."""
        return QualityRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def alerts(self) -> AlertLogRepository:
        """The alert log (frequency caps)."""
        return AlertLogRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def touches(self) -> TouchRepository:
        """Customer-facing touches and their answers."""
        return TouchRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def runs(self) -> RunRepository:
        """The run log."""
        return RunRepository(self.connection, self.connection_id, self._clock)

    @cached_property
    def erasure(self) -> ErasureRepository:
        """Tombstones of forgotten people, forgetting and retention purges."""
        return ErasureRepository(self.connection, self.connection_id, self._clock)
