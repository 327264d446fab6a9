"""Which paths a command reads: folders walked for documents, special files refused or skipped,
and an output that would overwrite one of the inputs refused.

A folder walk reads regular files only: a named pipe would block the walk forever, a device
could be endless. Every document-named path it does not read (a named pipe, a socket, a broken
link, an unreadable folder) is warned about on stderr as it is met, with a count at the end, so
nothing is left out silently.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator

from ..errors import UnspinError, UsageError

TEXT_EXTENSIONS = (".txt", ".text", ".md", ".rst")
HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
PDF_EXTENSIONS = (".pdf",)
DOCUMENT_EXTENSIONS = TEXT_EXTENSIONS + HTML_EXTENSIONS + PDF_EXTENSIONS

# Paths that name an already open stream (standard input, a shell's `<(...)` or `>(...)`): a pipe
# there has a writer (reader) by construction, unlike a named pipe in the file system, and
# writing means writing to the stream, not replacing the file it may point to.
_STREAM_PREFIXES = ("/dev/fd/", "/proc/self/fd/")
_STREAM_NAMES = ("-", "/dev/stdin", "/dev/stdout", "/dev/stderr")


def is_stream_path(path: str) -> bool:
    """Whether ``path`` names an open stream (``-``, ``/dev/stdin``, ``/dev/fd/N`` ...)."""
    return path in _STREAM_NAMES or path.startswith(_STREAM_PREFIXES)


def special_kind(mode: int) -> str | None:
    """What a non-regular, non-folder file is (for messages), or None for a regular file or folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def refuse_special_input(path: str) -> None:
    """Refuse an input that is a named pipe, socket or device: reading it would block or never end.

    Standard input (``-``, ``/dev/stdin``) and ``/dev/fd/N`` (a shell's process substitution) are
    streams the caller opened on purpose and are read as given.
    """
    if is_stream_path(path):
        return
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # opening it reports the problem with the usual message
    kind = special_kind(mode)
    if kind is not None:
        raise UnspinError(f"{path}: is a {kind}, not a regular file; "
                          "give a file, or send the data to standard input (-)")


class Skipped:
    """Paths a folder walk did not read: each is warned about on stderr when met, counted, and
    :meth:`summary` prints the count. ``warn=False`` collects silently (a second, checking walk)."""

    def __init__(self, *, warn: bool = True) -> None:
        self.warn = warn
        self.count = 0

    def add(self, path: str, why: str) -> None:
        self.count += 1
        if self.warn:
            print(f"unspin: warning: {path}: skipped ({why})", file=sys.stderr)

    def summary(self) -> None:
        if self.warn and self.count:
            print(f"unspin: warning: {self.count} path(s) skipped, not read", file=sys.stderr)


def walk(path: str, skipped: Skipped | None = None,
         extensions: tuple[str, ...] = DOCUMENT_EXTENSIONS) -> Iterator[str]:
    """Regular files named with one of ``extensions`` (default: documents) under a folder,
    recursively, in a stable order (hidden entries skipped). Other paths not read are reported to ``skipped``; without one, the walk warns and
    prints its own count at the end. An unreadable top folder is an error."""
    own = skipped is None
    skipped = Skipped() if skipped is None else skipped

    def onerror(err: OSError) -> None:
        where = err.filename if err.filename is not None else path
        if os.path.abspath(where) == os.path.abspath(path):
            raise UnspinError(f"{path}: cannot read the folder ({err.strerror})")
        skipped.add(where, f"unreadable folder: {err.strerror}")

    for root, dirs, files in os.walk(path, onerror=onerror):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(extensions):
                continue
            full = os.path.join(root, name)
            try:
                mode = os.stat(full).st_mode
            except OSError as e:
                skipped.add(full, "broken link" if os.path.islink(full) else f"cannot read: {e.strerror}")
                continue
            kind = special_kind(mode)
            if kind is not None:
                skipped.add(full, kind)
                continue
            yield full
    if own:
        skipped.summary()


def expand_inputs(paths: Iterable[str]) -> Iterator[str]:
    """Paths as given, folders replaced by the document files inside them (what folders did not
    give is warned about, with a count at the end)."""
    skipped = Skipped()
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = False
            for f in walk(p, skipped):
                found = True
                yield f
            if not found:
                raise UnspinError(f"{p}: no .txt, .md, .html or .pdf files in this folder")
        else:
            yield p
    skipped.summary()


def _regular_id(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def refuse_output_among_inputs(outputs: Iterable[str | None], inputs: Iterable[str | None]) -> None:
    """A usage error when an output file already exists as one of the inputs (the same file by
    device and inode, so links and other spellings count; a folder input counts for every
    document it holds): writing it would destroy what is being read."""
    targets = {}
    for out in outputs:
        if out and out != "-":
            key = _regular_id(out)
            if key is not None:
                targets[key] = out
    if not targets:
        return
    for src in inputs:
        if not src or src in _STREAM_NAMES:
            continue
        if os.path.isdir(src):
            candidates = walk(src, Skipped(warn=False))
        else:
            candidates = iter((src,))
        for path in candidates:
            out = targets.get(_regular_id(path))
            if out is not None:
                raise UsageError(f"{out}: is also an input ({path}); write the output to another file")
