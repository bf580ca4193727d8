"""Shared constants of the engine unit tests."""

from __future__ import annotations

from datetime import UTC, datetime

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
