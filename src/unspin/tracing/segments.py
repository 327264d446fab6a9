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
