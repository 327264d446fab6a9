"""Candidate originals: what could this spun word or phrase have been?

Sources, each named in the evidence of an edit:
  * ``moby`` / ``wordnet``: thesaurus neighbours (lemmatised, then re-inflected like the input);
  * ``table``: substitutions learned from aligned (spun, original) pairs (:mod:`unspin.table`);
  * ``fingerprint``: tortured-phrase fingerprints (Problematic Paper Screener list).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import lemminflect

from .lexicon import MOBY_HEAD_LISTS_SPUN, MOBY_SPUN_LISTS_HEAD, WORDNET_SYNONYM, Lexicon

# Penn tags that are the lemma form itself.
_BASE_TAGS = {"NOUN": "NN", "VERB": "VB", "ADJ": "JJ", "ADV": "RB", "PROPN": "NNP"}


@dataclass(frozen=True, slots=True)
class Candidate:
    words: tuple[str, ...]   # the original reading, lower-case
    flags: int = 0           # lexicon relation flags
    table: float = 0.0       # learned count of this exact substitution
    table_lemma: float = 0.0 # learned count at lemma level
    fingerprint: bool = False

    def evidence(self) -> list[str]:
        ev = []
        if self.fingerprint:
            ev.append("fingerprint")
        if self.table or self.table_lemma:
            ev.append("table")
        if self.flags & (MOBY_HEAD_LISTS_SPUN | MOBY_SPUN_LISTS_HEAD):
            ev.append("moby")
        if self.flags & WORDNET_SYNONYM:
            ev.append("wordnet")
        return ev


@functools.lru_cache(maxsize=1 << 18)
def lemmas(word: str) -> dict:
    """lemminflect's lemmas by part of speech (cached: lemminflect deep-copies on every call)."""
    return lemminflect.getAllLemmas(word)


@functools.lru_cache(maxsize=1 << 16)
def _inflections(lemma: str, upos: str) -> dict:
    return lemminflect.getAllInflections(lemma, upos=upos)


@functools.lru_cache(maxsize=1 << 18)
def analyses(word: str) -> tuple[tuple[str, str, str], ...]:
    """(upos, lemma, penn tag) readings of a word form, context-free."""
    out = []
    for upos, lems in lemmas(word).items():
        for lemma in lems:
            if lemma == word:
                tag = _BASE_TAGS.get(upos)
                if tag:
                    out.append((upos, lemma, tag))
            for tag, forms in _inflections(lemma, upos).items():
                if word in forms and tag not in ("NN", "VB") or (word in forms and lemma != word):
                    out.append((upos, lemma, tag))
    return tuple(dict.fromkeys(out))


@functools.lru_cache(maxsize=1 << 18)
def inflect(term: str, upos: str, tag: str) -> str | None:
    """Inflect a lemma term (word or phrase) with a Penn tag, or None if it can't take it."""
    parts = term.split()
    head = 0 if upos == "VERB" else len(parts) - 1
    if tag in ("NN", "VB", "JJ", "RB", "NNP", "VBP"):
        if upos in lemmas(parts[head]) or len(parts) > 1:
            return term
        return None
    if upos not in lemmas(parts[head]):
        return None
    forms = lemminflect.getInflection(parts[head], tag=tag)
    if not forms:
        return None
    parts[head] = forms[0]
    return " ".join(parts)


class CandidateGenerator:
    """Candidates for single words (with inflection) and for phrases, cached per form."""

    def __init__(self, lexicon: Lexicon, table=None, fingerprints: dict | None = None, max_words: int = 4,
                 min_zipf: float = 0.0, need_flags: int = 0):
        self.lexicon = lexicon
        # Thesaurus originals rarer than this (at lemma level), or not linked by one of
        # need_flags, are never proposed: the decoder would reject them anyway.
        self.min_zipf = min_zipf
        self.need_flags = need_flags
        self.table = table
        self.fingerprints = fingerprints or {}
        self.max_words = max_words
        self._cache: dict[tuple[str, ...], list[Candidate]] = {}

    def candidates(self, words: tuple[str, ...]) -> list[Candidate]:
        c = self._cache.get(words)
        if c is None:
            if len(self._cache) > 300_000:
                self._cache.clear()  # bounded memory on endless streams
            c = self._cache[words] = self._generate(words)
        return c

    def may_have(self, words: tuple[str, ...]) -> bool:
        """Cheap test whether a multi-word span can have any candidate at all."""
        if words in self.fingerprints or (self.table is not None and self.table.lookup(words)):
            return True
        if " ".join(words) in self.lexicon:
            return True
        rest = " ".join(words[1:])
        return any(upos == "VERB" and f"{lemma} {rest}" in self.lexicon
                   for upos, lemma, _ in analyses(words[0]))

    def _generate(self, words: tuple[str, ...]) -> list[Candidate]:
        found: dict[tuple[str, ...], dict] = {}

        def add(orig: tuple[str, ...], **kw):
            if orig == words or not orig:
                return
            d = found.setdefault(orig, {"flags": 0, "table": 0.0, "table_lemma": 0.0, "fingerprint": False})
            for k, v in kw.items():
                if k == "flags":
                    d["flags"] |= v
                elif k == "fingerprint":
                    d["fingerprint"] = d["fingerprint"] or v
                else:
                    d[k] = max(d[k], v)

        phrase = " ".join(words)
        fp = self.fingerprints.get(words)
        if fp:
            add(tuple(fp), fingerprint=True)
        if self.table is not None:
            for orig, count in self.table.lookup(words):
                add(orig, table=count)
            for orig, count in self.table.lookup_lemma(words):
                add(orig, table_lemma=count)

        possessive = len(words) == 1 and words[0].endswith("'s") and len(words[0]) > 2
        if possessive:
            for cand in self.candidates((words[0][:-2],)):
                if len(cand.words) == 1:
                    add((cand.words[0] + "'s",), flags=cand.flags, table=cand.table,
                        table_lemma=cand.table_lemma)
        elif len(words) == 1:
            word = words[0]
            lex_filter = {"min_zipf": self.min_zipf, "flags": self.need_flags}
            for orig, flags in self.lexicon.originals(word, **lex_filter):
                add(tuple(orig.split()), flags=flags)
            for upos, lemma, tag in analyses(word):
                if lemma == word:
                    continue
                for orig, flags in self.lexicon.originals(lemma, **lex_filter):
                    form = inflect(orig, upos, tag)
                    if form:
                        add(tuple(form.split()), flags=flags)
        else:
            lex_filter = {"min_zipf": self.min_zipf, "flags": self.need_flags}
            for orig, flags in self.lexicon.originals(phrase, **lex_filter):
                add(tuple(orig.split()), flags=flags)
            # "carried out" -> "carry out" -> "perform" -> "performed"
            for upos, lemma, tag in analyses(words[0]):
                if upos != "VERB" or lemma == words[0]:
                    continue
                for orig, flags in self.lexicon.originals(" ".join((lemma,) + words[1:]), **lex_filter):
                    form = inflect(orig, upos, tag)
                    if form:
                        add(tuple(form.split()), flags=flags)

        return [Candidate(words=o, **d) for o, d in found.items()]
