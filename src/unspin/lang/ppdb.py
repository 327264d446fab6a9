"""PPDB paraphrase links of single words (``data/ppdb.npz``, built by ``tools/build/build_ppdb.py``
from PPDB 1.0 XL lexical and PPDB 2.0's synonym pairs; CC BY 3.0, see ``data/ATTRIBUTION.md``).

Indexed by the spun form: for a word P, the originals O that PPDB links to it, each with the
rank of P in O's paraphrase line (the spinner's direction: it replaced O by one of O's
paraphrases), the rank of O in P's line, and whether PPDB 2.0 labels the pair a synonym. Ranks
start at 0 (PPDB's best paraphrase); :data:`NONE` means no rank in that direction. Blocked terms
(``data/blocklist.txt``, and terms containing one: :func:`~unspin.lang.lexicon.blocked_terms`) are
never returned as an original.
"""

from __future__ import annotations

import contextlib
import math
import functools
import os
from importlib import resources
from typing import NamedTuple

import numpy as np

from .lexicon import blocked_terms, shipped_blocklist
from .mapped import load_npz

NONE = 255   # no rank in that direction
RANKS = 20   # ranks past this count as this (PPDB's order says little that far down a line)


def rank_strength(rank: int) -> int:
    """A rank as a strength: higher is better, 0 for none (``RANKS + 1 - min(rank, RANKS)``)."""
    return 0 if rank == NONE else RANKS + 1 - min(rank, RANKS)


# The channel's default weights of the zipf gain and of each rank prior
# (unspin.restoration.channel.Weights): the order below is the channel's context-free score
# of the link, as far as PPDB and frequency decide it.
ORDER_ZIPF = 0.4
ORDER_RANK = 1.0


def link_order(fwd: int, rev: int, zipf: float) -> float:
    """Sort key of a link within its row (lower first): minus the channel's context-free score
    of the original, ``ln(1 + rank)`` priors both ways (no rank: :data:`RANKS`) and the
    original's wordfreq ``zipf``, rounded so that float noise cannot reorder ties."""
    prior = sum(math.log1p(min(r, RANKS)) for r in (fwd, rev))
    return round(ORDER_RANK * prior - ORDER_ZIPF * zipf, 6)


class Link(NamedTuple):
    original: str
    fwd: int   # rank of the spun word in the original's line (NONE: absent)
    rev: int   # rank of the original in the spun word's line (NONE: absent)
    syn: bool  # PPDB 2.0 labels the pair a synonym


class Ppdb:
    """Read-only CSR rows: ``terms[i]`` may have replaced ``terms[dst[k]]`` for ``k`` in
    ``offsets[i]:offsets[i + 1]``, with ``fwd``, ``rev`` and ``syn``; each row best link first
    (:func:`link_order`, then the original: a caller may keep a prefix)."""

    def __init__(self, path=None, blocklist: frozenset[str] | None = None):
        self.shipped = path is None and blocklist is None  # the package's own data (precomputed look-ups apply)
        if path is None:
            path = resources.files("unspin") / "data" / "ppdb.npz"
        ctx = contextlib.nullcontext(path) if isinstance(path, (str, os.PathLike)) else resources.as_file(path)
        with ctx as p:
            data = load_npz(p)  # memory-mapped: processes on a machine share one copy
            self.terms: list[str] = str(data["terms"]).split("\n")
            self.offsets = data["offsets"]
            self.dst, self.fwd, self.rev, self.syn = (data[k] for k in ("dst", "fwd", "rev", "syn"))
        self.index = {t: i for i, t in enumerate(self.terms)}
        self.blocklist = shipped_blocklist() if blocklist is None else blocklist
        self._blocked = blocked_terms(self.terms, self.blocklist)

    def __contains__(self, word: str) -> bool:
        i = self.index.get(word)
        return i is not None and self.offsets[i + 1] > self.offsets[i]

    def links(self, word: str, limit: int | None = None, skip: frozenset[str] = frozenset()) -> list[Link]:
        """The originals PPDB links to the spun ``word``, best first (empty when it has none);
        at most ``limit``, originals in ``skip`` left out."""
        i = self.index.get(word)
        if i is None:
            return []
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        terms, blocked = self.terms, self._blocked
        out = []
        for j, f, r, s in zip(self.dst[a:b].tolist(), self.fwd[a:b].tolist(),
                              self.rev[a:b].tolist(), self.syn[a:b].tolist()):
            o = terms[j]
            if not blocked[j] and o not in skip:
                out.append(Link(o, f, r, bool(s)))
                if len(out) == limit:
                    break
        return out


@functools.lru_cache(maxsize=None)
def get_ppdb() -> Ppdb:
    """The shipped table, loaded once."""
    return Ppdb()
