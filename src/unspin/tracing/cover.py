"""How a query's evidence adds up per source document, and which documents to report.

:func:`unspin.tracing.search.trace` scores passages chunk by chunk; :class:`Found` gathers what
one document earned over the chunks, :func:`cover` orders the documents so that a query copied
from several sources (a mosaic) shows each source before near-duplicates of the first, and
:func:`share` is the part of the query copied from one source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MOSAIC_MIN = 0.1  # new evidence a further source of a mosaic must bring, as a share of the best's


@dataclass
class Found:
    """What a query found of one source document, over the query's chunks."""

    score: float = 0.0
    gains: list = field(default_factory=list)     # (chunk start, gain per query token), per chunk
    passages: list = field(default_factory=list)  # per chunk: (t0, t1, passage, share, copied run)

    def shown(self, min_share: float) -> list:
        """The passages worth showing as evidence (and whose copied runs make the share): those
        with at least ``min_share`` of what a copy of their chunk would score, else the best."""
        keep = [p for p in self.passages if p[3] >= min_share]
        return keep or sorted(self.passages, key=lambda p: -p[3])[:1]

    def token_gains(self, n: int) -> np.ndarray:
        """The best gain of each of the query's ``n`` tokens in this document."""
        g = np.zeros(n)
        for t0, row in self.gains:
            g[t0:t0 + len(row)] = np.maximum(g[t0:t0 + len(row)], row)
        return g


def cover(found: dict[int, Found], n: int, k: int) -> list[int]:
    """The ``k`` documents to report, best first. After the best document, a document comes next
    if it explains a part of the query (of ``n`` tokens) the ones before it do not (new evidence
    at least MOSAIC_MIN of the best's); what is left follows by score.

    >>> a = Found(4.0, [(0, np.array([2.0, 2.0, 0.0, 0.0]))])
    >>> twin = Found(3.9, [(0, np.array([2.0, 1.9, 0.0, 0.0]))])
    >>> b = Found(2.0, [(0, np.array([0.0, 0.0, 1.0, 1.0]))])
    >>> cover({1: a, 2: twin, 3: b}, 4, 3)
    [1, 3, 2]
    """
    by_score = sorted(found, key=lambda d: (-found[d].score, d))
    pool = by_score[:max(4 * k, 20)]
    gains = {d: found[d].token_gains(n) for d in pool}
    top = found[pool[0]].score
    explained = np.zeros(n)
    chosen: list[int] = []
    while pool and len(chosen) < k:
        best_d, best_new = None, 0.0
        for d in pool:
            g = gains[d]
            new = found[d].score * float(np.maximum(g - explained, 0.0).sum()) / max(float(g.sum()), 1e-9)
            if new > best_new:
                best_d, best_new = d, new
        if best_d is None or (chosen and best_new < MOSAIC_MIN * top):
            break
        chosen.append(best_d)
        pool.remove(best_d)
        explained = np.maximum(explained, gains[best_d])
    taken = set(chosen)
    return chosen + [d for d in by_score if d not in taken][:k - len(chosen)]


def share(runs: list, tokens, n_chars: int) -> float:
    """Share of the query's characters inside the stretches copied from this source."""
    covered = np.zeros(n_chars + 1, dtype=np.int32)
    for a, b in runs:
        if b > a:
            covered[tokens[a].start] += 1
            covered[tokens[b - 1].end] -= 1
    span = max(tokens[-1].end - tokens[0].start, 1)
    return round(float(np.count_nonzero(np.cumsum(covered)[:-1])) / span, 4)
