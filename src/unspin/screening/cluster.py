"""Spun copies inside a corpus: ``unspin screen --cluster``.

Curators de-duplicate with MinHash, which misses spun copies (a 30 % synonym swap leaves few
shingles intact). Here the corpus is its own spin-robust trace index
(:mod:`unspin.tracing`): every document is traced against all the others, and A and B are joined
(union-find) when A traces to B **and** B traces to A with a score of at least ``threshold``,
the two are of similar length and share a few content words; each record gets
``cluster_id`` (the id of the cluster's first document in input order) and ``cluster_size``
(1: no copy found).

This is a second pass, after every unit of the job is annotated: the parent builds the index
from the shards (a file in the job's work folder), the workers trace the shards against it (one
shard per task, each worker opens the index once), then each shard is rewritten with the two
fields, atomically. The pass is deterministic (same shards, same index, same clusters), so a job
killed during it is finished by ``--resume`` re-running the whole pass: shards already rewritten
are rewritten with the same values, none is lost or duplicated.

>>> uf = UnionFind(4); uf.union(3, 1); uf.union(1, 2); [uf.find(i) for i in range(4)]
[0, 1, 1, 1]
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator

import numpy as np

from ..lang.tokenize import tokenize
from ..tracing.index import Index, build
from ..tracing.search import trace
from ..tracing.signatures import STOPWORDS, doc_key
from ..tracing.sources import Source
from .formats import read_shard, write_shard

#: a pair is joined when each traces to the other with at least this score (a spun copy usually
#: scores 0.3-0.7, unrelated text under 0.15: docs/trace.md; 0.35 measured best of 0.3-0.4 in
#: docs/screen.md, with the two conditions below)
THRESHOLD = 0.35
#: ...and when the two share at least this many content words (lemmas, function words left out):
#: short texts of one pattern ("Return whether the file was opened for writing." / "Inquire
#: whether file a was written since file b.") trace to each other on two or three words with a
#: spun copy's score, while a spun copy keeps more of its source's words
MIN_SHARED_WORDS = 4
#: ...and when the longer of the two has at most this many times the words of the shorter: a spun
#: copy keeps its source's length (a few phrase swaps aside), while texts on one story that share
#: names and terms (a lead paragraph and a one-line follow-up) differ in length
MAX_LENGTH_RATIO = 1.25
#: sources looked at per document (beyond itself): the chain through union-find joins larger groups
NEIGHBOURS = 5
INDEX_NAME = "_cluster.index"


class UnionFind:
    """Disjoint sets of 0..n-1; the representative of a set is its smallest member."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:  # path compression
            self.parent[a], a = root, self.parent[a]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def similar_pairs(index: Index, texts: Iterator[tuple[int, str]], threshold: float) -> list[tuple[int, int, float]]:
    """``(n, m, score)`` for each text ``n`` (its number in ``index``) and each other document
    ``m`` of the index it traces to with a ``score`` of at least ``threshold``, a length like its
    own and :data:`MIN_SHARED_WORDS` content words in common (texts: documents of ``index``, by
    their number). One direction only: :func:`joined_pairs` keeps the pairs found both ways."""
    words = np.diff(index.doc_seq_start)  # each document's words, as the index counts them
    pairs = []
    for n, text in texts:
        mine = None
        for m in trace(text, index, NEIGHBOURS + 1, evidence=False):
            k = int(m.id)
            if m.score >= threshold and k != n and _similar_length(words[n], words[k]):
                mine = content_words(text) if mine is None else mine
                if len(mine & content_words(index.doc_record(k)[3])) >= MIN_SHARED_WORDS:
                    pairs.append((n, k, m.score))
    return pairs


def content_words(text: str) -> set[str]:
    """The lemmas of the words of ``text`` that are not function words."""
    keys = (doc_key(t.text) for t in tokenize(text) if any(c.isalnum() for c in t.text))
    return {k for k in keys if k not in STOPWORDS}


def joined_pairs(pairs, threshold: float) -> list[tuple[int, int]]:
    """``(a, b)``, ``a < b``, for each pair that :func:`similar_pairs` found in both directions
    with a score of at least ``threshold``: a spun copy and its source are each other's best
    match, while a short or generic text is the near neighbour of many texts that have better
    neighbours than it (one direction only, the chains of unrelated documents that single-link
    union-find made of them: docs/screen.md)."""
    seen = {(a, b) for a, b, score in pairs if score >= threshold}
    return sorted((a, b) for a, b in seen if a < b and (b, a) in seen)


def _similar_length(a: int, b: int) -> bool:
    return max(a, b) <= MAX_LENGTH_RATIO * max(min(a, b), 1)


def scored_pairs(texts: list[str], threshold: float = THRESHOLD, *, folder: str | None = None):
    """:func:`similar_pairs` of ``texts`` among themselves, in-process (the benchmark's entry
    point). ``folder``: where the temporary index goes (default: the system's temporary folder)."""
    import tempfile

    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = os.path.join(tmp, INDEX_NAME)
        build(path, ((str(i), Source(str(i), t)) for i, t in enumerate(texts)))
        with Index.open(path) as index:
            index.load()
            return similar_pairs(index, iter(enumerate(texts)), threshold)


def components(n: int, pairs) -> list[int]:
    """For each of ``n`` items, the smallest item joined to it through ``pairs`` (``(a, b, ...)``)."""
    uf = UnionFind(n)
    for a, b, *_ in pairs:
        uf.union(a, b)
    return [uf.find(i) for i in range(n)]


def cluster_texts(texts: list[str], threshold: float = THRESHOLD, *, folder: str | None = None) -> list[int]:
    """For each text, the number of the first text of its cluster (in-process)."""
    return components(len(texts), joined_pairs(scored_pairs(texts, threshold, folder=folder), threshold))


# ----------------------------------------------------------------------------- the screen pass

_INDEX: Index | None = None


def _open_index(path: str) -> None:
    global _INDEX
    _INDEX = Index.open(path).load()


def _shard_pairs(path: str, kind: str, base: int, text_field: str, threshold: float):
    records = read_shard(path, kind)
    texts = ((base + i, r[text_field]) for i, r in enumerate(records) if isinstance(r.get(text_field), str))
    return similar_pairs(_INDEX, texts, threshold)


def _documents(shards: list[str], kind: str, text_field: str) -> Iterator[tuple[str, Source]]:
    n = 0
    for path in shards:
        for r in read_shard(path, kind):
            text = r.get(text_field)
            yield path, Source(str(n), text if isinstance(text, str) else "")
            n += 1


def cluster_shards(shards: list[str], counts: list[int], kind: str, *, text_field: str, id_field: str,
                   threshold: float = THRESHOLD, workers: int = 1, folder: str) -> dict:
    """Add ``cluster_id`` and ``cluster_size`` to every record of ``shards`` (in input order;
    ``counts``: their records), each shard rewritten atomically. Returns statistics."""
    t0 = time.monotonic()
    index_path = os.path.join(folder, INDEX_NAME)
    build(index_path, _documents(shards, kind, text_field), force=True)
    bases = [sum(counts[:i]) for i in range(len(counts))]
    args = [(s, kind, b, text_field, threshold) for s, b in zip(shards, bases)]
    pairs: list[tuple[int, int, float]] = []
    try:
        if workers <= 1:
            _open_index(index_path)
            for a in args:
                pairs += _shard_pairs(*a)
        else:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            with cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                                        initializer=_open_index, initargs=(index_path,)) as pool:
                for found in pool.map(_shard_pairs, *zip(*args)):
                    pairs += found
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(index_path)
    roots = components(sum(counts), joined_pairs(pairs, threshold))
    size: dict[int, int] = {}
    for r in roots:
        size[r] = size.get(r, 0) + 1
    first_id: dict[int, object] = {}
    for path, base in zip(shards, bases):
        records = read_shard(path, kind)
        for i, r in enumerate(records):
            root = roots[base + i]
            if root == base + i:
                first_id[root] = r.get(id_field)
            # a root is its cluster's smallest number, so its id was seen in this or an earlier shard
            r["cluster_id"] = first_id[root]
            r["cluster_size"] = size[root]
        write_shard(path, kind, records)
    groups = [s for s in size.values() if s > 1]
    return {"clusters": len(groups), "clustered_documents": sum(groups), "cluster_threshold": threshold,
            "cluster_s": round(time.monotonic() - t0, 2)}
