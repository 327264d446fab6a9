"""The ``ppdb`` source: originals PPDB links to a single spun word (:mod:`unspin.lang.ppdb`).

Many spinners draw their swaps from pivot-translation tables of PPDB's kind ("mentioned" for
said, "supply" for source), so PPDB's ranking is evidence of its own: the rank of the spun word
in the original's paraphrase line (the spinner's direction) and the reverse rank.

Exact forms are read from the table; a form the table lacks is looked up at lemma level and the
originals re-inflected like it (as :mod:`.thesaurus` does). Function words are neither proposed
nor given originals: PPDB's lexical links among them ("that"/"which") are alignments, not swaps.

At most ``max_links`` originals per word, those the channel scores best without context
(:func:`unspin.lang.ppdb.link_order`: PPDB's ranks and the original's frequency).

Strengths: (1.0, forward, reverse, synonym), where a rank ``r`` is stored as
``RANKS + 1 - min(r, RANKS)`` (:func:`unspin.lang.ppdb.rank_strength`; 0: no rank that way),
so the generator's element-wise ``max`` keeps the best rank of merged proposals.
"""

from __future__ import annotations

import math

from ...lang.formdata import zipf
from ...lang.morph import analyses, inflect
from ...lang.ppdb import RANKS, Link, Ppdb, link_order, rank_strength
from ...lang.words import FUNCTION_WORDS
from . import Candidate, Strengths

# PPDB originals proposed per word, best first. Each costs channel and LM work at every
# occurrence; 3 -> 10 lifted article-level repair on wild-dev from 0.187 to 0.191 (docs/restore.md).
MAX_LINKS = 10


def _rank_of(strength: float) -> int | None:
    return None if not strength else int(RANKS + 1 - strength)


def _strengths(link: Link) -> Strengths:
    return (1.0, float(rank_strength(link.fwd)), float(rank_strength(link.rev)), float(link.syn))


class PpdbSource:
    name = "ppdb"
    weights = ("ppdb", "ppdb_rank", "ppdb_rev", "ppdb_syn")
    possessive = True  # "nation" -> "country" carries over to "nation's" -> "country's"

    def __init__(self, ppdb: Ppdb | None = None, max_links: int | None = MAX_LINKS):
        self._table = ppdb  # loaded on first use (None: the shipped one)
        self.max_links = max_links

    @property
    def table(self) -> Ppdb:
        if self._table is None:
            from ...lang.ppdb import get_ppdb

            self._table = get_ppdb()
        return self._table

    def propose(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], Strengths]]:
        if len(words) != 1 or words[0] in FUNCTION_WORDS:
            return []
        word, table, cap = words[0], self.table, self.max_links
        if word in table:
            # rows are stored best link first: the cap is a prefix
            return [((link.original,), _strengths(link))
                    for link in table.links(word, limit=cap, skip=FUNCTION_WORDS)]
        found: dict[str, Link] = {}
        for upos, lemma, tag in analyses(word):
            if lemma == word:
                continue
            for link in table.links(lemma):
                form = inflect(link.original, upos, tag)
                if (form and form != word and " " not in form and form not in FUNCTION_WORDS
                        and form not in table.blocklist):
                    old = found.get(form)
                    found[form] = link._replace(original=form) if old is None else Link(
                        form, min(old.fwd, link.fwd), min(old.rev, link.rev), old.syn or link.syn)
        best = sorted(found.values(), key=lambda x: (link_order(x.fwd, x.rev, zipf((x.original,))), x.original))
        return [((x.original,), _strengths(x)) for x in best[:cap]]

    def spun_sides(self):
        return ()  # nothing exact: PPDB never vouches for editing a name or a number

    def exact(self, strengths: Strengths) -> bool:
        return False

    @staticmethod
    def ranks(c: Candidate) -> tuple[int | None, int | None]:
        """(forward, reverse) ranks of ``c`` (capped at :data:`RANKS`; None: no rank that way)."""
        s = c.strengths("ppdb")
        return (None, None) if s is None else (_rank_of(s[1]), _rank_of(s[2]))

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        s = c.strengths(self.name)
        if s is None:
            return {"ppdb": 0.0, "ppdb_rank": 0.0, "ppdb_rev": 0.0, "ppdb_syn": 0.0}
        # No rank one way counts as the worst rank: both directions add evidence
        # (tools/analysis/ppdb_reach.py: the two priors together pick the original best).
        fwd, rev = _rank_of(s[1]), _rank_of(s[2])
        return {"ppdb": 1.0,
                "ppdb_rank": -math.log1p(RANKS if fwd is None else fwd),
                "ppdb_rev": -math.log1p(RANKS if rev is None else rev),
                "ppdb_syn": s[3]}
