"""The ``periphrase`` source: wordy multi-word forms of common words read back to the word
("for the reason that" -> "because", "grew to become" -> "became"), from the project's own
grammar table ``data/periphrases.tsv`` (its header states each category's rule).

Verb entries are written in base form; :func:`load_periphrases` inflects the first word of
both sides alike with lemminflect, so the table holds "grow to be" and the source also knows
"grew to be" -> "became", "grows to be" -> "becomes", and so on.

Strengths: ``(1.0, auxiliary)``: every proposal states the flat feature ``periphrase`` (the
table is curated; the language model picks among an entry's originals and decides whether the
edit is worth it), and ``periphrase_aux`` when it comes from the ``auxiliary`` category: "have
been" and "is able to" are grammatical, frequent and often meant in clean text, so reading them
back needs more from the context than "for the reason that" does.
"""

from __future__ import annotations

import functools
from importlib import resources

import lemminflect

from ...lang.morph import inflect
from . import Candidate, Strengths

# The verb tags a verb entry is generated for (VB, the base form, is the entry itself).
_VERB_TAGS = ("VBD", "VBZ", "VBG", "VBN", "VBP")

# spun word tuple -> ((original word tuple, strengths), ...)
Table = dict[tuple[str, ...], tuple[tuple[tuple[str, ...], Strengths], ...]]
# Categories whose spun side is as natural in clean text as the original (see the docstring).
LOOSE_CATEGORIES = frozenset({"auxiliary"})


def parse_periphrases(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    """(spun phrase, originals, category) of each entry of a periphrase table's text.

    >>> parse_periphrases("# comment\\nprior to\\tbefore\\tpreposition\\n")
    [('prior to', ('before',), 'preposition')]
    """
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"periphrase table line {n}: expected 'spun<TAB>original(s)<TAB>category'")
        origs = tuple(o.strip() for o in parts[1].split("|") if o.strip())
        out.append((parts[0].strip().lower(), tuple(o.lower() for o in origs), parts[2].strip()))
    return out


def verb_forms(spun: str, original: str) -> list[tuple[str, str]]:
    """(spun form, original form) of a verb entry for every verb tag: the first word of each
    side inflected alike ("grow to be", "become" -> ("grew to be", "became"), ...)."""
    head, _, rest = spun.partition(" ")
    out = []
    for tag in _VERB_TAGS:
        orig = inflect(original, "VERB", tag)
        if not orig:
            continue
        for form in lemminflect.getInflection(head, tag=tag):
            out.append((f"{form} {rest}".strip(), orig))
    return out


def build_table(entries) -> Table:
    """Spun word tuple -> its originals (word tuples, in table order) with their strengths,
    verbs inflected."""
    table: dict[tuple[str, ...], dict[tuple[str, ...], Strengths]] = {}

    def add(spun: str, orig: str, strengths: Strengths):
        s, o = tuple(spun.split()), tuple(orig.split())
        if len(s) > 1 and o and o != s:
            got = table.setdefault(s, {})
            got[o] = tuple(map(min, got[o], strengths)) if o in got else strengths

    for spun, origs, category in entries:
        strengths = (1.0, float(category in LOOSE_CATEGORIES))
        for orig in origs:
            add(spun, orig, strengths)
            if category == "verb":
                for s, o in verb_forms(spun, orig):
                    add(s, o, strengths)
    return {k: tuple(v.items()) for k, v in table.items()}


@functools.lru_cache(maxsize=1)
def load_periphrases() -> Table:
    """The shipped table (``data/periphrases.tsv``), inflected."""
    raw = (resources.files("unspin") / "data" / "periphrases.tsv").read_text(encoding="utf-8")
    return build_table(parse_periphrases(raw))


class PhraseSource:
    name = "periphrase"
    weights = ("periphrase", "periphrase_aux")
    possessive = False  # a phrase says nothing about a possessive

    def __init__(self, table: Table | None = None):
        self.table = table if table is not None else {}
        # The longest spun side: the generator looks this far (CandidateGenerator.max_words).
        self.max_words = max(map(len, self.table), default=0)

    @classmethod
    def shipped(cls) -> "PhraseSource":
        return cls(load_periphrases())

    def propose(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], Strengths]]:
        return list(self.table.get(words, ()))

    def spun_sides(self):
        return self.table.keys()

    def exact(self, strengths: Strengths) -> bool:
        return True

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        s = c.strengths(self.name)
        if s is None:
            return {"periphrase": 0.0, "periphrase_aux": 0.0}
        return {"periphrase": s[0], "periphrase_aux": s[1]}
