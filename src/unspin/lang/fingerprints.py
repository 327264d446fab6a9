"""Tortured-phrase fingerprints: known spinner outputs ("counterfeit consciousness" for
"artificial intelligence") found in one pass of an Aho-Corasick automaton.

The shipped list is the Problematic Paper Screener's (Cabanac, Labbé, Magazinov; CC BY 4.0, see
``data/ATTRIBUTION.md``), cleaned by ``tools/build/build_fingerprints.py`` into ``data/fingerprints.json``.
Users may add lists of the same JSON shape (``{"phrases": [{"tortured": ..., "correct": ...}]}``,
or a bare list of such objects).

Matching is case-insensitive, treats hyphens, line breaks and runs of spaces as one space,
curly apostrophes as straight ones, and accepts the singular/plural of the phrase's last word
(the correct term is inflected to match). Matches must start and end on word boundaries; where
two overlap, the longer (then the earlier) wins.

>>> m = FingerprintMatcher([("counterfeit consciousness", "artificial intelligence")])
>>> [(h.start, h.end, h.tortured, h.correct) for h in m.find("Counterfeit  consciousness is hype.")]
[(0, 26, 'Counterfeit  consciousness', 'Artificial intelligence')]
>>> m.find("counterfeit consciousnesses")[0].correct
'artificial intelligences'
>>> m.find("counterfeit consciousnessy")
[]
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from importlib import resources

import ahocorasick

from ..errors import UnspinError
from .words import match_case
from ..inputs.textio import os_errors, read_bytes
from .tokenize import WORD_RE

# Characters that count as a word separator in phrases and text (each becomes one space).
_SEPARATORS = ("\n", "\r", "\t", "\f", "\v", "\xa0", "\u2009", "\u202f", "-", "\u2010", "\u2011")
_APOSTROPHES = ("\u2019", "\u2018")
_SPACE_RUN = re.compile(r" {2,}")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_JUNK = re.compile(r"[?*\"\\]")
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Hit:
    """A fingerprint found in a text: ``text[start:end]`` is the tortured phrase."""

    start: int
    end: int
    tortured: str
    correct: str
    entry: str  # the list entry it matched (lower case, uninflected)
    source: str  # which list ("pps" for the shipped one, else the file name)

    def to_dict(self) -> dict:
        return asdict(self)


def normalize_phrase(phrase: str) -> str:
    """The matching form of a phrase: lower case, separators and space runs as one space.

    >>> normalize_phrase("Man-made  Reasoning’s")
    "man made reasoning's"
    """
    return _collapse(_fold(phrase))[0].strip()


def _fold(text: str) -> str:
    """Same-length folding: lower case, separators -> space, curly apostrophes -> '."""
    low = text.lower()
    if len(low) != len(text):  # a few characters (e.g. U+0130) lower-case to two code points
        low = "".join(c if len(c) == 1 else ch for ch, c in ((ch, ch.lower()) for ch in text))
    for ch in _SEPARATORS:
        if ch in low:
            low = low.replace(ch, " ")
    for ch in _APOSTROPHES:
        if ch in low:
            low = low.replace(ch, "'")
    return low


def _collapse(folded: str) -> tuple[str, list[int], list[int]]:
    """Collapse space runs; return the new string and a map back to original offsets.

    The map is two sorted lists: at collapsed offsets ``>= cut[i]`` add ``shift[i]``.
    """
    if "  " not in folded:
        return folded, [], []
    cuts, shifts, parts = [], [], []
    pos = 0
    removed = 0
    for m in _SPACE_RUN.finditer(folded):
        parts.append(folded[pos:m.start() + 1])
        removed += m.end() - m.start() - 1
        pos = m.end()
        cuts.append(m.end() - removed)
        shifts.append(removed)
    parts.append(folded[pos:])
    return "".join(parts), cuts, shifts


def clean_entry(tortured: str, correct: str) -> tuple[str, str] | None:
    """Normalise one list entry; ``None`` when it cannot be used as a fingerprint.

    Parenthesised acronyms and editorial notes are dropped ("synthetic intelligence (ai)"),
    alternatives keep their first choice ("economic development/profit growth"), and entries
    whose tortured side is the correct term itself are dropped. An entry whose correct term is
    unknown ("???") is kept with an empty correct term: it still marks spinning.

    >>> clean_entry("synthetic intelligence (ai)", "artificial intelligence (ai)")
    ('synthetic intelligence', 'artificial intelligence')
    >>> clean_entry("supervised learning", "supervised (machine) learning") is None
    True
    >>> clean_entry("bunch decay", "???")
    ('bunch decay', '')
    """
    t = _WS.sub(" ", _JUNK.sub("", _BRACKETED.sub("", tortured))).strip(" ,;:.").lower()
    # "x, see https://...", and an unclosed "x (nm" -> "x"
    c = re.split(r",? see |\(|\[", _BRACKETED.sub("", correct.lower()))[0]
    c = _WS.sub(" ", _JUNK.sub("", c)).strip(" ,;:.")
    if "/" in c and "/" not in t:
        left, right = c.split("/", 1)
        # "economic development/profit growth": phrase alternatives; "cancer/tumor": word ones.
        c = left.strip() if len(right.split()) > 1 else re.sub(r"(\S+)/\S+", r"\1", c)
    t = t.replace("\u2019", "'")
    c = c.replace("\u2019", "'")
    if not t or "://" in c or "(" in t or "[" in t or "]" in t + c or ")" in t + c:
        return None
    nt, nc = normalize_phrase(t), normalize_phrase(c)
    if len(nt.split()) < 2 and len(nt) < 8:
        return None  # a one-word fingerprint is too weak a signal (and rare in the list)
    if nc and (nt == nc or f" {nt} " in f" {nc} "):
        return None  # the "tortured" side is (part of) the correct term
    if len(nc.split()) > 8:
        return None  # an explanation, not a term
    return t, c


def _plural(word: str) -> str | None:
    if not word.isalpha() or _singular(word) is not None:
        return None
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _singular(word: str) -> str | None:
    if not word.isalpha() or len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return None
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    return word[:-1]


def _swap_last(phrase: str, fn) -> str | None:
    head, _, last = phrase.rpartition(" ")
    new = fn(last)
    if new is None:
        return None
    return f"{head} {new}" if head else new


def variants(tortured: str, correct: str) -> list[tuple[str, str]]:
    """The entry and its number-inflected form (last word singular <-> plural).

    >>> variants("neural organization", "neural network")
    [('neural organization', 'neural network'), ('neural organizations', 'neural networks')]
    >>> variants("help vectors", "support vectors")
    [('help vectors', 'support vectors'), ('help vector', 'support vector')]
    """
    out = [(tortured, correct)]
    for fn in (_plural, _singular):
        t2 = _swap_last(tortured, fn)
        if t2 is None:
            continue
        c2 = _swap_last(correct, fn) if correct else ""
        if c2 is None:
            continue
        out.append((t2, c2))
    return out


def load_list(path, *, clean: bool = True) -> list[tuple[str, str]]:
    """Read a fingerprint list (PPS JSON shape, or a bare list of objects)."""
    name = str(path)
    if hasattr(path, "read_bytes"):
        with os_errors(name):
            data = path.read_bytes()
    else:
        data, name = read_bytes(name)
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnspinError(f"{name}: invalid UTF-8 at byte offset {e.start}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise UnspinError(f"{name}: not valid JSON ({e.msg} at line {e.lineno})") from None
    items = data.get("phrases") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise UnspinError(f"{name}: expected a JSON list of {{\"tortured\", \"correct\"}} objects "
                          "or an object with such a list under \"phrases\"")
    entries = []
    for i, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("tortured"), str)
                and isinstance(item.get("correct"), str)):
            raise UnspinError(f"{name}: entry {i} is not an object with string fields \"tortured\" and \"correct\"")
        if clean:
            e = clean_entry(item["tortured"], item["correct"])
            if e is not None:
                entries.append(e)
        else:
            entries.append((item["tortured"].lower(), item["correct"].lower()))
    return entries


class FingerprintMatcher:
    """One automaton over all forms of the given entries.

    ``entries``: ``(tortured, correct)`` pairs (or ``(tortured, correct, source)``).
    """

    def __init__(self, entries: Iterable[tuple], source: str = "pps"):
        self._auto = ahocorasick.Automaton()
        self._values: list[tuple[int, str, str, str]] = []  # (key length, correct, entry, source)
        seen: set[str] = set()
        for entry in entries:
            tortured, correct = entry[0], entry[1]
            src = entry[2] if len(entry) > 2 else source
            base = normalize_phrase(tortured)
            for t, c in variants(base, correct):
                key = normalize_phrase(t)
                if not key or key in seen:
                    continue
                seen.add(key)
                self._values.append((len(key), c, base, src))
                self._auto.add_word(key, len(self._values) - 1)
        self.size = len(seen)
        if self.size:
            self._auto.make_automaton()

    def __len__(self) -> int:
        return self.size

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping fingerprint hits in ``text``, in order."""
        if not self.size or not text:
            return []
        folded, cuts, shifts = _collapse(_fold(text))
        n = len(folded)
        cands = []
        for end, idx in self._auto.iter(folded):
            length = self._values[idx][0]
            start = end - length + 1
            if start > 0 and folded[start - 1].isalnum():
                continue
            if end + 1 < n and folded[end + 1].isalnum():
                continue
            cands.append((start, -length, idx))
        if not cands:
            return []
        cands.sort()
        hits = []
        last_end = -1
        # Longest first among those starting at the same place; then left to right.
        chosen = []
        for start, neg_len, idx in cands:
            end = start - neg_len
            if start < last_end:
                # Overlaps the previous choice: keep whichever is longer.
                if chosen and -neg_len > chosen[-1][1] - chosen[-1][0]:
                    chosen[-1] = (start, end, idx)
                    last_end = end
                continue
            chosen.append((start, end, idx))
            last_end = end
        for start, end, idx in chosen:
            s = _unmap(start, cuts, shifts)
            e = _unmap(end - 1, cuts, shifts) + 1
            _, correct, entry, src = self._values[idx]
            matched = text[s:e]
            hits.append(Hit(s, e, matched, match_case(correct, matched), entry, src))
        return hits

    def count(self, text: str) -> int:
        return len(self.find(text))


def _unmap(pos: int, cuts: list[int], shifts: list[int]) -> int:
    if not cuts:
        return pos
    i = bisect.bisect_right(cuts, pos)
    return pos + (shifts[i - 1] if i else 0)


def shipped_path():
    return resources.files("unspin") / "data" / "fingerprints.json"


@functools.lru_cache(maxsize=1)
def shipped_entries() -> tuple[tuple[str, str], ...]:
    """The cleaned PPS list shipped with the package (already cleaned at build time)."""
    return tuple(load_list(shipped_path(), clean=False))


@functools.lru_cache(maxsize=None)
def get_matcher(extra: tuple[str, ...] = (), builtin: bool = True) -> FingerprintMatcher:
    """Matcher over the shipped list (unless ``builtin`` is false) plus user lists ``extra``."""
    entries: list[tuple[str, str, str]] = []
    for path in extra:
        entries.extend((t, c, str(path)) for t, c in load_list(path))
    if builtin:
        entries.extend((t, c, "pps") for t, c in shipped_entries())
    return FingerprintMatcher(entries)


@functools.lru_cache(maxsize=1)
def phrase_table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Lower-cased tortured word tuple -> correct word tuple, for every form of every shipped
    entry (words as :func:`unspin.lang.tokenize.tokenize` splits them: hyphens split words).

    >>> phrase_table()[("counterfeit", "consciousness")]
    ('artificial', 'intelligence')
    """
    return phrase_table_of(shipped_entries())


def phrase_table_of(entries) -> dict[tuple[str, ...], tuple[str, ...]]:
    """:func:`phrase_table` of other ``(tortured, correct)`` entries (the evaluation's folds)."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for tortured, correct in entries:
        for t, c in variants(normalize_phrase(tortured), correct):
            key = tuple(w.replace("\u2019", "'") for w in WORD_RE.findall(t.lower()))
            val = tuple(w.replace("\u2019", "'") for w in WORD_RE.findall(c.lower()))
            if key and val and key not in table:
                table[key] = val
    return table
