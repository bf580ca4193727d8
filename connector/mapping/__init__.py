"""Raw CRM records -> canonical models, validated against D-1..D-6 (never a crash)."""

from connector.mapping.records import MappedActivity, MappedLead, RecordMapper, lead_ref
from connector.mapping.values import BadValueError, parse_datetime

__all__ = [
    "BadValueError",
    "MappedActivity",
    "MappedLead",
    "RecordMapper",
    "lead_ref",
    "parse_datetime",
]
