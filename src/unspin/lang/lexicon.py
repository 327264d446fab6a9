"""Candidate originals for a spun word or phrase, from the shipped thesaurus relations.

The data file is built by ``tools/build/build_lexicon.py`` from Moby Thesaurus II and WordNet 3.0;
each relation says which source links the two terms and in which direction.

Suggestions a person is shown must be fit to show: the thesauri link plain words to vulgar ones
and slurs ("nonsense" -> an obscenity), so the terms of ``data/blocklist.txt`` (built by
``tools/build/build_blocklist.py`` from WordNet's usage labels) are never returned as an
original of another term, nor is a term that contains one ("turkey-cock", "piece of shit":
trace matches a multi-word original by one of its words). Every capability reads originals here
(restore's candidates, detect's scan neighbours, trace's alternatives), so all of them get the
filter, for every word, a blocked one included: its blocked neighbours are words the text may
not use. (Candidates are cached per word form, so a blocked word the document uses elsewhere is
not let back in either: stricter than needed, never unfit.)
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from importlib import resources

import numpy as np

from .mapped import load_npz

MOBY_HEAD_LISTS_SPUN = 1
MOBY_SPUN_LISTS_HEAD = 2
WORDNET_SYNONYM = 4


def shipped_blocklist() -> frozenset[str]:
    """The terms never proposed as an original of another term (``data/blocklist.txt``)."""
    try:
        raw = (resources.files("unspin") / "data" / "blocklist.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    return frozenset(line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def blocked_terms(terms: list[str], blocklist: frozenset[str]) -> np.ndarray:
    """Per term: is it on ``blocklist``, or does it contain a listed word or phrase as whole
    words (between spaces, hyphens or other non-letters)? A single word is blocked only when
    listed ("shitless" is listed, "shits" is not)."""
    out = np.zeros(len(terms), dtype=bool)
    if not blocklist or not terms:
        return out
    gap = r"[^\w\n]+"  # between the words of a listed phrase; never across terms
    longest_first = sorted(blocklist, key=len, reverse=True)
    listed = "|".join(gap.join(map(re.escape, re.findall(r"[^\W\d_]+", t))) for t in longest_first)
    pattern = re.compile(rf"(?<![^\W\d_])(?:{listed})(?![^\W\d_])")
    # one scan of all the terms joined, rather than one per term
    text = "\n".join(terms)
    starts = np.cumsum([0] + [len(t) + 1 for t in terms[:-1]])
    at = [m.start() for m in pattern.finditer(text)]
    out[np.searchsorted(starts, at, side="right") - 1] = True
    return out


class Lexicon:
    """Thesaurus relations as compressed sparse rows, read-only: ``terms[i]`` may have replaced
    ``terms[j]`` for each ``j`` in ``dst[offsets[i]:offsets[i + 1]]``, linked as ``flags`` says;
    ``index`` maps a term to its row ``i``; ``zipf`` is each term's wordfreq frequency.
    ``blocked[j]``: term ``j`` is never an original of another term (:meth:`relations` and
    :meth:`originals` leave it out; the raw arrays keep it): it is on ``blocklist`` (default:
    the shipped list) or contains a word or phrase of it (:func:`blocked_terms`)."""

    def __init__(self, path=None, blocklist: frozenset[str] | None = None):
        self.shipped = path is None  # the package's own data (precomputed look-ups apply)
        if path is None:
            path = resources.files("unspin") / "data" / "lexicon.npz"
        with resources.as_file(path) if not isinstance(path, (str, os.PathLike)) else contextlib.nullcontext(path) as p:
            data = load_npz(p)  # memory-mapped: processes on a machine share one copy
            self.terms: list[str] = str(data["terms"]).split("\n")
            self.offsets = data["offsets"]
            self.dst = data["dst"]
            self.flags = data["flags"]
            self.zipf = data["zipf"]
        self.index = {t: i for i, t in enumerate(self.terms)}
        self.max_words = max(len(t.split()) for t in self.terms)
        self.blocked = blocked_terms(self.terms, shipped_blocklist() if blocklist is None else blocklist)
        # Rows that list a blocked term: only those pay for the filter.
        # (Found from the few positions that hold one: a prefix sum over all 2.5M relations
        # cost ~40 MB of peak memory at load.)
        at = np.flatnonzero(self.blocked[self.dst])
        self._row_blocked = np.zeros(len(self.terms), dtype=bool)
        self._row_blocked[np.searchsorted(self.offsets, at, side="right") - 1] = True

    @functools.cached_property
    def phrase_starts(self) -> frozenset[str]:
        """First words of the multi-word terms."""
        return frozenset(t[:t.index(" ")] for t in self.terms if " " in t)

    @functools.cached_property
    def phrase_pairs(self) -> frozenset[tuple[str, str]]:
        """First two words of the multi-word terms."""
        return frozenset(tuple(t.split(" ", 2)[:2]) for t in self.terms if " " in t)

    def __contains__(self, term: str) -> bool:
        return term in self.index

    def relations(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(term indices, relation flags) of the terms ``term`` may have replaced, blocked terms
        left out: views into the shipped arrays where nothing is left out, otherwise copies
        (the detector's scan ranks them itself); None when ``term`` is not in the lexicon."""
        i = self.index.get(term)
        if i is None:
            return None
        return self._row(i)

    def _row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.offsets[i], self.offsets[i + 1]
        dst, fl = self.dst[a:b], self.flags[a:b]
        if self._row_blocked[i]:
            keep = ~self.blocked[dst]
            dst, fl = dst[keep], fl[keep]
        return dst, fl

    def originals(self, term: str, min_zipf: float = 0.0, flags: int = 0) -> list[tuple[str, int]]:
        """Terms that ``term`` may have replaced, with relation flags, blocked terms left out;
        optionally only those at least ``min_zipf`` frequent and linked by one of ``flags``."""
        i = self.index.get(term)
        if i is None:
            return []
        dst, fl = self._row(i)
        if min_zipf > 0 or flags:
            keep = self.zipf[dst] >= min_zipf
            if flags:
                keep &= (fl & flags) > 0
            dst, fl = dst[keep], fl[keep]
        terms = self.terms
        return [(terms[j], f) for j, f in zip(dst.tolist(), fl.tolist())]


@functools.lru_cache(maxsize=None)
def get_lexicon() -> Lexicon:
    return Lexicon()
