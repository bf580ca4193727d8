"""The end-to-end rig of ``tests/contract/pipeline`` for the reliability tests (no copy).

``pipeline_rig`` lives next to the pipeline suite; this module puts that folder on
``sys.path`` once, so a reliability test runs its syncs through the very same rig.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PIPELINE = Path(__file__).parents[1] / "contract" / "pipeline"
if str(_PIPELINE) not in sys.path:
    sys.path.insert(0, str(_PIPELINE))

from pipeline_rig import ANCHOR, CRMS, ENV_TRAPS, Rig, later, open_rig  # noqa: E402

__all__ = ["ANCHOR", "CRMS", "ENV_TRAPS", "Rig", "later", "open_rig"]
