"""unspin: detect machine-spun text, restore its original wording, and trace it to its source.

>>> import unspin
>>> r = unspin.restore("")
>>> r.text, r.edits
('', [])
"""

from __future__ import annotations

__version__ = "0.1.0"

from .results import Edit, Restoration, apply_edits
from .restore import RestoreConfig, restore, restore_many

__all__ = [
    "Edit",
    "Restoration",
    "RestoreConfig",
    "apply_edits",
    "restore",
    "restore_many",
    "detect",
    "trace",
]


def detect(text: str, **options):
    """Spin score and suspicious spans of ``text`` (see :mod:`unspin.detect`)."""
    from .detect import detect as _detect

    return _detect(text, **options)


def trace(text: str, index, k: int = 5, **options):
    """Top-``k`` likely sources of ``text`` in ``index`` (see :mod:`unspin.trace`)."""
    from .trace import trace as _trace

    return _trace(text, index, k=k, **options)
