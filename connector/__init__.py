"""leadsync: the lead-management connector for Salesforce and HubSpot."""

from connector.__about__ import __version__
from connector.errors import (
    ConfigError,
    ConnectionFailedError,
    LeadsyncError,
    LockHeldError,
    RecordError,
    SyncAbortedError,
    TransientError,
)

__all__ = [
    "ConfigError",
    "ConnectionFailedError",
    "LeadsyncError",
    "LockHeldError",
    "RecordError",
    "SyncAbortedError",
    "TransientError",
    "__version__",
]
