from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from connector.models import Lead, lead_age_bucket


@pytest.mark.parametrize(
    ("created", "as_of", "bucket"),
    [
        # D-1: LeadAge_0-1M from the documents, then our buckets in whole months.
        ("2025-04-01", "2025-04-30", "LeadAge_0-1M"),
        ("2025-04-01", "2025-05-01", "LeadAge_1-3M"),
        ("2025-04-15", "2025-05-14", "LeadAge_0-1M"),
        ("2025-04-01", "2025-07-01", "LeadAge_3-6M"),
        ("2025-04-01", "2025-10-01", "LeadAge_6-12M"),
        ("2025-04-01", "2026-04-01", "LeadAge_12M+"),
    ],
)
def test_lead_age_bucket_d1_boundaries(created: str, as_of: str, bucket: str) -> None:
    from datetime import date

    assert lead_age_bucket(date.fromisoformat(created), date.fromisoformat(as_of)) == bucket


def test_lead_rejects_naive_datetime() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        Lead(lead_id="00Q1", created_at=datetime(2025, 4, 1))


def test_lead_missing_consent_counts_as_no() -> None:
    lead = Lead(lead_id="00Q1", created_at=datetime(2025, 4, 1, tzinfo=UTC))
    assert lead.privacy_consent is False
    assert lead.marketing_consent is False
