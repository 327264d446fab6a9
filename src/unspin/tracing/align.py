"""The evidence of a match: a word alignment of a query passage with a source passage.

:func:`align_passage` lines up query words with source words through the same keys the search
scores on (a spun word lines up with the original it may stand for), and returns the passage as
:class:`~unspin.results.Piece` s: words kept, words swapped (spun <-> original), and text found
on one side only.
"""

from __future__ import annotations

import difflib

from ..results import AlignedPassage, Piece
from .signatures import doc_keys, normalise

MAX_SWAP_WORDS = 6      # longer differing stretches are shown as unmatched text, not as a swap


def align_passage(qtext: str, qtoks, qa, t0: int, t1: int, stext: str, p0: int, plen: int,
                  score: float) -> AlignedPassage:
    """Word alignment of query tokens [t0, t1) (``qa``: the expanded query, see
    :func:`unspin.tracing.signatures.expand_query`) with source words [p0, p0 + plen)."""
    s_hash, s_toks = doc_keys(stext)
    s_hash = s_hash[p0:p0 + plen]
    s_toks = s_toks[p0:p0 + plen]
    alts = _best_weights(qa, t0, t1)
    canon, spans = _groups(qa, t0, t1, alts, set(s_hash.tolist()))
    sm = difflib.SequenceMatcher(None, canon, s_hash.tolist(), autojunk=False)
    q = qtoks[t0:t1]
    pieces = _pieces(sm.get_opcodes(), spans, qtext, q, stext, s_toks)
    merged = _merge_swaps(pieces, qtext, stext)
    while merged and merged[0].kind == "source_only":
        merged.pop(0)
    while merged and merged[-1].kind == "source_only":
        merged.pop()
    if merged:
        qs = min(p.query_start for p in merged)
        qe = max(p.query_end for p in merged)
        ss = min(p.source_start for p in merged if p.kind != "query_only") if any(p.kind != "query_only" for p in merged) else 0
        se = max(p.source_end for p in merged if p.kind != "query_only") if any(p.kind != "query_only" for p in merged) else 0
    else:
        qs, qe = q[0].start, q[-1].end
        ss = se = 0
    return AlignedPassage(qs, qe, ss, se, qtext[qs:qe], stext[ss:se], score, merged)


def _best_weights(qa, t0: int, t1: int) -> dict[int, dict[int, float]]:
    """Query token -> {alternative key hash: its best weight}, for tokens [t0, t1)."""
    sel = (qa.alt_tok >= t0) & (qa.alt_tok < t1)
    alts: dict[int, dict[int, float]] = {}
    for h, t, w in zip(qa.alt_hash[sel].tolist(), qa.alt_tok[sel].tolist(), qa.alt_w[sel].tolist()):
        d = alts.setdefault(t, {})
        if d.get(h, 0.0) < w:
            d[h] = w
    return alts


def _groups(qa, t0: int, t1: int, alts, src_set: set[int]) -> tuple[list[int], list[tuple[int, int]]]:
    """The key each query word is aligned on, and the token range (relative to t0) of each.

    Each query word stands for its own key when the source has it, else for the source key of
    its best alternative. Neighbours standing for the same alternative ("loss of life" ->
    "death") form one group.
    """
    canon: list[int] = []
    spans: list[tuple[int, int]] = []
    prev_alt = None
    for t in range(t0, t1):
        own = int(qa.exact[t])
        if own in src_set:
            canon.append(own)
            spans.append((t - t0, t - t0 + 1))
            prev_alt = None
            continue
        opts = alts.get(t, {})
        hits = [(w, h) for h, w in opts.items() if h in src_set]
        if hits:
            h = max(hits)[1]
            if prev_alt == h:
                spans[-1] = (spans[-1][0], t - t0 + 1)
                continue
            canon.append(h)
            spans.append((t - t0, t - t0 + 1))
            prev_alt = h
        else:
            canon.append(own)
            spans.append((t - t0, t - t0 + 1))
            prev_alt = None
    return canon, spans


def _pieces(opcodes, spans, qtext: str, q, stext: str, s_toks) -> list[Piece]:
    """Pieces from the opcodes of aligning the groups ``spans`` with the source words."""
    pieces: list[Piece] = []

    def qspan(a, b):
        return (q[a].start, q[b - 1].end) if b > a else (q[a].start if a < len(q) else q[-1].end,) * 2

    def sspan(a, b):
        if b > a:
            return s_toks[a].start, s_toks[b - 1].end
        pos = s_toks[a].start if a < len(s_toks) else (s_toks[-1].end if s_toks else 0)
        return pos, pos

    def add(kind, qa_, qb, sa, sb):
        qs, qe = qspan(qa_, qb)
        ss, se = sspan(sa, sb)
        pieces.append(Piece(kind, qtext[qs:qe], stext[ss:se], qs, qe, ss, se))

    def g(a, b):  # group range -> token range
        if b > a:
            return spans[a][0], spans[b - 1][1]
        pos = spans[a][0] if a < len(spans) else len(q)
        return pos, pos

    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            run = None  # merge consecutive swapped words
            for off in range(i2 - i1):
                qa_, qb = spans[i1 + off]
                sj = j1 + off
                differs = qb - qa_ > 1 or normalise(q[qa_].text) != normalise(s_toks[sj].text)
                kind = "swap" if differs else "same"
                if run and run[0] == kind:
                    run[2], run[4] = qb, sj + 1
                else:
                    if run:
                        add(*run)
                    run = [kind, qa_, qb, sj, sj + 1]
            if run:
                add(*run)
        elif tag == "replace" and max(i2 - i1, j2 - j1) <= MAX_SWAP_WORDS:
            add("swap", *g(i1, i2), j1, j2)
        elif tag == "replace":  # too long to be one swap: text on each side without a counterpart
            add("query_only", *g(i1, i2), j1, j1)
            add("source_only", *g(i2, i2), j1, j2)
        elif tag == "delete":
            add("query_only", *g(i1, i2), j1, j1)
        else:
            add("source_only", *g(i1, i1), j1, j2)
    return pieces


def _merge_swaps(pieces: list[Piece], qtext: str, stext: str) -> list[Piece]:
    """Neighbouring swaps as one swap."""
    merged: list[Piece] = []
    for p in pieces:
        if merged and p.kind == "swap" and merged[-1].kind == "swap":
            a = merged[-1]
            merged[-1] = Piece("swap", qtext[a.query_start:p.query_end], stext[a.source_start:p.source_end],
                               a.query_start, p.query_end, a.source_start, p.source_end)
        else:
            merged.append(p)
    return merged
