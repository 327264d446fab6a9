"""The ``pps_word`` source: the word swaps of the tortured-phrase list, read word by word.

A tortured phrase is made word by word by a spinner's thesaurus ("profound learning" for deep
learning, "irregular woods" for random forest), and the same tools spin the same words the same
way across papers: "disappointment" stands for failure in "liver disappointment", "kidney
disappointment" and "route disappointment". Aligning each entry of the Problematic Paper
Screener's list position by position (tortured and correct sides of equal length) gives the
spinner's word swaps with their counts (``data/ppswords.tsv``, built by
``tools/build/build_terms.py``). A phrase the list does not have can still be made of swaps it
has seen: this source proposes, for a single spun word, the originals the list's swaps give it,
and for a phrase the list's phrase swaps (sides of other lengths, the words both share at either
end set aside: "deep gaining knowledge" / "deep learning" gives gaining knowledge -> learning).

Exact forms first; a form the table lacks is looked up at lemma level and the originals
re-inflected like it (``disappointments`` -> ``failures``). Function words are neither
proposed nor given originals.

Strengths: (count of the swap, its share of the spun word's swaps, the share of the entries
holding the spun word where it is a swap at all). The features are ln(1 + count), ln(share)
and ln(swap share): a swap the list shows often and one that is the word's usual reading are
more likely right (``preparing`` -> training 25, -> processing 15), and a word that is mostly
the field's own ("data": a swap for information in 16 entries, itself in many more) says little.
"""

from __future__ import annotations

import functools
import math

from ...lang.morph import analyses, inflect
from ...lang.words import FUNCTION_WORDS
from . import Candidate, Strengths, shipped_text

# Originals proposed per spun word, most frequent first.
MAX_ORIGINALS = 8

Pairs = dict[str, list[tuple[str, int]]]  # spun word -> [(original, count)], most frequent first
KEPT = "="  # the "original" whose count is the entries where the word is no swap


def parse_pairs(raw: str) -> Pairs:
    """``spun<TAB>original<TAB>count`` lines (``#`` comments) as a :data:`Pairs` table (an
    original :data:`KEPT` counts the entries where the spun word is not a swap)."""
    out: dict[str, list[tuple[str, int]]] = {}
    for line in raw.splitlines():
        if not line or line.startswith("#"):
            continue
        spun, orig, n = line.split("\t")
        out.setdefault(spun, []).append((orig, int(n)))
    return {k: sorted(v, key=lambda x: (x[0] == KEPT, -x[1], x[0])) for k, v in out.items()}


@functools.lru_cache(maxsize=1)
def load_pairs() -> Pairs:
    """The shipped table (empty when the file is absent)."""
    raw = shipped_text("ppswords.tsv")
    return parse_pairs(raw) if raw is not None else {}


class PpsWordSource:
    name = "pps_word"
    weights = ("pps_word", "pps_word_share", "pps_word_swap")
    possessive = True  # "framework" -> "system" carries over to "framework's"
    # The list's swaps are a field's terms as much as a spinner's habits ("information" ->
    # data): the boldness thesaurus-only candidates get, not the full one.
    bold = False

    def __init__(self, pairs: Pairs | None = None):
        self.set_pairs(pairs or {})

    @classmethod
    def shipped(cls) -> "PpsWordSource":
        return cls(load_pairs())

    def set_pairs(self, pairs: Pairs) -> None:
        """Use another table (the evaluation's folds: tools/analysis/eval_pps.py). The restorer
        caches candidates per span: clear its caches too."""
        # phrase swaps ("gaining knowledge" -> learning): keyed by their words
        self.phrases = {tuple(k.split()): [(tuple(o.split()), n) for o, n in v if o != KEPT]
                        for k, v in pairs.items() if " " in k}
        self.phrases = {k: v for k, v in self.phrases.items() if v}
        # (every word swap is kept: a floor of 2 or 3 entries cost fold 0 and wild-dev, docs/restore.md)
        self.pairs = {k: [(o, n) for o, n in v if o != KEPT] for k, v in pairs.items()
                      if k not in FUNCTION_WORDS and " " not in k}
        self.pairs = {k: v for k, v in self.pairs.items() if v}
        self.totals = {k: sum(n for _, n in v) for k, v in self.pairs.items()}
        kept = {k: sum(n for o, n in v if o == KEPT) for k, v in pairs.items()}
        # of the entries holding the word, the share where it is a swap
        self.swap_share = {k: t / (t + kept.get(k, 0)) for k, t in self.totals.items()}

    def propose(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], Strengths]]:
        if len(words) != 1:
            row = self.phrases.get(words)
            if not row:
                return []
            total = sum(n for _, n in row)
            return [(o, (float(n), n / total, 1.0)) for o, n in row[:MAX_ORIGINALS]]
        if not self.pairs:
            return []
        word = words[0]
        if word in FUNCTION_WORDS:
            return []
        row = self.pairs.get(word)
        if row is not None:
            total, swap = self.totals[word], self.swap_share[word]
            return [((o,), (float(n), n / total, swap)) for o, n in row[:MAX_ORIGINALS] if o not in FUNCTION_WORDS]
        found: dict[str, tuple[float, float, float]] = {}
        for upos, lemma, tag in analyses(word):
            if lemma == word or lemma not in self.pairs:
                continue
            total, swap = self.totals[lemma], self.swap_share[lemma]
            for o, n in self.pairs[lemma][:MAX_ORIGINALS]:
                form = inflect(o, upos, tag)
                if form and form != word and " " not in form and form not in FUNCTION_WORDS:
                    old = found.get(form, (0.0, 0.0, 0.0))
                    found[form] = (max(old[0], float(n)), max(old[1], n / total), max(old[2], swap))
        best = sorted(found.items(), key=lambda x: (-x[1][0], x[0]))[:MAX_ORIGINALS]
        return [((form,), s) for form, s in best]

    def may_have(self, words: tuple[str, ...]) -> bool:
        """Whether a multi-word span is one of the phrase swaps (asked by
        CandidateGenerator.may_have; a dict look-up, so a fold's table is seen at once)."""
        return words in self.phrases

    def spun_sides(self):
        return ()  # nothing exact: a swap never edits a name or a number

    def exact(self, strengths: Strengths) -> bool:
        return False

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        s = c.strengths(self.name)
        if s is None:
            return {"pps_word": 0.0, "pps_word_share": 0.0, "pps_word_swap": 0.0}
        return {"pps_word": math.log1p(s[0]), "pps_word_share": math.log(max(s[1], 1e-6)),
                "pps_word_swap": math.log(max(s[2], 1e-6))}
