"""What a trace index is built from: :class:`Source` (one document that spun text may have been
copied from) and :func:`iter_sources`, which reads them from JSONL files or folders of text files.

A ``Source`` is not an :class:`unspin.inputs.extract.Document`: that is a file handed to the
screener to be checked (name, text, kind); a ``Source`` is a candidate original, stored in an
index under the caller's ``id`` with the ``url`` and ``date`` a match reports.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import UnspinError


@dataclass(slots=True)
class Source:
    id: str
    text: str
    url: str | None = None
    date: str | None = None


_TEXT_SUFFIXES = (".txt", ".text", ".md", ".rst", ".html", ".htm")


def iter_sources(paths: Iterable[str], *, errors: str = "strict") -> Iterator[tuple[str, Source]]:
    """Sources from JSONL files (``id``, ``text``, optional ``url``, ``date``) or directories of
    text files (id = path relative to the directory). Yields ``(where, Source)``."""
    for src in paths:
        if os.path.isdir(src):
            yield from _folder_sources(src, errors)
        else:
            yield from _jsonl_sources(src, errors)


def _folder_sources(src: str, errors: str) -> Iterator[tuple[str, Source]]:
    from ..inputs.textio import decode_bytes

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
        yield fp, Source(id=rel, text=decode_bytes(data, fp, errors))


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
