"""Synthetic data generator benchmark (issue 3: 100,000 leads in under 30 s).

Usage: ``python bench/generator.py [N]`` (default 100,000). Generates N leads with their
activities for one seed and prints the time, the rate and the activity count.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from connector.sandbox.generator import generate


def main() -> None:
    """Print the figures."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    anchor = datetime(2025, 6, 30, tzinfo=UTC)
    started = time.perf_counter()
    leads = events = 0
    for lead in generate(n, seed=1, anchor=anchor):
        leads += 1
        events += len(lead.events)
    took = time.perf_counter() - started
    verdict = "meets" if took * 100_000 / n < 30 else "MISSES"
    print(f"generator: {leads:,} leads with {events:,} activities in {took:.1f}s")
    print(f"rate: {leads / took:,.0f} leads/s -> 100,000 leads in {100_000 / (leads / took):.1f}s")
    print(f"target: 100,000 leads in under 30 s -> {verdict}")


if __name__ == "__main__":
    main()
