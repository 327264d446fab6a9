"""Result types. Every result is a dataclass that serialises to JSON."""

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
