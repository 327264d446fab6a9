"""The arrays of one index segment and how a batch of sources becomes one.

A segment holds, for a batch of source documents: every document's per-word key hashes and
surface hashes (see :mod:`unspin.tracing.signatures`), the passages the documents are cut into
(:func:`passages_of`), and an inverted index from key hash to passages (CSR: sorted keys,
offsets, passage ids). :mod:`unspin.tracing.index` stores them as blobs in SQLite.

On disk (format 3) the arrays are encoded so that an index is about as large as its text: the
per-word hashes as a vocabulary of distinct values plus zlib-compressed small ids (a text has far
fewer distinct words than words), passage ids as zlib-compressed differences within each key's
list, the passage tables zlib-compressed; keys and offsets stay raw (``index stats`` reads their
sizes). In memory they are the plain arrays again.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from .signatures import batch_signature, doc_signature, stop_hashes

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
    """One segment's inverted index: sorted key hashes, CSR offsets, passage ids."""

    __slots__ = ("keys", "starts", "pids")

    def __init__(self, keys, starts, pids):
        self.keys = keys
        self.starts = starts
        self.pids = pids


class HashIndex:
    """Positions of values in ``keys``, sorted distinct uint64 hashes, found by their top bits.

    The hashes are uniform (blake2b): with ``2**spare`` times as many buckets as keys, most
    values are settled by comparing them with the first key of their bucket (a few vectorised
    steps), and only those whose bucket holds more keys are binary-searched. A binary search in a
    big sorted array costs some twenty cache misses per value."""

    __slots__ = ("keys", "shift", "bucket")

    def __init__(self, keys: np.ndarray, spare: int = 0):
        self.keys = keys
        bits = min(max(1, len(keys).bit_length() + spare), 63)
        self.shift = np.uint64(64 - bits)
        counts = np.bincount((keys >> self.shift).astype(np.intp), minlength=1 << bits)
        # bucket b holds keys[bucket[b]:bucket[b + 1]]
        self.bucket = np.concatenate(([0], np.cumsum(counts))).astype(np.int32 if len(keys) < 1 << 31 else np.int64)

    def find(self, values: np.ndarray) -> np.ndarray:
        """Index of each value in ``keys``, -1 where absent."""
        values = np.asarray(values, dtype=np.uint64)
        n = len(self.keys)
        if n == 0:
            return np.full(len(values), -1, dtype=np.int64)
        b = (values >> self.shift).astype(np.intp)
        at = self.bucket[b].astype(np.int64)
        # an empty bucket points at the next one's first key, which has other top bits: no match
        eq = self.keys[np.minimum(at, n - 1)] == values
        out = np.where(eq, at, -1)
        rest = np.flatnonzero(~eq & (self.bucket[b + 1] - at > 1))
        if len(rest):
            pos = np.minimum(np.searchsorted(self.keys, values[rest]), n - 1)
            ok = self.keys[pos] == values[rest]
            out[rest[ok]] = pos[ok]
        return out


def one_directory(segs: list[Postings]) -> Postings:
    """The postings of several loaded segments (passage ids index-wide) as one inverted index,
    so that a query looks each key up once, not once per segment (a big index keeps dozens of
    segments: merges are bounded in size). A key's passages stay in ascending order."""
    if len(segs) == 1:
        return segs[0]
    keys = np.concatenate([sg.keys for sg in segs])
    if len(keys) == 0:
        return Postings(keys, np.zeros(1, np.int64), np.zeros(0, np.int32))
    base = np.cumsum([0] + [len(sg.pids) for sg in segs[:-1]])
    lo = np.concatenate([sg.starts[:-1] + b for sg, b in zip(segs, base)])
    hi = np.concatenate([sg.starts[1:] + b for sg, b in zip(segs, base)])
    order = np.argsort(keys, kind="stable")  # stable: segment order, so ascending passage ids
    keys, lo, hi = keys[order], lo[order], hi[order]
    lens = hi - lo
    at = np.repeat(lo - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()), dtype=np.int64)
    pids = np.concatenate([sg.pids for sg in segs])[at]
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    starts = np.append(np.concatenate(([0], np.cumsum(lens)))[first], int(lens.sum())).astype(np.int64)
    return Postings(keys[first].copy(), starts, pids)


def to_blob(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def from_blob(b: bytes, dtype) -> np.ndarray:
    return np.frombuffer(b, dtype=dtype)


ZLEVEL = 6  # zlib level of the stored texts
#: zlib level of the compressed blobs: their small integers (word numbers, passage id steps)
#: are slow to compress at the default 6 (deeper match searches over runs of zero bytes: 3.8 s
#: against 0.8 s for a 20,000-document batch) for a gain of 2 % of their size
BLOB_ZLEVEL = 4


def enc_packed(a: np.ndarray) -> bytes:
    """A small table, zlib-compressed."""
    return zlib.compress(to_blob(a), BLOB_ZLEVEL)


def dec_packed(b: bytes, dtype) -> np.ndarray:
    return from_blob(zlib.decompress(b), dtype)


def enc_hashes(a: np.ndarray) -> bytes:
    """Per-word hashes as their distinct values (raw) and each word's number among them
    (uint8/16/32 as few distinct values allow, zlib-compressed): ``<I count><B id bytes>``."""
    vocab, ids = np.unique(a, return_inverse=True)
    width = 1 if len(vocab) <= 1 << 8 else 2 if len(vocab) <= 1 << 16 else 4
    return (struct.pack("<IB", len(vocab), width) + to_blob(vocab)
            + zlib.compress(to_blob(ids.astype(f"<u{width}")), BLOB_ZLEVEL))


def dec_hashes(b: bytes, dtype) -> np.ndarray:
    n, width = struct.unpack_from("<IB", b)
    head = 5 + n * np.dtype(dtype).itemsize
    vocab = from_blob(b[5:head], dtype)
    ids = from_blob(zlib.decompress(b[head:]), f"<u{width}")
    if len(ids) and int(ids.max()) >= n:
        raise ValueError("word ids out of range")
    return vocab[ids]


def enc_pids(starts: np.ndarray, pids: np.ndarray) -> bytes:
    """Passage ids, ascending within each key's list, as differences from the previous id in
    the list (the first: from 0), zlib-compressed."""
    d = np.diff(pids.astype(np.int64), prepend=0)
    if len(starts) > 1:
        first = starts[:-1][starts[:-1] < len(pids)]
        d[first] = pids[first]
    return zlib.compress(to_blob(d.astype("<u4")), BLOB_ZLEVEL)


def dec_pids(b: bytes, starts: np.ndarray) -> np.ndarray:
    d = from_blob(zlib.decompress(b), "<u4").astype(np.int64)
    if len(d) != (int(starts[-1]) if len(starts) else 0):
        raise ValueError("posting lists")
    cs = np.cumsum(d)
    # a list's ids are the running sum from its first element: subtract what came before it
    base = np.repeat(np.concatenate(([0], cs))[starts[:-1]], np.diff(starts))
    return (cs - base).astype(np.int32)


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
        return np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32)
    new_pair = np.ones(len(k), dtype=bool)
    new_pair[1:] = (k[1:] != k[:-1]) | (p[1:] != p[:-1])
    pair_start = np.flatnonzero(new_pair)
    pk = k[pair_start]
    pp = p[pair_start]
    new_key = np.ones(len(pk), dtype=bool)
    new_key[1:] = pk[1:] != pk[:-1]
    key_start = np.flatnonzero(new_key)
    starts = np.append(key_start, len(pk)).astype(np.int64)
    return pk[key_start].copy(), starts, pp.astype(np.int32)


def _blobs(seq, surf, seq_len, pass_doc, pass_tok0, pass_len, keys, starts, pids) -> tuple[bytes, ...]:
    """A segment's arrays as stored (the columns seq ... tfs; tfs, unused since format 3, empty)."""
    return (enc_hashes(np.asarray(seq, np.uint64)), enc_hashes(np.asarray(surf, np.uint32)),
            enc_packed(np.asarray(seq_len, np.int32)), enc_packed(np.asarray(pass_doc, np.int32)),
            enc_packed(np.asarray(pass_tok0, np.int32)), enc_packed(np.asarray(pass_len, np.int32)),
            to_blob(np.asarray(keys, np.uint64)), to_blob(np.asarray(starts, np.int64)), enc_pids(starts, pids), b"")



def _key_lists(pair: np.ndarray, span: int, key_vocab: np.ndarray):
    """Sorted integers ``key rank * span + passage`` -> (key hashes, start of each key's list
    with the end appended, passages): the posting lists of a segment."""
    pk, pp = np.divmod(pair, span)
    if len(pk):
        key_start = np.flatnonzero(np.concatenate(([True], pk[1:] != pk[:-1])))
        keys = key_vocab[pk[key_start]]
        starts = np.append(key_start, len(pk)).astype(np.int64)
    else:
        keys, starts = np.zeros(0, np.uint64), np.zeros(1, np.int64)
    return keys, starts, pp

def pack(texts: list[str]) -> tuple[list[int], int, tuple[bytes, ...]]:
    """Signatures, passages and postings of a batch of source texts. Returns (words per text,
    number of passages, the blobs seq, surf, seq_len, pass_doc, pass_tok0, pass_len, keys,
    starts, pids, tfs). Documents and passages are numbered from 0 within the segment (the
    segment's row says where it starts), so batches can be packed in any order, in parallel.

    The same as :func:`pack_reference` (byte for byte), without its sorts of every word: a
    word's key and surface hash are looked up once per distinct form of the batch
    (:func:`~unspin.tracing.signatures.batch_signature`), and the postings are sorted as one
    integer per (key's rank, passage)."""
    form_key, form_surf, form, lens_a = batch_signature(texts)
    pass_doc, pass_tok0, pass_len = _passage_table(lens_a)
    n_pass = len(pass_len)
    doc_start = np.zeros(len(lens_a) + 1, dtype=np.int64)
    np.cumsum(lens_a, out=doc_start[1:])
    # each word's rank among the batch's distinct key / surface hashes: np.unique over the
    # forms, not over every word (a batch has far fewer forms than words)
    key_vocab, key_rank = np.unique(form_key, return_inverse=True)
    surf_vocab, surf_rank = np.unique(form_surf, return_inverse=True)
    seq_ids = key_rank[form]
    surf_ids = surf_rank[form]
    # token -> passage ids (a token in an overlap belongs to two passages)
    if n_pass:
        pl = pass_len.astype(np.int64)
        total = int(pl.sum())
        offs = np.repeat(np.cumsum(pl) - pl, pl)
        tok_idx = np.arange(total, dtype=np.int64) - offs + np.repeat(doc_start[pass_doc] + pass_tok0, pl)
        pids = np.repeat(np.arange(n_pass, dtype=np.int64), pl)
    else:
        tok_idx = pids = np.zeros(0, np.int64)
    stop_rank = np.isin(key_vocab, np.fromiter(stop_hashes(), dtype=np.uint64))
    k = seq_ids[tok_idx]
    keep = ~stop_rank[k]
    # (key rank, passage) as one integer: sorting it orders by key hash, then passage (a sort
    # and a mask: np.unique hashes instead, several times slower here)
    pair = np.sort(k[keep] * max(n_pass, 1) + pids[keep])
    if len(pair):
        pair = pair[np.concatenate(([True], pair[1:] != pair[:-1]))]
    keys, starts, pp = _key_lists(pair, max(n_pass, 1), key_vocab)
    blobs = (_enc_vocab_ids(key_vocab, seq_ids), _enc_vocab_ids(surf_vocab, surf_ids),
             enc_packed(lens_a.astype(np.int32)), enc_packed(pass_doc.astype(np.int32)),
             enc_packed(pass_tok0.astype(np.int32)), enc_packed(pass_len.astype(np.int32)),
             to_blob(np.asarray(keys, np.uint64)), to_blob(starts), enc_pids(starts, pp.astype(np.int32)), b"")
    return lens_a.tolist(), n_pass, blobs


def _passage_table(lens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document, first word, length) of every passage of documents of ``lens`` words, as
    :func:`passages_of` cuts each, in document order."""
    lens = np.asarray(lens, dtype=np.int64)
    long_ = lens > SINGLE
    # a long document has passages starting at 0, STRIDE, ... while the previous one did not
    # reach its end: ceil((ntok - WINDOW) / STRIDE) + 1 of them
    count = np.where(long_, -(-(lens - WINDOW) // STRIDE) + 1, 1)
    doc = np.repeat(np.arange(len(lens), dtype=np.int64), count)
    first = np.cumsum(count) - count
    tok0 = (np.arange(int(count.sum()), dtype=np.int64) - np.repeat(first, count)) * STRIDE
    tok0 = np.where(long_[doc], tok0, 0)
    length = np.where(long_[doc], np.minimum(WINDOW, lens[doc] - tok0), lens[doc])
    return doc, tok0, length


def _enc_vocab_ids(vocab: np.ndarray, ids: np.ndarray) -> bytes:
    """:func:`enc_hashes` of ``vocab[ids]``, ``vocab`` sorted and distinct (as np.unique gives)."""
    width = 1 if len(vocab) <= 1 << 8 else 2 if len(vocab) <= 1 << 16 else 4
    return (struct.pack("<IB", len(vocab), width) + to_blob(vocab)
            + zlib.compress(to_blob(ids.astype(f"<u{width}")), BLOB_ZLEVEL))


def pack_reference(texts: list[str]) -> tuple[list[int], int, tuple[bytes, ...]]:
    """:func:`pack` as first written, one text and one word at a time: the plain reference the
    tests hold the fast one to."""
    seqs, surfs, lens, pass_doc, pass_tok0, pass_len = [], [], [], [], [], []
    pid = 0
    for j, text in enumerate(texts):
        keys, surf, _toks = doc_signature(text)
        seqs.append(keys)
        surfs.append(surf)
        lens.append(len(keys))
        for start, length in passages_of(len(keys)):
            pass_doc.append(j)
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
    pd = np.array(pass_doc, dtype=np.int64)
    p0 = np.array(pass_tok0, dtype=np.int64)
    pl = np.array(pass_len, dtype=np.int64)
    if len(pl):
        total = int(pl.sum())
        offs = np.repeat(np.cumsum(pl) - pl, pl)
        tok_idx = np.arange(total, dtype=np.int64) - offs + np.repeat(doc_start[pd] + p0, pl)
        pids = np.repeat(np.arange(pid, dtype=np.int32), pl)
        tok_parts.append(tok_idx)
        pid_parts.append(pids)
    tok_idx = np.concatenate(tok_parts) if tok_parts else np.zeros(0, np.int64)
    pids = np.concatenate(pid_parts) if pid_parts else np.zeros(0, np.int32)
    keys, starts, plist = _postings(pids, seq[tok_idx])
    return lens, pid, _blobs(seq, surf_all, lens_a, pass_doc, pass_tok0, pass_len, keys, starts, plist)


def merge(rows) -> tuple[int, int, tuple[bytes, ...]]:
    """One segment from stored segment rows (columns seg, first_doc, n_docs, first_pass, n_pass,
    then the blobs as :func:`pack` returns them, in segment order). Returns (documents,
    passages, blobs).

    The same blobs as :func:`merge_reference`, which decodes every word's hashes and sorts all
    words and postings again: here the segments' distinct hashes are merged (each segment
    stores its own, sorted) and each word's number among them is looked up per segment, and
    the postings, which each segment holds sorted by key and passage, are put in order as one
    integer per (key's rank, passage): a stable sort of runs already sorted."""
    first_doc, first_pass = rows[0][1], rows[0][3]
    n_docs = sum(r[2] for r in rows)
    n_pass = sum(r[4] for r in rows)
    seq = _merge_hashes([r[5] for r in rows], np.uint64)
    surf = _merge_hashes([r[6] for r in rows], np.uint32)
    tables = [tuple(dec_packed(r[i], np.int32) for i in (7, 8, 9, 10)) for r in rows]
    seq_len, pass_doc, pass_tok0, pass_len = (np.concatenate([t[i] for t in tables]) for i in range(4))
    pass_doc = pass_doc + np.concatenate([np.full(r[4], r[1] - first_doc, np.int32) for r in rows])
    seg_keys = [from_blob(r[11], np.uint64) for r in rows]
    seg_starts = [from_blob(r[12], np.int64) for r in rows]
    key_vocab = np.unique(np.concatenate(seg_keys))
    span = max(n_pass, 1)
    pair = np.concatenate([
        np.repeat(np.searchsorted(key_vocab, k).astype(np.int64), np.diff(st)) * span
        + dec_pids(r[13], st) + (r[3] - first_pass)
        for r, k, st in zip(rows, seg_keys, seg_starts)])
    pair = np.sort(pair, kind="stable")
    keys, starts, pp = _key_lists(pair, span, key_vocab)
    return n_docs, n_pass, (seq, surf, enc_packed(seq_len), enc_packed(pass_doc), enc_packed(pass_tok0),
                            enc_packed(pass_len), to_blob(keys), to_blob(starts),
                            enc_pids(starts, pp.astype(np.int32)), b"")


def _hash_parts(b: bytes, dtype) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and the per-word numbers of an :func:`enc_hashes` blob."""
    n, width = struct.unpack_from("<IB", b)
    head = 5 + n * np.dtype(dtype).itemsize
    ids = from_blob(zlib.decompress(b[head:]), f"<u{width}")
    if len(ids) and int(ids.max()) >= n:
        raise ValueError("word ids out of range")
    return from_blob(b[5:head], dtype), ids


def _merge_hashes(blobs: list[bytes], dtype) -> bytes:
    """:func:`enc_hashes` of the concatenated hashes of several :func:`enc_hashes` blobs, from
    their distinct values (each segment's are sorted and all used)."""
    parts = [_hash_parts(b, dtype) for b in blobs]
    vocab = np.unique(np.concatenate([v for v, _ids in parts]))
    ids = np.concatenate([np.searchsorted(vocab, v)[i] for v, i in parts]) if parts else np.zeros(0, np.int64)
    return _enc_vocab_ids(vocab, ids)


def merge_reference(rows) -> tuple[int, int, tuple[bytes, ...]]:
    """:func:`merge` as first written: every word's hashes decoded and sorted again (the plain
    reference the tests hold :func:`merge` to)."""
    arrays = [_arrays(r) for r in rows]
    cat = lambda i: np.concatenate([a[i] for a in arrays])  # noqa: E731
    k = np.concatenate([np.repeat(a[6], np.diff(a[7])) for a in arrays])
    p = cat(8)
    order = np.lexsort((p, k))
    k, p = k[order], p[order]
    new_key = np.ones(len(k), dtype=bool)
    new_key[1:] = k[1:] != k[:-1]
    ks = np.flatnonzero(new_key)
    starts = np.append(ks, len(k)).astype(np.int64)
    n_docs = sum(r[2] for r in rows)
    n_pass = sum(r[4] for r in rows)
    first_doc, first_pass = rows[0][1], rows[0][3]
    return n_docs, n_pass, _blobs(cat(0), cat(1), cat(2), cat(3) - first_doc, cat(4), cat(5), k[ks], starts,
                                  p - first_pass)


def _arrays(row) -> tuple[np.ndarray, ...]:
    """A stored segment row's arrays: seq, surf, seq_len, pass_doc, pass_tok0, pass_len, keys,
    starts, pids, with document and passage numbers made index-wide (stored from 0 within the
    segment). ValueError (or zlib.error, struct.error) when a blob does not decode."""
    (_seg, first_doc, _nd, first_pass, _np, seq, surf, seq_len, pass_doc, pass_tok0, pass_len, keys, starts, pids,
     _tfs) = row
    st = from_blob(starts, np.int64)
    return (dec_hashes(seq, np.uint64), dec_hashes(surf, np.uint32), dec_packed(seq_len, np.int32),
            dec_packed(pass_doc, np.int32) + np.int32(first_doc), dec_packed(pass_tok0, np.int32),
            dec_packed(pass_len, np.int32), from_blob(keys, np.uint64), st, dec_pids(pids, st) + np.int32(first_pass))


def unpack(rows):
    """The arrays of stored segment rows (columns as :func:`merge` takes them), checked to fit
    together. Returns (postings per segment, then per segment: seq, surf, seq_len, pass_doc,
    pass_tok0, pass_len; and the numbers of documents and passages). ValueError when they do not
    fit (a corrupt index)."""
    segs = []
    seqs, surfs, seq_lens, pdocs, ptok0, plen = [], [], [], [], [], []
    n_docs = n_pass = 0
    for row in rows:
        seg, first_doc, nd, first_pass, npass = row[:5]
        if first_doc != n_docs or first_pass != n_pass:
            raise ValueError(f"segment {seg} out of order")
        try:
            s, sf, sl, pd, p0, pl, k, st, p = _arrays(row)
        except (zlib.error, struct.error) as e:
            raise ValueError(f"segment {seg}: {e}") from None
        if len(sl) != nd or int(sl.sum()) != len(s) or len(sf) != len(s):
            raise ValueError(f"segment {seg}: word counts do not add up")
        if len(pd) != npass or len(p0) != npass or len(pl) != npass:
            raise ValueError(f"segment {seg}: passage table size")
        if len(st) != len(k) + 1:
            raise ValueError(f"segment {seg}: posting lists")
        seqs.append(s)
        surfs.append(sf)
        seq_lens.append(sl)
        pdocs.append(pd)
        ptok0.append(p0)
        plen.append(pl)
        segs.append(Postings(k, st, p))
        n_docs += nd
        n_pass += npass
    return segs, seqs, surfs, seq_lens, pdocs, ptok0, plen, n_docs, n_pass


def merge_segments(conn, max_words: int) -> None:
    """Rewrite runs of consecutive stored segments as one each (fewer look-ups per query), a run
    holding at most ``max_words`` words (a merge holds its segments' arrays in memory); an
    ordinary index becomes one segment. ``conn`` is in the caller's write transaction."""
    sizes = conn.execute("SELECT s.seg, COALESCE(SUM(d.ntok), 0) FROM segments s LEFT JOIN docs d ON d.seg = s.seg "
                         "GROUP BY s.seg ORDER BY s.seg").fetchall()
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
