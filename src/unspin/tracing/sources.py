"""What a trace index is built from: :class:`Source` (one document that spun text may have been
copied from) and :func:`iter_sources`, which reads them from JSONL files, document files (text,
HTML, PDF: :mod:`unspin.inputs.extract`, as ``detect`` reads them) or folders of them.

A ``Source`` is not an :class:`unspin.inputs.extract.Document`: that is a file handed to the
screener to be checked (name, text, kind); a ``Source`` is a candidate original, stored in an
index under the caller's ``id`` with the ``url`` and ``date`` a match reports.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import UnspinError


@dataclass(slots=True)
class Source:
    id: str
    text: str
    url: str | None = None
    date: str | None = None


#: files read as JSONL (one source per line); any other file is one source, read by its type
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
            yield src, Source(id=src, text=_read(src, errors))


def _warn(message: str) -> None:
    print(f"unspin: warning: {message}", file=sys.stderr)


def _read(path: str, errors: str) -> str:
    from ..inputs.extract import read_document

    return read_document(path, errors).text


def _folder_sources(src: str, errors: str, warn) -> Iterator[tuple[str, Source]]:
    from ..inputs.extract import walk

    for fp in walk(src):
        try:
            text = _read(fp, errors)
        except UnspinError as e:
            warn(f"{e}; skipped")
            continue
        yield fp, Source(id=os.path.relpath(fp, src).replace(os.sep, "/"), text=text)


def _jsonl_sources(src: str, errors: str) -> Iterator[tuple[str, Source]]:
    from ..inputs.textio import iter_jsonl

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
        yield where, Source(
            id=str(doc_id),
            text=text,
            url=None if url is None else str(url),
            date=None if date is None else (date if isinstance(date, str) else json.dumps(date)),
        )
