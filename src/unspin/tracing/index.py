"""The trace index: an embedded, single-file store of spin-robust signatures of source documents.

Format: one SQLite file (no server), tables

* ``meta`` (key, value): ``format`` = ``unspin-trace-index``, ``version``, analyzer version,
  passage window;
* ``docs``: internal number, the caller's ``id`` (unique), ``url``, ``date``, the text (UTF-8,
  zlib-compressed: read only for the evidence of the few documents a query shows);
* ``segments``: one row per build/add batch, numpy arrays as blobs (what they hold and how a
  batch is packed: :mod:`unspin.tracing.segments`).

Long documents are cut into overlapping passages of :data:`~unspin.tracing.segments.WINDOW` words
so that a copied paragraph is compared with the part of the article it came from; a short document
is one passage.

An opened :class:`Index` also holds everything a search keeps per index (loaded arrays, the
sorted passage lengths, whether its words' general-English rarities were looked up), so several
indexes can be open and searched in one process without sharing state.

Building is atomic: :func:`build` writes a temporary file beside the target and ``os.replace``-s it
in only when complete, so an interrupted build leaves any old index as it was. :meth:`Index.add`
is all or nothing too: an add of one batch is one SQLite transaction; a larger add writes a copy
of the index and renames it in. The next build or add removes the temporary files of builds and
adds whose process is gone (:mod:`unspin.inputs.tempfiles`).

Several processes may use one index (locks, waiting and recovery: :mod:`unspin.tracing.dbfile`).
Writers take the write lock when they start (``BEGIN IMMEDIATE``) and so wait for each other;
readers read the last committed state meanwhile (a writer's transaction keeps its pages in
memory, a large add writes its copy) and wait only for the commit itself.

Text fields are stored through :func:`~unspin.tracing.signatures.replace_surrogates` (SQLite
cannot hold a lone surrogate; offsets stay valid).
"""

from __future__ import annotations

import collections
import math
import os
import shutil
import sqlite3
import time
import uuid
import zlib
from collections.abc import Iterable

import numpy as np

from ..errors import UnspinError
from ..inputs.tempfiles import create_temp_path, remove_stale_temps
from .dbfile import (check_path, connect, connect_private, connect_writer, inode_of, lock_error, remove_file,
                     swap_in)
from .segments import SINGLE, STRIDE, WINDOW, ZLEVEL, HashIndex, merge_segments, one_directory, pack, unpack
from .signatures import ANALYZER_VERSION, doc_keys, replace_surrogates
from .sources import Source

FORMAT = "unspin-trace-index"
FORMAT_VERSION = 3  # 3: compact blobs and zlib-compressed texts (segments.py)
#: segments are merged (in bounded runs: MERGE_WORDS) once there are more than this many
MAX_SEGMENTS = 8
#: a batch (one segment) is written when it holds this many documents or this many characters
BATCH = 20_000
BATCH_CHARS = 1 << 23
#: segments are merged only into segments of at most this many words (a merge holds its
#: segments' arrays in memory, so memory does not grow with the index; ordinary indexes
#: stay one segment)
MERGE_WORDS = 1 << 22


def is_index(path: str) -> bool:
    """True when ``path`` is an unspin trace index (of this or another version)."""
    try:
        check_path(path)
        conn = connect(path, readonly=True)
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
        self._word_priors_known = False
        self.meta: dict[str, str] = {}
        # which file this connection has open: a build may replace the path while we wait to write
        self._inode = inode_of(path)
        # a file other processes may use: writes go through transactions they cannot see (add)
        self._shared = writable and path != ":memory:"

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str, *, writable: bool = False) -> "Index":
        path = os.fspath(path)
        check_path(path)
        try:
            conn = connect_writer(path) if writable else connect(path, readonly=True)
            idx = cls(path, conn, writable)
            idx._read_meta()
        except sqlite3.DatabaseError as e:
            raise lock_error(path, e) or UnspinError(f"{path}: corrupt or unreadable index ({e})") from None
        return idx

    @classmethod
    def in_memory(cls) -> "Index":
        """A writable index that lives in this process only (no file): for one-off comparisons."""
        return cls._create(":memory:")

    @classmethod
    def _create(cls, path: str) -> "Index":
        conn = connect_private(path)
        conn.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE docs (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT, date TEXT,
                               text BLOB NOT NULL, ntok INTEGER NOT NULL, seg INTEGER NOT NULL);
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
            # kept by adds, new with each build: an add waiting for the write lock tells another
            # add's replacement of the file (go on) from a rebuild (stop)
            "lineage": uuid.uuid4().hex,
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        return cls._private(path, conn)

    @classmethod
    def _private(cls, path: str, conn: sqlite3.Connection) -> "Index":
        """A writable index no other process uses yet (a build's or a large add's temporary
        file): written straight to disk, no journal, pages spilled as the cache fills."""
        idx = cls(path, conn, True)
        idx._shared = False
        idx._read_meta()
        return idx

    def _read_meta(self) -> None:
        try:
            rows = self._conn.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.DatabaseError as e:
            locked = lock_error(self.path, e)
            if locked:
                raise locked from None
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
            segs, seqs, surfs, seq_lens, pdocs, ptok0, plen, n_docs, n_pass = unpack(rows)
        except (sqlite3.DatabaseError, ValueError, TypeError) as e:
            raise lock_error(self.path, e) or UnspinError(f"{self.path}: corrupt index ({e}); rebuild it") from None
        self._segments = [one_directory(segs)] if segs else []
        self._finders = [HashIndex(sg.keys) for sg in self._segments]
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
        # an index of empty documents has passages of no words: keep the length ratios finite
        self.avg_pass_len = max(float(self.pass_len.mean()), 1.0) if n_pass else 1.0
        # log(length / average) per passage: the first pass reads it for every posting
        self.pass_log_len = np.log(np.maximum(self.pass_len, 1) / self.avg_pass_len).astype(np.float32)
        self.pass_log_len_max = float(self.pass_log_len.max()) if n_pass else 0.0
        self._len_cum = None
        self._word_priors_known = False
        self._loaded = True
        return self

    # -- look-ups used by trace ----------------------------------------------------------
    def lookup(self, keys: np.ndarray):
        """For unique key hashes: document frequency (in passages) and posting ranges per segment."""
        self.load()
        df = np.zeros(len(keys), dtype=np.int64)
        ranges = []
        for seg, finder in zip(self._segments, self._finders):
            if len(seg.keys) == 0:
                ranges.append((None, None, None))
                continue
            pos = finder.find(keys)
            found = pos >= 0
            pos_c = np.maximum(pos, 0)
            lo = np.where(found, seg.starts[pos_c], 0)
            hi = np.where(found, seg.starts[pos_c + 1], 0)
            df += hi - lo
            ranges.append((lo, hi, seg))
        return df, ranges

    def length_share(self, lo: float, hi: float) -> float:
        """Share of passages whose length in words lies in [lo, hi]."""
        self.load()
        if self._len_cum is None:
            # passages have at most a few hundred words: a cumulative count per length answers in
            # constant time (a binary search over 1.8 M sorted lengths cost about 2 ms a query,
            # numpy converting the whole array to the bound's type)
            self._len_cum = np.concatenate(([0], np.cumsum(np.bincount(self.pass_len)))) if len(self.pass_len) \
                else np.zeros(1, np.int64)
        n = int(self._len_cum[-1])
        if n == 0:
            return 0.0
        top = len(self._len_cum) - 1  # lengths 0 .. top - 1
        a = min(max(math.ceil(lo), 0), top)
        b = min(max(math.floor(hi) + 1, 0), top)
        return float(self._len_cum[b] - self._len_cum[a]) / n if b > a else 0.0

    def doc_record(self, n: int, text: bool = True) -> tuple[str, str | None, str | None, str | None]:
        """(id, url, date, text) of document ``n``; the text None with ``text=False`` (not read
        nor decompressed: a search without evidence needs only the first three)."""
        cols = "id, url, date, text" if text else "id, url, date"
        row = self._conn.execute(f"SELECT {cols} FROM docs WHERE n = ?", (int(n),)).fetchone()
        if row is None:
            raise UnspinError(f"{self.path}: corrupt index (document {n} missing)")
        if not text:
            return (*row, None)
        try:
            return (*row[:3], zlib.decompress(row[3]).decode("utf-8"))
        except (zlib.error, TypeError, UnicodeDecodeError) as e:
            raise UnspinError(f"{self.path}: corrupt index (document {n}: {e})") from None

    def learn_word_priors(self) -> None:
        """Small indexes lean on general-English word rarity: look it up for this index's words,
        once per load. The rarities go into the process-wide table of
        :mod:`unspin.tracing.signatures` (a word's rarity in English is the same whichever index
        holds it); what is per index is only whether this one's words have been looked up."""
        if self._word_priors_known or self.path == ":memory:":  # built in this process: known
            return
        for d in range(self.n_docs):
            doc_keys(self.doc_record(d)[3])
        self._word_priors_known = True

    def doc_number(self, doc_id: str) -> int | None:
        row = self._conn.execute("SELECT n FROM docs WHERE id = ?", (replace_surrogates(doc_id),)).fetchone()
        return None if row is None else int(row[0])

    # -- writing ---------------------------------------------------------------------------
    def add(self, docs: Iterable[tuple[str, Source]], *, on_progress=None, workers: int = 1) -> int:
        """Add documents (``(where, Source)`` pairs; ``where`` names them in errors), all or
        none. Returns the number added. ``workers`` > 1 packs batches (signatures, passages,
        postings) in that many processes while this one reads sources and writes segments.

        Documents are read and written in batches (:data:`BATCH`, :data:`BATCH_CHARS`), so memory
        does not grow with the input. Other processes read the last committed index meanwhile:
        an add of one batch is one transaction that keeps its pages in memory until it commits;
        a larger one holds the write lock, copies the index beside it, adds to the copy (on disk,
        batch by batch, as a build does) and renames the copy over the index at the end.
        """
        if not self.writable:
            raise UnspinError(f"{self.path}: opened read-only")
        self._begin_write()
        target = self
        added = 0
        packer = _Packer(workers)
        try:
            if self._shared:
                remove_stale_temps(self.path)  # of adds and builds killed before they finished
            batch: list[tuple[str, Source]] = []
            ids: set[str] = set()  # of the batches not written yet (the index knows the others)
            chars = 0
            for where, doc in docs:
                doc = _storable(doc)
                if doc.id in ids or target._has_id(doc.id):
                    raise UnspinError(f"{where}: duplicate id {doc.id!r} (already in the index)")
                batch.append((where, doc))
                ids.add(doc.id)
                chars += len(doc.text)
                if len(batch) >= BATCH or chars >= BATCH_CHARS:
                    if target._shared:
                        target = self._private_copy()
                    for done, packed in packer.submit(batch):
                        added += target._append(done, on_progress, added, packed)
                        ids.difference_update(d.id for _w, d in done)  # in the index now
                    batch, chars = [], 0
            if batch:
                packer.submit(batch, wait=False)
            for done, packed in packer.drain():
                added += target._append(done, on_progress, added, packed)
            if target._conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0] > MAX_SEGMENTS:
                target._merge_segments()
            target._conn.execute("COMMIT")
            if target is not self:
                self._replace_with(target)
        except BaseException as e:
            packer.close()
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if target is not self:
                target.close()
                remove_file(target.path)
            if isinstance(e, sqlite3.Error):
                raise self._write_error(e) from None
            raise
        self._loaded = False
        return added

    def _has_id(self, doc_id: str) -> bool:
        return self._conn.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None

    def _append(self, batch, on_progress, added: int, packed=None) -> int:
        """Write ``batch`` (``packed``: what :func:`_pack_batch` made of it, if done already) as the
        next segment; returns its size."""
        seg, n_docs = self._conn.execute(
            "SELECT (SELECT COALESCE(MAX(seg), -1) + 1 FROM segments), COALESCE(MAX(n), -1) + 1 FROM docs").fetchone()
        n_pass = self._conn.execute("SELECT COALESCE(SUM(n_pass), 0) FROM segments").fetchone()[0]
        self._write_segment(seg, batch, n_docs, n_pass, packed)
        if on_progress:
            on_progress(added + len(batch))
        return len(batch)

    def _private_copy(self) -> "Index":
        """A copy of this index beside it, in a transaction, for a large add. The caller holds the
        write lock, so the file is as last committed and stays so while it is copied."""
        tmp = create_temp_path(self.path)
        conn = None
        try:
            shutil.copymode(self.path, tmp)  # the copy will replace the index
            conn = connect_private(tmp)
            # Through SQLite (a second connection, reading under our lock), never a Python open():
            # closing any descriptor of the file would drop this process's locks on it (POSIX).
            source = connect(self.path, readonly=True)
            try:
                source.backup(conn)
            finally:
                source.close()
            copy = Index._private(tmp, conn)
            copy._conn.execute("BEGIN IMMEDIATE")
        except BaseException as e:
            if conn is not None:
                conn.close()
            remove_file(tmp)
            if isinstance(e, OSError):
                raise UnspinError(f"{self.path}: cannot copy the index to add to it ({e.strerror or e})") from None
            raise
        return copy

    def _replace_with(self, copy: "Index") -> None:
        """Rename the committed ``copy`` over this index, still under its write lock (a writer
        waiting for the lock then finds the new file: :meth:`_begin_write`), and reopen it."""
        copy.close()
        try:
            with open(copy.path, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(copy.path, self.path)
        except OSError as e:
            raise UnspinError(f"{self.path}: cannot write the index ({e.strerror or e})") from None
        self._conn.execute("ROLLBACK")  # nothing was written to the old file
        self._conn.close()
        self._inode = inode_of(self.path)
        self._conn = connect_writer(self.path)

    def _begin_write(self) -> None:
        """Take the write lock now (waiting for another writer up to BUSY_TIMEOUT): a deferred
        transaction that upgrades later fails at once when another writer got there first.

        While we waited, the file may have been replaced: by another add's copy (same lineage:
        take the lock of the new file instead) or by a rebuild (stop: adding to an index the user
        just rebuilt is not what they asked)."""
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise self._write_error(e) from None
            if self._inode == inode_of(self.path):
                return
            self._conn.execute("ROLLBACK")
            if not self._follow_replacement():
                raise UnspinError(f"{self.path}: the index was rebuilt by another process meanwhile; "
                                  "nothing was added, run the command again")

    def _follow_replacement(self) -> bool:
        """Reopen the file now at our path when it continues this index (another add); False if
        it is another index (a rebuild) or cannot be opened."""
        inode = inode_of(self.path)
        try:
            check_path(self.path)
            conn = connect_writer(self.path)
        except (UnspinError, sqlite3.Error):
            return False
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'lineage'").fetchone()
        except sqlite3.Error:
            row = None
        if (row[0] if row else None) != self.meta.get("lineage") or inode is None:
            conn.close()
            return False
        self._conn.close()
        self._conn, self._inode = conn, inode
        return True

    def _write_error(self, e: sqlite3.Error) -> UnspinError:
        return lock_error(self.path, e) or UnspinError(f"{self.path}: cannot write the index ({e})")

    def _write_segment(self, seg: int, batch, first_doc: int, first_pass: int, packed=None) -> tuple[int, int]:
        ntoks, n_pass, blobs, stored = packed or _pack_batch([doc.text for _where, doc in batch])
        rows = [(first_doc + j, doc.id, doc.url, doc.date, text, ntok, seg)
                for j, ((_where, doc), ntok, text) in enumerate(zip(batch, ntoks, stored))]
        self._conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self._conn.execute(
            "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seg, first_doc, len(batch), first_pass, n_pass, *blobs),
        )
        return first_doc + len(batch), first_pass + n_pass

    def _merge_segments(self) -> None:
        merge_segments(self._conn, MERGE_WORDS)

    def compact(self) -> None:
        if not self.writable:
            raise UnspinError(f"{self.path}: opened read-only")
        self._begin_write()
        try:
            self._merge_segments()
            self._conn.execute("COMMIT")
        except BaseException as e:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise self._write_error(e) from None
            raise
        self._loaded = False

    # -- reporting -------------------------------------------------------------------------
    def stats(self) -> dict:
        c = self._conn
        try:
            n_docs, n_words = c.execute("SELECT COUNT(*), COALESCE(SUM(ntok), 0) FROM docs").fetchone()
            n_segs, n_pass, key_bytes = c.execute(
                "SELECT COUNT(*), COALESCE(SUM(n_pass), 0), COALESCE(SUM(LENGTH(keys)), 0) FROM segments").fetchone()
            # a segment's last CSR offset is its number of postings
            postings = sum(int.from_bytes(b, "little") for (b,) in c.execute("SELECT substr(starts, -8) FROM segments"))
            with_url = c.execute("SELECT COUNT(*) FROM docs WHERE url IS NOT NULL").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise lock_error(self.path, e) or UnspinError(f"{self.path}: corrupt index ({e})") from None
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
            "postings": postings,
            "bytes": os.path.getsize(self.path),
        }


class _Packer:
    """Packs batches (:func:`_pack_batch`) in ``workers`` forked processes,
    handing them back in the order given. At most two batches per worker are in flight, so
    memory stays bounded however many sources come. With one worker nothing is forked: each
    batch is packed where it is written."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self._pool = None
        self._pending: collections.deque = collections.deque()

    def submit(self, batch, wait: bool = True) -> list:
        """Queue ``batch``; returns the (batch, packed) pairs that must be written now, in order."""
        if self.workers == 1 or (self._pool is None and not wait):
            # (a source set of one batch is packed here: forking would only cost time)
            self._pending.append((batch, None))
        else:
            if self._pool is None:
                import concurrent.futures
                import multiprocessing

                doc_keys("warm")  # the analyzer's tables load once here and are shared by the forks
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("fork"))
            self._pending.append((batch, self._pool.submit(_pack_batch, [doc.text for _where, doc in batch])))
        keep = 0 if self.workers == 1 else 2 * self.workers - 1  # batches left in flight
        out = []
        while wait and len(self._pending) > keep:
            out.append(self._take())
        return out

    def _take(self):
        batch, fut = self._pending.popleft()
        return batch, (fut.result() if fut is not None else None)

    def drain(self):
        try:
            while self._pending:
                yield self._take()
        finally:
            self.close()

    def close(self) -> None:
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _pack_batch(texts: list[str]) -> tuple[list[int], int, tuple[bytes, ...], list[bytes]]:
    """:func:`~unspin.tracing.segments.pack` of a batch, and its texts compressed as stored: in
    the worker that packs it, so that the process writing the index does not compress them."""
    return (*pack(texts), [zlib.compress(t.encode("utf-8"), ZLEVEL) for t in texts])


def _storable(doc: Source) -> Source:
    """``doc`` with text fields SQLite can store (lone surrogates replaced)."""
    fields = (doc.id, doc.text, doc.url, doc.date)
    clean = tuple(None if f is None else replace_surrogates(f) for f in fields)
    return doc if clean == fields else Source(id=clean[0], text=clean[1], url=clean[2], date=clean[3])


def build(path: str, docs: Iterable[tuple[str, Source]], *, force: bool = False, on_progress=None,
          workers: int = 1) -> dict:
    """Build a new index at ``path`` from ``docs``, atomically replacing any index there.

    A file at ``path`` that is not an unspin index is left alone (an error) unless ``force``.
    ``workers``: processes that pack batches (see :meth:`Index.add`).
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise UnspinError(f"{path}: is a directory; give a file name for the index")
    if os.path.exists(path) and not force and not is_index(path):
        raise UnspinError(f"{path}: exists and is not an unspin trace index; not overwriting it (use --force)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UnspinError(f"{folder}: no such directory")
    t0 = time.perf_counter()
    try:
        tmp = create_temp_path(path)
    except OSError as e:
        raise UnspinError(f"{path}: cannot write the index ({e.strerror or e})") from None
    try:
        try:
            idx = Index._create(tmp)
        except sqlite3.Error as e:
            raise UnspinError(f"{path}: cannot write the index ({e})") from None
        try:
            n = idx.add(docs, on_progress=on_progress, workers=workers)
            idx.compact()
        finally:
            idx.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        swap_in(tmp, path, old_is_index=is_index(path))
    except BaseException:
        remove_file(tmp)
        raise
    return {"documents": n, "seconds": round(time.perf_counter() - t0, 3)}

