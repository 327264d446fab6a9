"""Text -> word tokens with character offsets, and sentences.

Offsets are code-point indices into the input string, half-open ``[start, end)``.
Everything between word tokens (spaces, punctuation, markup) is never touched by
restoration, which is what keeps un-edited text byte-identical.

>>> [t.text for t in tokenize("Don't panic: 12 U.S. troops.")]
["Don't", 'panic', '12', 'U', 'S', 'troops']
>>> tokenize("a  b")[1].start
3
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters/digits, with inner apostrophes kept ("didn't", "nation’s"); hyphens split.
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace, or at a line break.
_SENT_END_RE = re.compile(r"[.!?]+[\"'’”)\]]*(?=\s)|\n+")
# Abbreviations that end in a dot without ending a sentence.
_ABBREV = frozenset(
    "mr mrs ms dr prof sr jr st vs etc inc ltd co corp gen col lt sgt rep sen gov "
    "jan feb mar apr jun jul aug sep sept oct nov dec no fig al e g i u s".split()
)


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower().replace("’", "'")

    @property
    def is_number(self) -> bool:
        text = self.text
        return not text.isalpha() and any(ch.isdigit() for ch in text)  # (letters are no digits)


def tokenize(text: str) -> list[Token]:
    """Word tokens of ``text`` with their offsets."""
    return [Token(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text)]


def joinable(text: str, a: Token, b: Token) -> bool:
    """Whether tokens ``a`` and ``b`` (in this order) may belong to one phrase: only spaces, on
    one line, between them."""
    gap = text[a.end:b.start]
    return gap.isspace() and "\n" not in gap


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Half-open character spans of sentences (they cover the text, gaps included)."""
    spans = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        if m.group().startswith("."):
            # "U.S. troops" and "Dr. Smith": a dot after a short abbreviation does not end a sentence.
            before = text[max(0, m.start() - 5):m.start()]
            word = re.search(r"([^\W\d_]+)$", before)
            if word and word.group(1).lower() in _ABBREV:
                continue
        end = m.end()
        if end > start:
            spans.append((start, end))
            start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def sentences(tokens: list[Token], text: str) -> list[list[Token]]:
    """Group tokens by sentence."""
    groups: list[list[Token]] = []
    spans = sentence_spans(text)
    i = 0
    for s, e in spans:
        group = []
        while i < len(tokens) and tokens[i].start < e:
            if tokens[i].start >= s:
                group.append(tokens[i])
            i += 1
        if group:
            groups.append(group)
    return groups


def is_sentence_initial(text: str, start: int) -> bool:
    """True when only whitespace/opening punctuation stands between ``start`` and the
    previous sentence end (or the text start)."""
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"'“‘([-—–*#>"):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in ".!?:"


_ABBR_DOTS = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def eval_words(text: str) -> list[str]:
    """Words as the evaluation counts them: dotted abbreviations lose their dots
    (U.S. -> US), curly quotes and dashes normalised, lower-cased.

    >>> eval_words("The U.S. military’s “big” raid—again")
    ['the', 'us', "military's", 'big', 'raid', 'again']
    """
    text = _ABBR_DOTS.sub(lambda m: m.group().replace(".", ""), text.translate(_QUOTES))
    return [w.lower() for w in re.findall(r"\w+(?:['’]\w+)*", text)]
