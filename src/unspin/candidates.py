"""Candidate originals: what could this spun word or phrase have been?

Sources, each named in the evidence of an edit:
  * ``moby`` / ``wordnet``: thesaurus neighbours (lemmatised, then re-inflected like the input);
  * ``table``: substitutions learned from aligned (spun, original) pairs (:mod:`unspin.table`);
  * ``fingerprint``: tortured-phrase fingerprints (Problematic Paper Screener list).
"""

from __future__ import annotations

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


def analyses(word: str) -> list[tuple[str, str, str]]:
    """(upos, lemma, penn tag) readings of a word form, context-free."""
    out = []
    for upos, lemmas in lemminflect.getAllLemmas(word).items():
        for lemma in lemmas:
            if lemma == word:
                tag = _BASE_TAGS.get(upos)
                if tag:
                    out.append((upos, lemma, tag))
            for tag, forms in lemminflect.getAllInflections(lemma, upos=upos).items():
                if word in forms and tag not in ("NN", "VB") or (word in forms and lemma != word):
                    out.append((upos, lemma, tag))
    return list(dict.fromkeys(out))


def inflect(term: str, upos: str, tag: str) -> str | None:
    """Inflect a lemma term (word or phrase) with a Penn tag, or None if it can't take it."""
    parts = term.split()
    head = 0 if upos == "VERB" else len(parts) - 1
    if tag in ("NN", "VB", "JJ", "RB", "NNP", "VBP"):
        if upos in lemminflect.getAllLemmas(parts[head]) or len(parts) > 1:
            return term
        return None
    if upos not in lemminflect.getAllLemmas(parts[head]):
        return None
    forms = lemminflect.getInflection(parts[head], tag=tag)
    if not forms:
        return None
    parts[head] = forms[0]
    return " ".join(parts)


class CandidateGenerator:
    """Candidates for single words (with inflection) and for phrases, cached per form."""

    def __init__(self, lexicon: Lexicon, table=None, fingerprints: dict | None = None, max_words: int = 4):
        self.lexicon = lexicon
        self.table = table
        self.fingerprints = fingerprints or {}
        self.max_words = max_words
        self._cache: dict[tuple[str, ...], list[Candidate]] = {}

    def candidates(self, words: tuple[str, ...]) -> list[Candidate]:
        c = self._cache.get(words)
        if c is None:
            c = self._cache[words] = self._generate(words)
        return c

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
            for orig, flags in self.lexicon.originals(word):
                add(tuple(orig.split()), flags=flags)
            for upos, lemma, tag in analyses(word):
                if lemma == word:
                    continue
                for orig, flags in self.lexicon.originals(lemma):
                    form = inflect(orig, upos, tag)
                    if form:
                        add(tuple(form.split()), flags=flags)
        else:
            for orig, flags in self.lexicon.originals(phrase):
                add(tuple(orig.split()), flags=flags)
            # "carried out" -> "carry out" -> "perform" -> "performed"
            for upos, lemma, tag in analyses(words[0]):
                if upos != "VERB" or lemma == words[0]:
                    continue
                for orig, flags in self.lexicon.originals(" ".join((lemma,) + words[1:])):
                    form = inflect(orig, upos, tag)
                    if form:
                        add(tuple(form.split()), flags=flags)

        return [Candidate(words=o, **d) for o, d in found.items()]
