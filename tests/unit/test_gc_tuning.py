"""`leadsync` collects less often during batches, and still collects (connector/gc_tuning.py)."""

from __future__ import annotations

import gc
import subprocess
import sys


def test_tuning_freezes_start_up_objects_and_keeps_collecting() -> None:
    # A child process: freezing and the thresholds are process-wide, so not in pytest's own.
    code = (
        "import gc\n"
        "from connector.gc_tuning import tune_for_batches\n"
        "tune_for_batches()\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 0, *gc.get_threshold())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    enabled, frozen, *thresholds = out
    assert enabled == "True"
    assert frozen == "True"
    young, middle, old = (int(t) for t in thresholds)
    default_young = gc.get_threshold()[0]
    assert young > default_young, "generation 0 should be collected less often than by default"
    # A full collection must still come within ~100 M allocations (a months-long `leadsync run`).
    assert 0 < young * middle * old <= 100_000_000
