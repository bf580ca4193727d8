"""Raw CRM records -> canonical models, validated against D-1..D-6 (never a crash)."""

from connector.mapping.records import MappedActivity, MappedLead, RecordMapper
from connector.mapping.values import BadValueError, parse_datetime

__all__ = ["BadValueError", "MappedActivity", "MappedLead", "RecordMapper", "parse_datetime"]
