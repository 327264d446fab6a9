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

# Imported eagerly (both are cheap: models load on first use) so that ``unspin.detect`` and
# ``unspin.trace`` are the functions, not the submodules of the same name.
from .detect import detect  # noqa: E402
from .trace import trace  # noqa: E402

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
