"""unspin inside other data tools: a function for Hugging Face ``datasets.map(batched=True)``.

>>> fn = HFAnnotate(AnnotateConfig(detect=None, restore=RestoreConfig()))
>>> fn({"id": [1], "text": [""]})
{'id': [1], 'text': [''], 'restored': [''], 'edits': [[]]}
"""

from __future__ import annotations

import dataclasses

from ..annotate import AnnotateConfig, Annotator, get_annotator
from ..restoration.restorer import RestoreConfig  # noqa: F401  (the doctest's)

__all__ = ["HFAnnotate"]


class HFAnnotate:
    """``dataset.map(HFAnnotate(config), batched=True)``: a batch of columns in, the same columns
    plus unspin's fields out (the fields of :mod:`unspin.annotate`). A row without text is kept
    and gets ``unspin_error``. Picklable without its models (``num_proc`` workers load their own,
    once each)."""

    def __init__(self, config: AnnotateConfig | None = None):
        self.config = dataclasses.replace(config or AnnotateConfig(), on_bad="mark")
        self._annotator: Annotator | None = None

    def __getstate__(self):
        return {"config": self.config, "_annotator": None}

    def __call__(self, batch: dict[str, list]) -> dict[str, list]:
        if self._annotator is None:
            self._annotator = get_annotator(self.config)
        n = len(next(iter(batch.values()), []))
        rows = self._annotator([{k: v[i] for k, v in batch.items()} for i in range(n)])
        keys = list(batch) + [k for r in rows for k in r if k not in batch]
        keys = list(dict.fromkeys(keys))
        return {k: [r.get(k) for r in rows] for k in keys}
