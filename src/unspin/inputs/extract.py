"""Text out of the files a screener is handed: plain text, HTML and PDF, one by one or as folders.

* plain text: UTF-8, a BOM kept as U+FEFF so offsets index the file's text; binary refused
  (:func:`unspin.inputs.textio.decode_bytes`);
* HTML: the visible text (stdlib :mod:`html.parser`), block elements as paragraphs, scripts,
  styles and ``<pre>`` code blocks left out; the declared charset is honoured;
* PDF: the text layer (``pypdf``), page by page, with line-end hyphenation undone and line
  breaks inside paragraphs joined. A PDF without a text layer (a scan) is an error, not an
  empty document.

>>> html_to_text("<p>One <b>spun</b> line.</p><script>x()</script><p>Two&amp;three</p>")
'One spun line.\\n\\nTwo&three'
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from ..errors import UnspinError
# Folder walking lives in .paths; its names are re-exported here, where callers look for them.
from .paths import (DOCUMENT_EXTENSIONS, HTML_EXTENSIONS, PDF_EXTENSIONS, TEXT_EXTENSIONS, Skipped,
                    expand_inputs, walk)
from .textio import BOM, decode_bytes, read_bytes

# Minimum letters a PDF's text layer must hold before we believe it has one.
_MIN_PDF_LETTERS = 20


@dataclass(slots=True)
class Document:
    name: str   # path as given (or "<stdin>")
    text: str
    kind: str   # "text", "html" or "pdf"


# ----------------------------------------------------------------------------- HTML

_BLOCK = frozenset(
    """address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p section summary table tbody td tfoot
    th thead tr ul""".split()
)
_SKIP = frozenset("script style noscript template svg math head title pre iframe object canvas select button".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._cur: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        if self._cur:
            block = re.sub(r"\s+", " ", "".join(self._cur)).strip()
            if block:
                self.blocks.append(block)
            self._cur = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            if tag not in _VOID:
                self._skip += 1
            return
        if tag in _BLOCK:
            self._flush()

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _BLOCK:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._cur.append(data)

    def close(self):
        super().close()
        self._flush()


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, paragraphs separated by blank lines."""
    p = _TextParser()
    p.feed(html)
    p.close()
    return "\n\n".join(p.blocks)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.I)


def decode_html(data: bytes, name: str, errors: str = "strict") -> str:
    if data.startswith(BOM):
        # Offsets in an HTML document index the extracted text, not the file: the BOM goes.
        return decode_bytes(data, name, errors).removeprefix("\ufeff")
    m = _META_CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii").lower()
        if enc not in ("utf-8", "utf8"):
            import codecs

            try:
                codecs.lookup(enc)
            except LookupError:
                raise UnspinError(f"{name}: unknown charset {enc!r} declared in the HTML") from None
            try:
                return data.decode(enc, errors=errors)
            except UnicodeDecodeError as e:
                raise UnspinError(f"{name}: invalid {enc} at byte offset {e.start}; "
                                  "fix the encoding or pass --errors replace") from None
    return decode_bytes(data, name, errors)


def looks_like_html(data: bytes) -> bool:
    head = data[:1024].removeprefix(BOM).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in data[:4096].lower()


# ----------------------------------------------------------------------------- PDF

def pdf_to_text(data: bytes, name: str) -> str:
    """The text layer of a PDF; errors for unreadable, encrypted or image-only files."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise UnspinError(f"{name}: reading PDF needs the 'pypdf' package") from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise UnspinError(f"{name}: the PDF is encrypted; give an unlocked copy")
        pages = []
        for page in reader.pages:
            pages.append(page.extract_text() or "")
    except UnspinError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, NotImplementedError) as e:
        raise UnspinError(f"{name}: cannot read the PDF ({type(e).__name__}: {e})") from None
    except Exception as e:  # pypdf raises a wide variety on damaged files
        raise UnspinError(f"{name}: cannot read the PDF ({type(e).__name__})") from None
    text = "\n\n".join(_tidy_pdf_page(p) for p in pages if p.strip())
    if sum(ch.isalpha() for ch in text) < _MIN_PDF_LETTERS:
        raise UnspinError(
            f"{name}: the PDF has no text layer ({len(pages)} page(s) of images?); "
            "run OCR on it first (e.g. ocrmypdf) - no score was computed"
        )
    return text


def _tidy_pdf_page(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # "spin-\nning" -> "spinning" (a lower-case letter continues the word)
    text = re.sub(r"(\w)-\n(?=[a-z])", r"\1", text)
    # Paragraphs: blank lines; other line breaks are layout.
    paras = re.split(r"\n\s*\n", text)
    return "\n\n".join(re.sub(r"[ \t]*\n[ \t]*", " ", p).strip() for p in paras if p.strip())


# ----------------------------------------------------------------------------- dispatch

def kind_of(path: str, data: bytes) -> str:
    low = path.lower()
    if data.startswith(b"%PDF-") or low.endswith(PDF_EXTENSIONS):
        return "pdf"
    if low.endswith(HTML_EXTENSIONS) or looks_like_html(data):
        return "html"
    return "text"


def document_from_bytes(data: bytes, name: str, errors: str = "strict", kind: str | None = None) -> Document:
    kind = kind or kind_of(name, data)
    if kind == "pdf":
        if not data.startswith(b"%PDF-"):
            raise UnspinError(f"{name}: not a PDF file (no %PDF- header)")
        return Document(name, pdf_to_text(data, name), "pdf")
    if kind == "html":
        return Document(name, html_to_text(decode_html(data, name, errors)), "html")
    return Document(name, decode_bytes(data, name, errors), "text")


def read_document(path: str, errors: str = "strict") -> Document:
    """One document from a file path (``-``: standard input)."""
    data, name = read_bytes(path)
    return document_from_bytes(data, name, errors)


__all__ = ["DOCUMENT_EXTENSIONS", "HTML_EXTENSIONS", "PDF_EXTENSIONS", "TEXT_EXTENSIONS", "Document", "Skipped",
           "decode_html", "document_from_bytes", "expand_inputs", "html_to_text", "kind_of", "looks_like_html",
           "pdf_to_text", "read_document", "walk"]
