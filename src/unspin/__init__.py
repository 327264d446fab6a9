"""unspin: detect machine-spun text, restore its original wording, and trace it to its source.

>>> import unspin
>>> r = unspin.restore("")
>>> r.text, r.edits
('', [])
"""

from __future__ import annotations

__version__ = "0.1.0"

from .results import Edit, Restoration, apply_edits
from .restoration.restorer import RestoreConfig, restore, restore_many

# Both are cheap to import: models load on first use.
from .detection.detector import DetectConfig, detect  # noqa: E402
from .tracing.search import trace  # noqa: E402

__all__ = [
    "Edit",
    "Restoration",
    "RestoreConfig",
    "apply_edits",
    "restore",
    "restore_many",
    "DetectConfig",
    "detect",
    "trace",
]
