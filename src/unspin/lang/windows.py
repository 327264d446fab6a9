"""Bounded windows of a long text, so memory does not grow with the input.

Restore and detect work on a text window by window when it is longer than
:data:`WINDOW_CHARS`. A window ends at a sentence end (a line break counts), else at
whitespace, else at a hard cut that avoids splitting a word (within reach) and never splits a
surrogate pair. A text that fits in one window is one window: results on ordinary input do not
change.

>>> [(o, w) for o, w in text_windows("One. Two. Three.", 9)]
[(0, 'One. Two.'), (9, ' Three.')]
>>> "".join(w for _, w in stream_windows(["ab", "c d", "ef"], 3)) == "abc def"
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .tokenize import sentence_spans

# Characters per window: big enough that ordinary documents are one window (today's results),
# small enough that per-token structures (tokens, scan evidence, lattices) stay in the tens of MB.
WINDOW_CHARS = 1 << 18
# A hard cut moves back at most this far to avoid splitting a word.
_WORD_REACH = 256
_SPACES = (" ", "\n", "\t", "\r", "\u00a0", "\u3000")


def fits(text: str) -> bool:
    """Is ``text`` one window?"""
    return len(text) <= WINDOW_CHARS


def cut_point(text: str, lo: int, hi: int) -> int:
    """Where to end a window of ``text`` between ``lo`` (exclusive) and ``hi`` (inclusive):
    the last sentence end, else the last whitespace, else ``hi`` moved back out of a word."""
    if hi >= len(text):
        return len(text)
    # One character past hi: a sentence end is seen by the whitespace that follows it.
    ends = [e for _, e in sentence_spans(text[lo:hi + 1])[:-1] if e <= hi - lo]
    if ends:
        return lo + ends[-1]
    region = text[lo:hi]
    space = max(region.rfind(c) for c in _SPACES)
    if space >= 0:
        return lo + space + 1
    cut = hi
    for c in range(hi, max(lo, hi - _WORD_REACH), -1):
        if not (text[c - 1].isalnum() and text[c].isalnum()):
            cut = c
            break
    if "\ud800" <= text[cut - 1] <= "\udbff" and "\udc00" <= text[cut] <= "\udfff":
        cut -= 1
    return cut


def text_windows(text: str, size: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, window) pieces that concatenate to ``text``; one piece when it fits
    (``size``: :data:`WINDOW_CHARS`)."""
    size = size or WINDOW_CHARS
    start = 0
    while True:
        if len(text) - start <= size:
            yield start, text[start:] if start else text
            return
        # cut_point reads only text[start + size // 2:start + size + 1]: no copy of the rest.
        cut = _cut_from(text, start, size)
        yield start, text[start:cut]
        start = cut


def _cut_from(text: str, start: int, size: int) -> int:
    return cut_point(text, start + size // 2, start + size)


def stream_windows(pieces: Iterable[str], size: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, window) of text arriving in ``pieces`` (a decoded file, block by block),
    holding at most about one window and one piece at a time; offsets are code-point indices
    into the whole text."""
    size = size or WINDOW_CHARS
    buf = ""
    offset = 0
    for piece in pieces:
        buf += piece
        while len(buf) > size:
            cut = _cut_from(buf, 0, size)
            yield offset, buf[:cut]
            offset += cut
            buf = buf[cut:]
    if buf or offset == 0:
        yield offset, buf
