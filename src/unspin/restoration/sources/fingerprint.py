"""The ``fingerprint`` source: tortured phrases of a curated list (Problematic Paper Screener),
through :func:`unspin.lang.fingerprints.phrase_table`. One hit proposes the listed correct term."""

from __future__ import annotations

from . import Candidate, Strengths

_HIT: Strengths = (1.0,)


class FingerprintSource:
    name = "fingerprint"
    weights = ("fingerprint",)
    possessive = False  # a listed phrase says nothing about its possessive

    def __init__(self, phrases: dict[tuple[str, ...], tuple[str, ...]] | None = None):
        self.phrases = phrases or {}  # tortured word tuple -> correct word tuple

    @classmethod
    def shipped(cls) -> "FingerprintSource":
        """The shipped list (empty when the fingerprint module is unavailable)."""
        try:
            from ...lang.fingerprints import phrase_table
        except ImportError:
            return cls({})
        return cls(phrase_table())

    def propose(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], Strengths]]:
        fp = self.phrases.get(words)
        return [(tuple(fp), _HIT)] if fp else []

    def spun_sides(self):
        return self.phrases.keys()

    def exact(self, strengths: Strengths) -> bool:
        return True

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        return {"fingerprint": float(c.strengths(self.name) is not None)}
