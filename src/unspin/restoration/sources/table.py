"""The ``table`` source: spinner substitutions learned from aligned pairs
(:class:`unspin.restoration.table.SubstitutionTable`), exact and at lemma level.

Strengths: (count of this exact substitution, count at lemma level).
"""

from __future__ import annotations

import math

from ...lang.words import FUNCTION_WORDS
from ..table import SubstitutionTable
from . import Candidate, Strengths


class TableSource:
    name = "table"
    weights = ("table", "table_lemma", "table_function")
    possessive = True  # "nation" -> "country" teaches "nation's" -> "country's"

    def __init__(self, table: SubstitutionTable | None = None):
        self.table = table

    def propose(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], Strengths]]:
        table = self.table
        if table is None:
            return []
        out = [(orig, (count, 0.0)) for orig, count in table.lookup(words)]
        out += [(orig, (0.0, count)) for orig, count in table.lookup_lemma(words)]
        return out

    def spun_sides(self):
        return self.table.spun_sides() if self.table is not None else ()

    def exact(self, strengths: Strengths) -> bool:
        return bool(strengths[0])

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        exact, lemma = c.strengths(self.name) or (0.0, 0.0)
        return {
            "table": math.log1p(exact),
            "table_lemma": math.log1p(lemma),
            # "within"->"in", "have been"->"were": real spinner habits, but the spun side is
            # common in clean text too, so a learned count says less there.
            "table_function": (math.log1p(exact) + math.log1p(lemma)
                               if all(x in FUNCTION_WORDS for x in spun) else 0.0),
        }
