"""The trace index: an embedded, single-file store of spin-robust signatures of source documents.

Format: one SQLite file (no server), tables

* ``meta`` (key, value): ``format`` = ``unspin-trace-index``, ``version``, analyzer version,
  passage window;
* ``docs``: internal number, the caller's ``id`` (unique), ``url``, ``date``, the text;
* ``segments``: one row per build/add batch, numpy arrays as blobs: every document's per-word key
  hashes (see :mod:`unspin.tracing.signatures`), the passages documents are cut into, and an
  inverted index from key hash to passages (CSR: sorted keys, offsets, passage ids, term counts).

Long documents are cut into overlapping passages of :data:`WINDOW` words so that a copied
paragraph is compared with the part of the article it came from; a short document is one passage.

Building is atomic: :func:`build` writes a temporary file beside the target and ``os.replace``-s it
in only when complete, so an interrupted build leaves any old index as it was. :meth:`Index.add`
runs in one SQLite transaction, so an interrupted add leaves the index as it was before it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import UnspinError
from .signatures import ANALYZER_VERSION, doc_signature, stop_hashes

FORMAT = "unspin-trace-index"
FORMAT_VERSION = 2
#: passage length in words, and the step between passage starts in long documents
WINDOW = 128
STRIDE = 96
#: documents up to this many words are a single passage
SINGLE = 160
#: segments are merged into one once there are more than this many
MAX_SEGMENTS = 8
BATCH = 20_000

_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(slots=True)
class Document:
    id: str
    text: str
    url: str | None = None
    date: str | None = None


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


class _Segment:
    __slots__ = ("keys", "starts", "pids", "tfs")

    def __init__(self, keys, starts, pids, tfs):
        self.keys = keys
        self.starts = starts
        self.pids = pids
        self.tfs = tfs


def _blob(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def _arr(b: bytes, dtype) -> np.ndarray:
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


def _check_path_is_index(path: str) -> None:
    if not os.path.exists(path):
        raise UnspinError(f"{path}: no such index (build one with `unspin index build`)")
    if os.path.isdir(path):
        raise UnspinError(f"{path}: is a directory, not an index file")
    try:
        with open(path, "rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise UnspinError(f"{path}: cannot read ({e.strerror})") from None
    if head != _SQLITE_MAGIC:
        raise UnspinError(f"{path}: not an unspin trace index (unknown file format)")


def is_index(path: str) -> bool:
    """True when ``path`` is an unspin trace index (of this or another version)."""
    try:
        _check_path_is_index(path)
        conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        finally:
            conn.close()
        return row is not None and row[0] == FORMAT
    except (UnspinError, sqlite3.Error):
        return False


class Index:
    """An opened trace index. Use :meth:`open`, or :func:`build` to make one."""

    def __init__(self, path: str, conn: sqlite3.Connection, writable: bool):
        self.path = path
        self._conn = conn
        self.writable = writable
        self._loaded = False
        self.meta: dict[str, str] = {}

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str, *, writable: bool = False) -> "Index":
        path = os.fspath(path)
        _check_path_is_index(path)
        try:
            if writable:
                conn = sqlite3.connect(path, isolation_level=None)
            else:
                conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True, isolation_level=None)
            idx = cls(path, conn, writable)
            idx._read_meta()
        except sqlite3.DatabaseError as e:
            raise UnspinError(f"{path}: corrupt or unreadable index ({e})") from None
        return idx

    @classmethod
    def _create(cls, path: str) -> "Index":
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE docs (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT, date TEXT,
                               text TEXT NOT NULL, ntok INTEGER NOT NULL, seg INTEGER NOT NULL);
            CREATE TABLE segments (seg INTEGER PRIMARY KEY, first_doc INTEGER, n_docs INTEGER,
                                   first_pass INTEGER, n_pass INTEGER, seq BLOB, surf BLOB, seq_len BLOB,
                                   pass_doc BLOB, pass_tok0 BLOB, pass_len BLOB,
                                   keys BLOB, starts BLOB, pids BLOB, tfs BLOB);
            """
        )
        meta = {
            "format": FORMAT,
            "version": str(FORMAT_VERSION),
            "analyzer": str(ANALYZER_VERSION),
            "window": f"{WINDOW},{STRIDE},{SINGLE}",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        idx = cls(path, conn, True)
        idx._read_meta()
        return idx

    def _read_meta(self) -> None:
        try:
            rows = self._conn.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.DatabaseError:
            raise UnspinError(f"{self.path}: not an unspin trace index (an SQLite file of another kind)") from None
        self.meta = dict(rows)
        if self.meta.get("format") != FORMAT:
            raise UnspinError(f"{self.path}: not an unspin trace index (an SQLite file of another kind)")
        if self.meta.get("version") != str(FORMAT_VERSION) or self.meta.get("analyzer") != str(ANALYZER_VERSION):
            raise UnspinError(
                f"{self.path}: index made by another version of unspin (format {self.meta.get('version')}, "
                f"analyzer {self.meta.get('analyzer')}); rebuild it with `unspin index build`"
            )
        if self.meta.get("window") != f"{WINDOW},{STRIDE},{SINGLE}":
            raise UnspinError(f"{self.path}: index uses other passage settings; rebuild it")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- loading into memory ---------------------------------------------------------------
    def load(self) -> "Index":
        if self._loaded:
            return self
        try:
            rows = self._conn.execute(
                "SELECT seg, first_doc, n_docs, first_pass, n_pass, seq, surf, seq_len, pass_doc, pass_tok0, "
                "pass_len, keys, starts, pids, tfs FROM segments ORDER BY seg"
            ).fetchall()
            segs = []
            seqs, surfs, seq_lens, pdocs, ptok0, plen = [], [], [], [], [], []
            n_docs = n_pass = 0
            for (seg, first_doc, nd, first_pass, npass, seq, surf, seq_len, pass_doc, pass_tok0, pass_len,
                 keys, starts, pids, tfs) in rows:
                if first_doc != n_docs or first_pass != n_pass:
                    raise ValueError(f"segment {seg} out of order")
                sl = _arr(seq_len, np.int32)
                s = _arr(seq, np.uint64)
                sf = _arr(surf, np.uint32)
                if len(sl) != nd or int(sl.sum()) != len(s) or len(sf) != len(s):
                    raise ValueError(f"segment {seg}: word counts do not add up")
                pd = _arr(pass_doc, np.int32)
                if len(pd) != npass:
                    raise ValueError(f"segment {seg}: passage table size")
                k = _arr(keys, np.uint64)
                st = _arr(starts, np.int64)
                p = _arr(pids, np.int32)
                t = _arr(tfs, np.uint16)
                if len(st) != len(k) + 1 or len(p) != len(t) or (len(st) and st[-1] != len(p)):
                    raise ValueError(f"segment {seg}: posting lists")
                seqs.append(s)
                surfs.append(sf)
                seq_lens.append(sl)
                pdocs.append(pd)
                ptok0.append(_arr(pass_tok0, np.int32))
                plen.append(_arr(pass_len, np.int32))
                segs.append(_Segment(k, st, p, t))
                n_docs += nd
                n_pass += npass
        except (sqlite3.DatabaseError, ValueError, TypeError) as e:
            raise UnspinError(f"{self.path}: corrupt index ({e}); rebuild it") from None
        self._segments = segs
        self.seq = np.concatenate(seqs) if seqs else np.zeros(0, np.uint64)
        self.surf = np.concatenate(surfs) if surfs else np.zeros(0, np.uint32)
        lens = np.concatenate(seq_lens) if seq_lens else np.zeros(0, np.int32)
        self.doc_seq_start = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=self.doc_seq_start[1:])
        self.pass_doc = np.concatenate(pdocs) if pdocs else np.zeros(0, np.int32)
        self.pass_tok0 = np.concatenate(ptok0) if ptok0 else np.zeros(0, np.int32)
        self.pass_len = np.concatenate(plen) if plen else np.zeros(0, np.int32)
        self.n_docs = n_docs
        self.n_passages = n_pass
        self.avg_pass_len = float(self.pass_len.mean()) if n_pass else 1.0
        self._sorted_len = None
        self._loaded = True
        return self

    # -- look-ups used by trace ----------------------------------------------------------
    def lookup(self, keys: np.ndarray):
        """For unique key hashes: document frequency (in passages) and posting ranges per segment."""
        self.load()
        df = np.zeros(len(keys), dtype=np.int64)
        ranges = []
        for seg in self._segments:
            if len(seg.keys) == 0:
                ranges.append((None, None, None))
                continue
            pos = np.searchsorted(seg.keys, keys)
            pos_c = np.minimum(pos, len(seg.keys) - 1)
            found = seg.keys[pos_c] == keys
            lo = np.where(found, seg.starts[pos_c], 0)
            hi = np.where(found, seg.starts[pos_c + 1], 0)
            df += hi - lo
            ranges.append((lo, hi, seg))
        return df, ranges

    def length_share(self, lo: float, hi: float) -> float:
        """Share of passages whose length in words lies in [lo, hi]."""
        self.load()
        if self._sorted_len is None:
            self._sorted_len = np.sort(self.pass_len)
        n = len(self._sorted_len)
        if n == 0:
            return 0.0
        a = np.searchsorted(self._sorted_len, lo, "left")
        b = np.searchsorted(self._sorted_len, hi, "right")
        return float(b - a) / n

    def doc_record(self, n: int) -> tuple[str, str | None, str | None, str]:
        row = self._conn.execute("SELECT id, url, date, text FROM docs WHERE n = ?", (int(n),)).fetchone()
        if row is None:
            raise UnspinError(f"{self.path}: corrupt index (document {n} missing)")
        return row

    def doc_number(self, doc_id: str) -> int | None:
        row = self._conn.execute("SELECT n FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else int(row[0])

    # -- writing ---------------------------------------------------------------------------
    def add(self, docs: Iterable[tuple[str, Document]], *, on_progress=None) -> int:
        """Add documents (``(where, Document)`` pairs; ``where`` names them in errors) in one
        transaction. Returns the number added."""
        if not self.writable:
            raise UnspinError(f"{self.path}: opened read-only")
        conn = self._conn
        added = 0
        try:
            conn.execute("BEGIN")
            seen = {r[0] for r in conn.execute("SELECT id FROM docs")}
            row = conn.execute(
                "SELECT COALESCE(MAX(seg), -1), COUNT(*) FROM segments").fetchone()
            next_seg = int(row[0]) + 1
            n_docs = conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
            n_pass = conn.execute("SELECT COALESCE(SUM(n_pass), 0) FROM segments").fetchone()[0]
            batch: list[tuple[str, Document]] = []
            for where, doc in docs:
                if doc.id in seen:
                    raise UnspinError(f"{where}: duplicate id {doc.id!r} (already in the index)")
                seen.add(doc.id)
                batch.append((where, doc))
                if len(batch) >= BATCH:
                    n_docs, n_pass = self._write_segment(next_seg, batch, n_docs, n_pass)
                    next_seg += 1
                    added += len(batch)
                    if on_progress:
                        on_progress(added)
                    batch = []
            if batch:
                n_docs, n_pass = self._write_segment(next_seg, batch, n_docs, n_pass)
                added += len(batch)
                if on_progress:
                    on_progress(added)
            n_segs = conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
            if n_segs > MAX_SEGMENTS:
                self._merge_segments()
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._loaded = False
        return added

    def _write_segment(self, seg: int, batch, first_doc: int, first_pass: int) -> tuple[int, int]:
        seqs, surfs, lens, pass_doc, pass_tok0, pass_len = [], [], [], [], [], []
        rows = []
        pid = first_pass
        for j, (_where, doc) in enumerate(batch):
            keys, surf, _toks = doc_signature(doc.text)
            n = first_doc + j
            seqs.append(keys)
            surfs.append(surf)
            lens.append(len(keys))
            for start, length in passages_of(len(keys)):
                pass_doc.append(n)
                pass_tok0.append(start)
                pass_len.append(length)
                pid += 1
            rows.append((n, doc.id, doc.url, doc.date, doc.text, len(keys), seg))
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
        self._conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self._conn.execute(
            "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seg, first_doc, len(batch), first_pass, pid - first_pass, _blob(seq), _blob(surf_all), _blob(lens_a),
             _blob(np.array(pass_doc, np.int32)), _blob(np.array(pass_tok0, np.int32)),
             _blob(np.array(pass_len, np.int32)), _blob(keys), _blob(starts), _blob(plist), _blob(tfs)),
        )
        return first_doc + len(batch), pid

    def _merge_segments(self) -> None:
        """Rewrite all segments as one (fewer look-ups per query)."""
        conn = self._conn
        rows = conn.execute(
            "SELECT seg, first_doc, n_docs, first_pass, n_pass, seq, surf, seq_len, pass_doc, pass_tok0, pass_len, "
            "keys, starts, pids, tfs FROM segments ORDER BY seg").fetchall()
        if len(rows) <= 1:
            return
        cat = lambda i, dt: np.concatenate([_arr(r[i], dt) for r in rows])  # noqa: E731
        all_keys, all_pids, all_tfs = [], [], []
        for r in rows:
            k = _arr(r[11], np.uint64)
            st = _arr(r[12], np.int64)
            all_keys.append(np.repeat(k, np.diff(st)))
            all_pids.append(_arr(r[13], np.int32))
            all_tfs.append(_arr(r[14], np.uint16))
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
        conn.execute("DELETE FROM segments")
        conn.execute("UPDATE docs SET seg = 0")
        conn.execute(
            "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (0, 0, n_docs, 0, n_pass, _blob(cat(5, np.uint64)), _blob(cat(6, np.uint32)), _blob(cat(7, np.int32)),
             _blob(cat(8, np.int32)), _blob(cat(9, np.int32)), _blob(cat(10, np.int32)),
             _blob(k[ks]), _blob(starts), _blob(p), _blob(t)),
        )

    def compact(self) -> None:
        if not self.writable:
            raise UnspinError(f"{self.path}: opened read-only")
        self._conn.execute("BEGIN")
        try:
            self._merge_segments()
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._loaded = False

    # -- reporting -------------------------------------------------------------------------
    def stats(self) -> dict:
        c = self._conn
        try:
            n_docs, n_words = c.execute("SELECT COUNT(*), COALESCE(SUM(ntok), 0) FROM docs").fetchone()
            n_segs, n_pass, key_bytes, post_bytes = c.execute(
                "SELECT COUNT(*), COALESCE(SUM(n_pass), 0), COALESCE(SUM(LENGTH(keys)), 0), "
                "COALESCE(SUM(LENGTH(pids)), 0) FROM segments").fetchone()
            with_url = c.execute("SELECT COUNT(*) FROM docs WHERE url IS NOT NULL").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise UnspinError(f"{self.path}: corrupt index ({e})") from None
        return {
            "path": self.path,
            "format": self.meta.get("format"),
            "version": int(self.meta.get("version", 0)),
            "created": self.meta.get("created"),
            "documents": n_docs,
            "documents_with_url": with_url,
            "words": n_words,
            "passages": n_pass,
            "segments": n_segs,
            "distinct_keys": key_bytes // 8,
            "postings": post_bytes // 4,
            "bytes": os.path.getsize(self.path),
        }


def _uri_path(path: str) -> str:
    from urllib.parse import quote

    return quote(os.path.abspath(path))


def build(path: str, docs: Iterable[tuple[str, Document]], *, force: bool = False, on_progress=None) -> dict:
    """Build a new index at ``path`` from ``docs``, atomically replacing any index there.

    A file at ``path`` that is not an unspin index is left alone (an error) unless ``force``.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise UnspinError(f"{path}: is a directory; give a file name for the index")
    if os.path.exists(path) and not force and not is_index(path):
        raise UnspinError(f"{path}: exists and is not an unspin trace index; not overwriting it (use --force)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UnspinError(f"{folder}: no such directory")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    t0 = time.perf_counter()
    try:
        try:
            idx = Index._create(tmp)
        except sqlite3.Error as e:
            raise UnspinError(f"{path}: cannot write the index ({e})") from None
        try:
            n = idx.add(docs, on_progress=on_progress)
            idx.compact()
        finally:
            idx.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return {"documents": n, "seconds": round(time.perf_counter() - t0, 3)}


# -- reading sources ---------------------------------------------------------------------------
_TEXT_SUFFIXES = (".txt", ".text", ".md", ".rst", ".html", ".htm")


def iter_sources(paths: Iterable[str], *, errors: str = "strict") -> Iterator[tuple[str, Document]]:
    """Documents from JSONL files (``id``, ``text``, optional ``url``, ``date``) or directories of
    text files (id = path relative to the directory). Yields ``(where, Document)``."""
    from ..inputs.textio import decode_bytes, iter_jsonl

    for src in paths:
        if os.path.isdir(src):
            files = []
            for dirpath, dirnames, filenames in os.walk(src):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or not name.lower().endswith(_TEXT_SUFFIXES):
                        continue
                    files.append(os.path.join(dirpath, name))
            for fp in files:
                rel = os.path.relpath(fp, src).replace(os.sep, "/")
                try:
                    with open(fp, "rb") as f:
                        data = f.read()
                except OSError as e:
                    raise UnspinError(f"{fp}: {e.strerror}") from None
                yield fp, Document(id=rel, text=decode_bytes(data, fp, errors))
            continue
        if not os.path.exists(src) and src != "-":
            raise UnspinError(f"{src}: no such file or directory")
        for lineno, obj in iter_jsonl(src, errors=errors):
            where = f"{src}:{lineno}"
            doc_id = obj.get("id")
            if doc_id is None or doc_id == "":
                raise UnspinError(f"{where}: document has no 'id'")
            if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
                raise UnspinError(f"{where}: 'id' must be a string or a number")
            text = obj.get("text")
            if not isinstance(text, str):
                raise UnspinError(f"{where}: document {doc_id!r} has no 'text' string")
            url = obj.get("url")
            date = obj.get("date")
            yield where, Document(
                id=str(doc_id),
                text=text,
                url=None if url is None else str(url),
                date=None if date is None else (date if isinstance(date, str) else json.dumps(date)),
            )
