"""How long each part of a report took, at DEBUG (``leadsync -v report``, bench/report.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
_T = TypeVar("_T")


def timed(part: str, compute: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """``compute(*args, **kwargs)``, its time logged at DEBUG under ``part``."""
    # Which part of a slow report to look at, without a profiler.
    start = time.perf_counter()
    result = compute(*args, **kwargs)
    log.debug("report part %s: %.2fs", part, time.perf_counter() - start)
    return result


__all__ = ["timed"]
