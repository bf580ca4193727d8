"""Named crash points for the kill tests (issue 9): die with SIGKILL where the variable says.

``LEADSYNC_KILL_AT=push.task.sent:3`` makes the process kill itself, with no clean-up at
all, the 3rd time it reaches the point ``push.task.sent`` (``:n`` left out means the 1st).
``LEADSYNC_CHECKPOINT_TRACE=FILE`` appends the name of every point reached to FILE, so a
test can see which points a run passes and how often (the soak draws its points from it).

The variables are read once, at import. Unset (every real run), :func:`checkpoint` is a
function that returns at once: the points cost nothing.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

KILL_VARIABLE = "LEADSYNC_KILL_AT"
TRACE_VARIABLE = "LEADSYNC_CHECKPOINT_TRACE"


def _parse(spec: str) -> tuple[str, int]:
    name, _, count = spec.strip().partition(":")
    return name, int(count) if count else 1


_KILL_AT = _parse(os.environ[KILL_VARIABLE]) if os.environ.get(KILL_VARIABLE) else None
_TRACE = os.environ.get(TRACE_VARIABLE) or None
_ARMED = _KILL_AT is not None or _TRACE is not None
_reached: Counter[str] = Counter()


def checkpoint(name: str) -> None:
    """Mark a point where a crash must leave the state recoverable (a no-op unless armed)."""
    if not _ARMED:
        return
    _reached[name] += 1
    if _TRACE is not None:
        with open(_TRACE, "a", encoding="utf-8") as trace:  # noqa: PTH123
            trace.write(name + "\n")
    if (name, _reached[name]) == _KILL_AT:
        # SIGKILL, not an exception: no finally block, no rollback, no atexit runs.
        os.kill(os.getpid(), signal.SIGKILL)


__all__ = ["KILL_VARIABLE", "TRACE_VARIABLE", "checkpoint"]
