"""What a trace index is built from: :class:`Source` (one document that spun text may have been
copied from) and :func:`iter_sources`, which reads them from JSONL files, document files (text,
HTML, PDF: :mod:`unspin.inputs.extract`, as ``detect`` reads them) or folders of them.

Memory does not grow with the input: JSONL is read a record at a time, a folder a file at a time,
and a source longer than :data:`SOURCE_CHARS` is cut (at sentence ends, as restore and detect cut
windows: :mod:`unspin.lang.windows`) into parts indexed as ``ID#1``, ``ID#2``... A plain-text
file is streamed into those parts, never held whole. A source that fits is one part, under its id.

A ``Source`` is not an :class:`unspin.inputs.extract.Document`: that is a file handed to the
screener to be checked (name, text, kind); a ``Source`` is a candidate original, stored in an
index under the caller's ``id`` with the ``url`` and ``date`` a match reports.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from ..errors import UnspinError


@dataclass(slots=True)
class Source:
    id: str
    text: str
    url: str | None = None
    date: str | None = None


#: characters per indexed document: a longer source becomes several, so that indexing one part
#: (its tokens, passages and postings) stays in the tens of MB whatever the file's size
SOURCE_CHARS = 1 << 20

#: files read as JSONL (one source per line); any other file is one source (or its parts), read by its type
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


def iter_sources(paths: Iterable[str], *, errors: str = "strict", warn=None) -> Iterator[tuple[str, Source]]:
    """Sources from JSONL files (:data:`JSONL_SUFFIXES`: ``id``, ``text``, optional ``url``, ``date``; ``-`` is standard
    input), document files (.txt, .md, .html, .pdf and the other types of
    :mod:`unspin.inputs.extract`; id = the path as given) or folders of them (id = path relative
    to the folder). Yields ``(where, Source)``.

    A file named directly that cannot be read is an error. A file in a folder that cannot be read
    is skipped, and ``warn`` (default: a line on standard error) is called with the message.
    """
    warn = warn or _warn
    for src in paths:
        if src != "-" and os.path.isdir(src):
            yield from _folder_sources(src, errors, warn)
        elif src == "-" or src.lower().endswith(JSONL_SUFFIXES):
            yield from _jsonl_sources(src, errors)
        else:
            yield from _file_sources(src, src, errors)


def _warn(message: str) -> None:
    print(f"unspin: warning: {message}", file=sys.stderr)


def _parts(where: str, source: Source, windows: Iterable[tuple[int, str]]) -> Iterator[tuple[str, Source]]:
    """``source`` (its text in ``windows``) as itself when there is one window, else as one
    part per window, ``ID#1``, ``ID#2``... (the first is held back until a second shows)."""
    first = None
    k = 0
    for k, (offset, text) in enumerate(windows, 1):
        if k == 1:
            first = text
            continue
        if k == 2:
            yield f"{where} (part 1)", replace(source, id=f"{source.id}#1", text=first)
            first = None
        yield f"{where} (part {k}, from character {offset})", replace(source, id=f"{source.id}#{k}", text=text)
    if k == 1:
        yield where, replace(source, text=first)


def _file_sources(path: str, doc_id: str, errors: str) -> Iterator[tuple[str, Source]]:
    """The parts of one document file. A plain-text file is streamed; a long one is decoded once
    before its first part is given, so that a bad byte at its end adds none of it (a file in a
    folder is then skipped whole). HTML and PDF are extracted whole, then cut."""
    from ..inputs.extract import kind_of, read_document
    from ..inputs.stream import iter_decoded
    from ..inputs.textio import os_errors
    from ..lang.windows import stream_windows, text_windows

    if path != "-" and os.path.isfile(path):
        with os_errors(path), open(path, "rb") as f:
            head = f.read(8192)
            size = os.fstat(f.fileno()).st_size
        if kind_of(path, head) == "text":
            if size > SOURCE_CHARS:  # bytes >= characters: it may have several parts
                for _ in iter_decoded(path, errors):
                    pass
            yield from _parts(path, Source(id=doc_id, text=""),
                              stream_windows(iter_decoded(path, errors), SOURCE_CHARS))
            return
    text = read_document(path, errors).text
    yield from _parts(path, Source(id=doc_id, text=""), text_windows(text, SOURCE_CHARS))


def _folder_sources(src: str, errors: str, warn) -> Iterator[tuple[str, Source]]:
    from ..inputs.extract import walk

    for fp in walk(src):
        parts = _file_sources(fp, os.path.relpath(fp, src).replace(os.sep, "/"), errors)
        try:  # a file is read and checked whole before its first part comes
            first = next(parts, None)
        except UnspinError as e:
            warn(f"{e}; skipped")
            continue
        if first is not None:
            yield first
            yield from parts


def _jsonl_sources(src: str, errors: str) -> Iterator[tuple[str, Source]]:
    from ..inputs.textio import iter_jsonl
    from ..lang.windows import text_windows

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
        source = Source(
            id=str(doc_id),
            text="",
            url=None if url is None else str(url),
            date=None if date is None else (date if isinstance(date, str) else json.dumps(date)),
        )
        yield from _parts(where, source, text_windows(text, SOURCE_CHARS))
