"""The arrays of one index segment and how a batch of sources becomes one.

A segment holds, for a batch of source documents: every document's per-word key hashes and
surface hashes (see :mod:`unspin.tracing.signatures`), the passages the documents are cut into
(:func:`passages_of`), and an inverted index from key hash to passages (CSR: sorted keys,
offsets, passage ids, term counts). :mod:`unspin.tracing.index` stores them as blobs in SQLite.
"""

from __future__ import annotations

import numpy as np

from .signatures import doc_signature, stop_hashes

#: passage length in words, and the step between passage starts in long documents
WINDOW = 128
STRIDE = 96
#: documents up to this many words are a single passage
SINGLE = 160


def passages_of(ntok: int) -> list[tuple[int, int]]:
    """``(start, length)`` word windows a document of ``ntok`` words is cut into.

    >>> passages_of(10)
    [(0, 10)]
    >>> passages_of(300)
    [(0, 128), (96, 128), (192, 108)]
    """
    if ntok <= SINGLE:
        return [(0, ntok)]
    out = []
    start = 0
    while True:
        length = min(WINDOW, ntok - start)
        out.append((start, length))
        if start + length >= ntok:
            break
        start += STRIDE
    return out


class Postings:
    """One segment's inverted index: sorted key hashes, CSR offsets, passage ids, term counts."""

    __slots__ = ("keys", "starts", "pids", "tfs")

    def __init__(self, keys, starts, pids, tfs):
        self.keys = keys
        self.starts = starts
        self.pids = pids
        self.tfs = tfs


def to_blob(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def from_blob(b: bytes, dtype) -> np.ndarray:
    return np.frombuffer(b, dtype=dtype)


def _postings(pid_of_tok: np.ndarray, keys: np.ndarray):
    """CSR inverted index from per-token (passage id, key hash), stop words left out."""
    stops = np.fromiter(stop_hashes(), dtype=np.uint64)
    keep = ~np.isin(keys, stops)
    k = keys[keep]
    p = pid_of_tok[keep]
    order = np.lexsort((p, k))
    k = k[order]
    p = p[order]
    if len(k) == 0:
        return (np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint16))
    new_pair = np.ones(len(k), dtype=bool)
    new_pair[1:] = (k[1:] != k[:-1]) | (p[1:] != p[:-1])
    pair_start = np.flatnonzero(new_pair)
    tf = np.diff(np.append(pair_start, len(k)))
    pk = k[pair_start]
    pp = p[pair_start]
    new_key = np.ones(len(pk), dtype=bool)
    new_key[1:] = pk[1:] != pk[:-1]
    key_start = np.flatnonzero(new_key)
    starts = np.append(key_start, len(pk)).astype(np.int64)
    return pk[key_start].copy(), starts, pp.astype(np.int32), np.minimum(tf, 65535).astype(np.uint16)


def pack(texts: list[str], first_doc: int, first_pass: int) -> tuple[list[int], int, tuple[bytes, ...]]:
    """Signatures, passages and postings of a batch of source texts numbered from ``first_doc``,
    their passages from ``first_pass``. Returns (words per text, number of passages, the blobs
    seq, surf, seq_len, pass_doc, pass_tok0, pass_len, keys, starts, pids, tfs)."""
    seqs, surfs, lens, pass_doc, pass_tok0, pass_len = [], [], [], [], [], []
    pid = first_pass
    for j, text in enumerate(texts):
        keys, surf, _toks = doc_signature(text)
        n = first_doc + j
        seqs.append(keys)
        surfs.append(surf)
        lens.append(len(keys))
        for start, length in passages_of(len(keys)):
            pass_doc.append(n)
            pass_tok0.append(start)
            pass_len.append(length)
            pid += 1
    seq = np.concatenate(seqs) if seqs else np.zeros(0, np.uint64)
    surf_all = np.concatenate(surfs) if surfs else np.zeros(0, np.uint32)
    lens_a = np.array(lens, dtype=np.int32)
    doc_start = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens_a, out=doc_start[1:])
    # token -> passage ids (a token in an overlap belongs to two passages)
    tok_parts, pid_parts = [], []
    pd = np.array(pass_doc, dtype=np.int64) - first_doc
    p0 = np.array(pass_tok0, dtype=np.int64)
    pl = np.array(pass_len, dtype=np.int64)
    if len(pl):
        total = int(pl.sum())
        offs = np.repeat(np.cumsum(pl) - pl, pl)
        tok_idx = np.arange(total, dtype=np.int64) - offs + np.repeat(doc_start[pd] + p0, pl)
        pids = np.repeat(np.arange(first_pass, pid, dtype=np.int32), pl)
        tok_parts.append(tok_idx)
        pid_parts.append(pids)
    tok_idx = np.concatenate(tok_parts) if tok_parts else np.zeros(0, np.int64)
    pids = np.concatenate(pid_parts) if pid_parts else np.zeros(0, np.int32)
    keys, starts, plist, tfs = _postings(pids, seq[tok_idx])
    blobs = (to_blob(seq), to_blob(surf_all), to_blob(lens_a),
             to_blob(np.array(pass_doc, np.int32)), to_blob(np.array(pass_tok0, np.int32)),
             to_blob(np.array(pass_len, np.int32)), to_blob(keys), to_blob(starts), to_blob(plist), to_blob(tfs))
    return lens, pid - first_pass, blobs


def merge(rows) -> tuple[int, int, tuple[bytes, ...]]:
    """One segment from stored segment rows (columns seg, first_doc, n_docs, first_pass, n_pass,
    then the blobs as :func:`pack` returns them, in segment order). Returns (documents,
    passages, blobs)."""
    cat = lambda i, dt: np.concatenate([from_blob(r[i], dt) for r in rows])  # noqa: E731
    all_keys, all_pids, all_tfs = [], [], []
    for r in rows:
        k = from_blob(r[11], np.uint64)
        st = from_blob(r[12], np.int64)
        all_keys.append(np.repeat(k, np.diff(st)))
        all_pids.append(from_blob(r[13], np.int32))
        all_tfs.append(from_blob(r[14], np.uint16))
    k = np.concatenate(all_keys)
    p = np.concatenate(all_pids)
    t = np.concatenate(all_tfs)
    order = np.lexsort((p, k))
    k, p, t = k[order], p[order], t[order]
    new_key = np.ones(len(k), dtype=bool)
    new_key[1:] = k[1:] != k[:-1]
    ks = np.flatnonzero(new_key)
    starts = np.append(ks, len(k)).astype(np.int64)
    n_docs = sum(r[2] for r in rows)
    n_pass = sum(r[4] for r in rows)
    blobs = (to_blob(cat(5, np.uint64)), to_blob(cat(6, np.uint32)), to_blob(cat(7, np.int32)),
             to_blob(cat(8, np.int32)), to_blob(cat(9, np.int32)), to_blob(cat(10, np.int32)),
             to_blob(k[ks]), to_blob(starts), to_blob(p), to_blob(t))
    return n_docs, n_pass, blobs


def unpack(rows):
    """The arrays of stored segment rows (columns as :func:`merge` takes them), checked to fit
    together. Returns (postings per segment, then per segment: seq, surf, seq_len, pass_doc,
    pass_tok0, pass_len; and the numbers of documents and passages). ValueError when they do not
    fit (a corrupt index)."""
    segs = []
    seqs, surfs, seq_lens, pdocs, ptok0, plen = [], [], [], [], [], []
    n_docs = n_pass = 0
    for (seg, first_doc, nd, first_pass, npass, seq, surf, seq_len, pass_doc, pass_tok0, pass_len,
         keys, starts, pids, tfs) in rows:
        if first_doc != n_docs or first_pass != n_pass:
            raise ValueError(f"segment {seg} out of order")
        sl = from_blob(seq_len, np.int32)
        s = from_blob(seq, np.uint64)
        sf = from_blob(surf, np.uint32)
        if len(sl) != nd or int(sl.sum()) != len(s) or len(sf) != len(s):
            raise ValueError(f"segment {seg}: word counts do not add up")
        pd = from_blob(pass_doc, np.int32)
        if len(pd) != npass:
            raise ValueError(f"segment {seg}: passage table size")
        k = from_blob(keys, np.uint64)
        st = from_blob(starts, np.int64)
        p = from_blob(pids, np.int32)
        t = from_blob(tfs, np.uint16)
        if len(st) != len(k) + 1 or len(p) != len(t) or (len(st) and st[-1] != len(p)):
            raise ValueError(f"segment {seg}: posting lists")
        seqs.append(s)
        surfs.append(sf)
        seq_lens.append(sl)
        pdocs.append(pd)
        ptok0.append(from_blob(pass_tok0, np.int32))
        plen.append(from_blob(pass_len, np.int32))
        segs.append(Postings(k, st, p, t))
        n_docs += nd
        n_pass += npass
    return segs, seqs, surfs, seq_lens, pdocs, ptok0, plen, n_docs, n_pass


def merge_segments(conn, max_words: int) -> None:
    """Rewrite runs of consecutive stored segments as one each (fewer look-ups per query), a run
    holding at most ``max_words`` words (a merge holds its segments' arrays in memory); an
    ordinary index becomes one segment. ``conn`` is in the caller's write transaction."""
    sizes = conn.execute("SELECT seg, LENGTH(seq) / 8 FROM segments ORDER BY seg").fetchall()
    run: list[int] = []
    words = 0
    for seg, n in sizes + [(None, max_words + 1)]:
        if run and words + n > max_words:
            _merge_run(conn, run)
            run, words = [], 0
        if seg is not None:
            run.append(seg)
            words += n


def _merge_run(conn, segs: list[int]) -> None:
    if len(segs) <= 1:
        return
    lo, hi = segs[0], segs[-1]
    rows = conn.execute(
        "SELECT seg, first_doc, n_docs, first_pass, n_pass, seq, surf, seq_len, pass_doc, pass_tok0, pass_len, "
        "keys, starts, pids, tfs FROM segments WHERE seg BETWEEN ? AND ? ORDER BY seg", (lo, hi)).fetchall()
    n_docs, n_pass, blobs = merge(rows)
    first_doc, first_pass = rows[0][1], rows[0][3]
    del rows
    conn.execute("DELETE FROM segments WHERE seg BETWEEN ? AND ?", (lo, hi))
    conn.execute("UPDATE docs SET seg = ? WHERE seg BETWEEN ? AND ?", (lo, lo, hi))
    conn.execute(
        "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (lo, first_doc, n_docs, first_pass, n_pass, *blobs),
    )
