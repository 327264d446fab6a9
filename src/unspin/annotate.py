"""The one per-batch path: records in, the same records with unspin's fields added, out.

The CLI's JSONL modes, a Ray worker (``map_batches`` with :class:`Annotator` as a callable
class) and an HTTP handler all call this, so the output fields exist in one place:

======================  ===========================================================  =========
field                   value                                                        added by
======================  ===========================================================  =========
``spin_score``          calibrated probability of spinning, 4 decimals               detect
``spin_flagged``        ``Detection.flagged(threshold)``                             detect
``spin_spans``          suspicious spans (``Span.to_dict()``)                        detect
``restored``            the restored text                                            restore
``edits``               the edits that produce it (``Edit.to_dict()``)               restore
``matches``             likely sources (``Match.to_dict()``)                         trace
======================  ===========================================================  =========

Every input field is kept. A record whose text field is missing or not a string raises
:class:`BadRecord` (``on_bad="raise"``) or keeps its fields and gains ``unspin_error``
(``on_bad="mark"``: nothing is lost in a batch job).

>>> a = Annotator(AnnotateConfig(detect=None, restore=RestoreConfig()))
>>> a([{"id": 1, "text": ""}])
[{'id': 1, 'text': '', 'restored': '', 'edits': []}]
>>> a([{"id": 2}])
Traceback (most recent call last):
...
unspin.annotate.BadRecord: record 0: field 'text' is missing or not a string
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import UnspinError
from .restoration.restorer import RestoreConfig, Restoration, get_restorer

__all__ = ["AnnotateConfig", "Annotator", "BadRecord", "annotate", "FIELDS",
           "detection_fields", "restoration_fields", "trace_fields"]

FIELDS = ("spin_score", "spin_flagged", "spin_spans", "restored", "edits", "matches")


def detection_fields(d, threshold: float = 0.5) -> dict:
    """The fields of a :class:`~unspin.results.Detection`."""
    return {"spin_score": round(d.score, 4), "spin_flagged": d.flagged(threshold),
            "spin_spans": [s.to_dict() for s in d.spans]}


def restoration_fields(r: Restoration) -> dict:
    """The fields of a :class:`~unspin.results.Restoration`."""
    return {"restored": r.text, "edits": [e.to_dict() for e in r.edits]}


def trace_fields(matches) -> dict:
    """The fields of a list of :class:`~unspin.results.Match`."""
    return {"matches": [m.to_dict() for m in matches]}


class BadRecord(UnspinError):
    """A record without a usable text field (the message names it and the record's position)."""

    def __init__(self, position: int, message: str):
        super().__init__(f"record {position}: {message}")
        self.position = position
        self.reason = message


@dataclass(frozen=True)
class AnnotateConfig:
    """What to add. ``detect``/``restore``: the capability's own config, or None to skip it;
    ``trace_index``: path of a trace index (None: no trace)."""

    detect: object | None = field(default_factory=lambda: _default_detect_config())
    restore: RestoreConfig | None = None
    trace_index: str | None = None
    trace_k: int = 5
    trace_restore: bool = False        # trace also uses restoration's proposals
    threshold: float = 0.5             # for spin_flagged
    text_field: str = "text"
    on_bad: str = "raise"              # "raise" or "mark"

    def __post_init__(self):
        if self.on_bad not in ("raise", "mark"):
            raise ValueError("on_bad must be 'raise' or 'mark'")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("threshold must be between 0 and 1")


def _default_detect_config():
    from .detection.detector import DetectConfig

    return DetectConfig()


class Annotator:
    """Models loaded once (per process, per Ray worker); call it on a batch of records."""

    def __init__(self, config: AnnotateConfig | None = None):
        self.config = config = config if config is not None else AnnotateConfig()
        self.detector = None
        if config.detect is not None:
            from .detection.detector import get_detector

            self.detector = get_detector(config.detect)
        self.restorer = get_restorer(config.restore) if config.restore is not None else None
        self.index = None
        if config.trace_index is not None:
            from .tracing.index import Index

            self.index = Index.open(config.trace_index)
            self.index.load()

    def close(self) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None

    def fields(self, text: str) -> dict:
        """The fields this configuration adds for one text."""
        c = self.config
        out: dict = {}
        if self.detector is not None:
            out.update(detection_fields(self.detector.detect(text), c.threshold))
        if self.restorer is not None:
            r = self.restorer.restore(text) if text.strip() else Restoration(text, text, [])
            out.update(restoration_fields(r))
        if self.index is not None:
            from .tracing.search import trace

            out.update(trace_fields(trace(text, self.index, c.trace_k, restore=c.trace_restore)))
        return out

    def annotate_record(self, record: dict, position: int = 0) -> dict:
        text = record.get(self.config.text_field)
        if not isinstance(text, str):
            err = BadRecord(position, f"field {self.config.text_field!r} is missing or not a string")
            if self.config.on_bad == "raise":
                raise err
            return {**record, "unspin_error": err.reason}
        return {**record, **self.fields(text)}

    def __call__(self, records: Iterable[dict]) -> list[dict]:
        return [self.annotate_record(r, i) for i, r in enumerate(records)]


@functools.lru_cache(maxsize=4)
def get_annotator(config: AnnotateConfig) -> Annotator:
    return Annotator(config)


def annotate(records: Iterable[dict], config: AnnotateConfig | None = None) -> list[dict]:
    """Records with unspin's fields added (see the module docstring); models load once."""
    return get_annotator(config or AnnotateConfig())(records)
