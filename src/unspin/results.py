"""Result types of restore, detect and trace: dataclasses that serialise to JSON.

One schema serves the library, the CLI's ``--json``/JSONL and (later) the HTTP API. Offsets are
code-point indices into the input, half-open. Evidence: an :class:`Edit` names the sources that
proposed its original (``["table", "moby", "lm:3-gram"]``); a :class:`Span` lists evidence
records, each a dict with a ``kind`` (``scan``, ``fingerprint``, ``restoration``: the latter
carries the edit's ``sources``); a :class:`Match` carries its aligned passages.
""" 

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Edit:
    """One replacement: ``input[start:end] == spun`` becomes ``original``.

    Offsets are code-point indices into the input, half-open.
    """

    start: int
    end: int
    spun: str
    original: str
    confidence: float
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Restoration:
    """The restored text and the edits that produce it from the input."""

    input: str
    text: str
    edits: list[Edit]

    def to_dict(self) -> dict:
        return {"text": self.text, "edits": [e.to_dict() for e in self.edits]}

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Replay ``edits`` on ``text`` (they must not overlap).

    >>> apply_edits("the assault began", [Edit(4, 11, "assault", "attack", 0.9)])
    'the attack began'
    """
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: e.start):
        if e.start < pos:
            raise ValueError(f"overlapping edits at {e.start}")
        if text[e.start:e.end] != e.spun:
            raise ValueError(f"edit at {e.start}-{e.end} does not match the text")
        out.append(text[pos:e.start])
        out.append(e.original)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


# -------------------------------------------------------------------------------- detect

@dataclass(slots=True)
class Span:
    """A suspicious stretch: ``text[start:end]``, what it probably said, and why."""

    start: int
    end: int
    text: str
    original: str          # likely original wording ("" when unknown)
    score: float           # probability that the stretch is a spinner's substitution
    evidence: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "original": self.original,
                "score": round(self.score, 4), "evidence": self.evidence}


@dataclass(slots=True)
class Detection:
    """``score``: calibrated probability that the text was produced by synonym spinning."""

    score: float
    spans: list[Span]
    words: int
    features: dict[str, float] = field(default_factory=dict)
    mode: str = "full"
    note: str = ""
    restored: bool = False  # restoration ran and its evidence is in the score and the spans

    @property
    def empty(self) -> bool:
        """No words at all (empty or whitespace-only text): no evidence either way, so the
        score stays at the even prior and the document is never flagged."""
        return self.words == 0

    @property
    def label(self) -> str:
        return "no text" if self.empty else risk_label(self.score)

    def to_dict(self) -> dict:
        d = {"score": round(self.score, 4), "label": self.label, "words": self.words, "mode": self.mode,
             "restored": self.restored,
             "spans": [s.to_dict() for s in self.spans],
             "features": {k: round(v, 4) for k, v in self.features.items()}}
        if self.note:
            d["note"] = self.note
        return d

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kw)

    def flagged(self, threshold: float = 0.5) -> bool:
        """The flag policy: a score at or above ``threshold``; in fingerprint-only mode also at
        least one hit (with none, that mode has no evidence either way and scores 0.5); never
        for a document with no words (no evidence at all, whatever the threshold).

        >>> Detection(0.5, [], 10, mode="fingerprints").flagged(), Detection(0.5, [], 10).flagged()
        (False, True)
        >>> Detection(0.5, [], 0).flagged(0.0), Detection(0.5, [], 0).label
        (False, 'no text')
        """
        if self.empty:
            return False
        return self.score >= threshold and (self.mode != "fingerprints" or bool(self.spans))


def risk_label(score: float) -> str:
    """Plain-words reading of a score (a risk marker, never a verdict)."""
    if score >= 0.9:
        return "high risk of spinning"
    if score >= 0.6:
        return "elevated risk"
    if score > 0.4:
        return "inconclusive"
    return "no strong signs"


# --------------------------------------------------------------------------------- trace

@dataclass(slots=True)
class Piece:
    """One stretch of an alignment. ``kind`` is ``same`` (identical words), ``swap`` (the query
    has ``query`` where the source has ``source``), ``query_only`` or ``source_only``.
    Offsets are code-point indices into the query text and the source text."""

    kind: str
    query: str
    source: str
    query_start: int
    query_end: int
    source_start: int
    source_end: int

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "query": self.query, "source": self.source,
            "query_start": self.query_start, "query_end": self.query_end,
            "source_start": self.source_start, "source_end": self.source_end,
        }


@dataclass(slots=True)
class AlignedPassage:
    """A stretch of the query and the stretch of the source it was copied from, aligned."""

    query_start: int
    query_end: int
    source_start: int
    source_end: int
    query_text: str
    source_text: str
    score: float
    pieces: list[Piece] = field(default_factory=list)

    @property
    def swaps(self) -> list[Piece]:
        return [p for p in self.pieces if p.kind == "swap"]

    def to_dict(self) -> dict:
        return {
            "query_start": self.query_start, "query_end": self.query_end,
            "source_start": self.source_start, "source_end": self.source_end,
            "query_text": self.query_text, "source_text": self.source_text,
            "score": round(self.score, 4),
            "pieces": [p.to_dict() for p in self.pieces],
        }


@dataclass(slots=True)
class Match:
    """A likely source of the query."""

    id: str
    score: float
    url: str | None = None
    date: str | None = None
    passages: list[AlignedPassage] = field(default_factory=list)
    share: float | None = None  # share of the query's text copied from this source (a mosaic's part)

    @property
    def swaps(self) -> list[Piece]:
        """Every swapped stretch: ``query`` is the spun wording, ``source`` the original."""
        return [p for a in self.passages for p in a.swaps]

    def to_dict(self, evidence: bool = True) -> dict:
        d: dict = {"id": self.id, "score": round(self.score, 4)}
        if self.url is not None:
            d["url"] = self.url
        if self.date is not None:
            d["date"] = self.date
        if self.share is not None:
            d["share"] = self.share
        if evidence:
            d["swaps"] = [{"spun": p.query, "original": p.source} for p in self.swaps]
            d["passages"] = [a.to_dict() for a in self.passages]
        return d
