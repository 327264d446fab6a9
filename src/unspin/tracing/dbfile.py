"""The index file on disk: connections under SQLite's locks, recovery from a killed writer, and how a
rebuilt index replaces the old one (:mod:`unspin.tracing.index` holds what is inside the file).

Several processes may use one index. It keeps SQLite's rollback journal (not WAL), so that an index
stays one file that can be copied and opened read-only. Every connection waits up to
:data:`BUSY_TIMEOUT` seconds for a lock, then the user gets a one-line message saying another
process is writing (:func:`lock_error`), never "corrupt" or "not an index". A journal left by a
writer that was killed is rolled back before the file is read, read-only opens included
(:func:`recover`). A rebuild is swapped in under the old file's write lock (:func:`swap_in`); the
temporary files of killed builds and adds are removed by the next build or add
(:mod:`unspin.inputs.tempfiles`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from urllib.parse import quote

from ..errors import UnspinError

#: seconds a writer waits for another writer (and a reader for a commit) before giving up
BUSY_TIMEOUT = 60.0

_SQLITE_MAGIC = b"SQLite format 3\x00"


def connect(path: str, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) that waits for locks."""
    if readonly:
        return sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True,
                               isolation_level=None, timeout=BUSY_TIMEOUT)
    return sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)


def connect_writer(path: str) -> sqlite3.Connection:
    """A connection that writes an index other processes may be reading."""
    conn = connect(path)
    # dirty pages stay in memory until COMMIT, so readers keep the committed state: a shared
    # index is written in place only by adds of one batch (unspin.tracing.index.Index.add)
    conn.execute("PRAGMA cache_spill=OFF")
    return conn


def connect_private(path: str) -> sqlite3.Connection:
    """A connection to a file only this process uses until it is renamed into place (a build's
    or a large add's): an interrupted write there is thrown away whole, so it needs no journal."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    return conn


def remove_file(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def lock_error(path: str, e: Exception) -> UnspinError | None:
    """The user's message for a lock that outlasted :data:`BUSY_TIMEOUT`; None for other errors."""
    if isinstance(e, sqlite3.OperationalError) and "locked" in str(e).lower():
        return UnspinError(f"{path}: the index is being written by another process (waited "
                           f"{BUSY_TIMEOUT:.0f} s); try again when it has finished")
    return None


def recover(path: str) -> None:
    """Roll back a journal left beside ``path`` by a writer that died mid-transaction.

    SQLite does this on the first read of a connection that may write; a read-only connection
    cannot, so this opens one for the purpose. The journal of a live writer is not "hot" (its
    writer holds a lock) and SQLite leaves it alone.
    """
    if not os.path.exists(path + "-journal"):
        return
    try:
        conn = connect(path)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise lock_error(path, e) or UnspinError(
            f"{path}: an interrupted write left {os.path.basename(path)}-journal, which needs write "
            f"access to the index and its folder to recover; run `unspin index stats {path}` as a "
            "user who can write there") from None


def check_path(path: str) -> None:
    """Errors for a path that cannot be an index: missing, a folder, not an SQLite file."""
    if not os.path.exists(path):
        raise UnspinError(f"{path}: no such index (build one with `unspin index build`)")
    if os.path.isdir(path):
        raise UnspinError(f"{path}: is a directory, not an index file")
    recover(path)  # a half-written first page is only readable after the rollback
    try:
        with open(path, "rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise UnspinError(f"{path}: cannot read ({e.strerror})") from None
    if head != _SQLITE_MAGIC:
        raise UnspinError(f"{path}: not an unspin trace index (unknown file format)")


def inode_of(path: str) -> tuple[int, int] | None:
    """Which file ``path`` names now (None: none), to notice that a build replaced it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def swap_in(tmp: str, path: str, *, old_is_index: bool) -> None:
    """``os.replace`` a new index over ``path``; when an index is there, while holding its write
    lock, so that no add is half-way through the old file (an add waiting for the lock then sees
    the new file and stops: :meth:`unspin.tracing.index.Index.add`). Taking the lock also rolls
    back a journal a killed writer left, which would otherwise be applied to the new file."""
    if not old_is_index:  # nothing there, or a foreign file replaced with --force
        os.replace(tmp, path)
        return
    try:
        conn = connect(path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            os.replace(tmp, path)
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise lock_error(path, e) or UnspinError(f"{path}: cannot replace the index ({e})") from None
