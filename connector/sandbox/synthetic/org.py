"""The synthetic org: owners, campaigns and a lazily built, indexable sequence of leads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Final

from connector.sandbox.synthetic.leads import LeadFactory
from connector.sandbox.synthetic.profiles import HISTORY_DAYS, PROFILES
from connector.sandbox.synthetic.records import SyntheticCampaign, SyntheticLead, SyntheticOwner
from connector.sandbox.synthetic.vocabulary import FIRST_NAMES, LAST_NAMES

#: Malformed leads per 100 (D-6 test data; the brief asks for about 3 %).
MALFORMED_PER_100: Final = 3
_SF_ID_SUFFIX: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
#: (department, type code, Salesforce Campaign.Type, names by quarter)
_CAMPAIGN_TEMPLATES: Final = (
    ("MKT", "AD", "Advertisement", ("SpringEvent", "SummerDrive", "AutumnFair", "WinterDeal")),
    ("MKT", "EM", "Email", ("Newsletter",) * 4),
    ("SA", "EV", "Event", ("TestDriveWeek", "ShowroomDay", "TestDriveWeek", "YearEndShow")),
    ("CRM", "SMS", "Direct Marketing", ("Retarget",) * 4),
    ("MKT", "SO", "Social", ("SocialBuzz", "CreatorCollab", "SocialBuzz", "HolidayReels")),
)


def salesforce_id(prefix: str, number: int) -> str:
    """An 18-character Salesforce-style id: 3-char prefix, 12 digits, case checksum suffix."""
    base = f"{prefix}{number:012d}"
    suffix = ""
    for chunk in range(3):
        bits = sum(
            1 << i for i, char in enumerate(base[chunk * 5 : chunk * 5 + 5]) if char.isupper()
        )
        suffix += _SF_ID_SUFFIX[bits]
    return base + suffix


def _owners(rng: Random, count: int) -> tuple[SyntheticOwner, ...]:
    owners = []
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        department = "SA" if number % 8 else rng.choice(("CS", "AS"))
        owners.append(
            SyntheticOwner(
                owner_id=salesforce_id("005", number),
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{number}@dealer.example.com".lower(),
                # D-1 owner id format DEALER_DEPT_EMPNO
                employee_code=f"HMC_{department}_{number:05d}",
                department=department,
            )
        )
    return tuple(owners)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _campaigns(rng: Random, anchor: datetime) -> tuple[SyntheticCampaign, ...]:
    first = (anchor - timedelta(days=HISTORY_DAYS + 1)).date().replace(day=1)
    month = first
    campaigns = []
    while month <= anchor.date():
        for department, type_code, campaign_type, names in _CAMPAIGN_TEMPLATES:
            name = names[(month.month - 1) // 3]
            # D-1 campaign code: DEPT_TYPE_NAME_YYYYMM
            campaigns.append(
                SyntheticCampaign(
                    code=f"{department}_{type_code}_{name}_{month:%Y%m}",
                    name=f"{name} {month:%Y-%m}",
                    campaign_type=campaign_type,
                    department=department,
                    month=month,
                    cost=round(rng.uniform(500.0, 25_000.0), 2),
                    utm_campaign=f"{_snake(name)}_{month:%Y%m}",
                )
            )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return tuple(campaigns)


@dataclass(frozen=True, slots=True)
class SyntheticOrg:
    """A generated CRM org. Leads are built on demand, so iterating holds one lead at a time.

    ``len(org)`` is the number of leads; ``org.lead(i)`` and iteration always give the same
    records for the same seed and anchor.
    """

    seed: int
    anchor: datetime
    n_leads: int
    owners: tuple[SyntheticOwner, ...]
    queue: SyntheticOwner
    campaigns: tuple[SyntheticCampaign, ...]
    _factory: LeadFactory = field(repr=False, compare=False)

    def __len__(self) -> int:
        """Number of leads."""
        return self.n_leads

    def __iter__(self) -> Iterator[SyntheticLead]:
        """Build the leads one by one, in key order."""
        return self.leads()

    def leads(self, start: int = 0, stop: int | None = None) -> Iterator[SyntheticLead]:
        """Build leads ``start`` .. ``stop - 1`` lazily (default: all of them)."""
        end = self.n_leads if stop is None else min(stop, self.n_leads)
        build = self._factory.build
        for index in range(max(start, 0), end):
            yield build(index)

    def lead(self, index: int) -> SyntheticLead:
        """Build lead number ``index`` (0-based).

        Raises:
            IndexError: ``index`` is outside ``0 .. len(org) - 1``.
        """
        if not 0 <= index < self.n_leads:
            msg = f"lead index {index} out of range 0..{self.n_leads - 1}"
            raise IndexError(msg)
        return self._factory.build(index)


def generate(n_leads: int, *, seed: int = 0, anchor: datetime | None = None) -> SyntheticOrg:
    """Generate a synthetic org of ``n_leads`` leads, deterministic for ``seed`` and ``anchor``.

    Leads are created over the 18 months before ``anchor`` and no valid date lies after it;
    profiles are dealt so that any 100 consecutive leads show every lifecycle profile, and
    exactly 3 in every 100 consecutive leads are malformed (D-6 test data).

    Args:
        n_leads: Number of leads (>= 0).
        seed: Seed for every random choice (``random.Random``, never the global one).
        anchor: The generation's "now"; default the current UTC time rounded down to the
            minute. A naive datetime is rejected.

    Returns:
        The org; its leads are built lazily on iteration.

    Raises:
        ValueError: ``n_leads`` is negative or ``anchor`` is naive.
    """
    if n_leads < 0:
        msg = f"n_leads must be >= 0, got {n_leads}"
        raise ValueError(msg)
    if anchor is None:
        anchor = datetime.now(UTC).replace(second=0, microsecond=0)
    elif anchor.tzinfo is None:
        msg = "anchor must be timezone-aware"
        raise ValueError(msg)
    anchor = anchor.astimezone(UTC)
    rng = Random(seed)
    owners = _owners(rng, max(8, min(200, n_leads // 400 + 1)))
    queue = SyntheticOwner(
        owner_id=salesforce_id("00G", 1),
        first_name="",
        last_name="Web Leads Queue",
        email="web-leads@dealer.example.com",
        employee_code="HMC_SA_QUEUE",
        department="SA",
        is_queue=True,
    )
    campaigns = _campaigns(rng, anchor)
    profile_deck = [name for name, weight, _ in PROFILES for _ in range(weight)]
    rng.shuffle(profile_deck)
    malformed_deck = [slot < MALFORMED_PER_100 for slot in range(100)]
    rng.shuffle(malformed_deck)
    factory = LeadFactory(
        seed=seed,
        anchor=anchor,
        users=owners,
        queue=queue,
        campaigns=campaigns,
        profile_deck=tuple(profile_deck),
        malformed_deck=tuple(malformed_deck),
    )
    return SyntheticOrg(seed, anchor, n_leads, owners, queue, campaigns, factory)
