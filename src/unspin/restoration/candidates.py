"""Candidate originals: what could this spun word or phrase have been?

Sources, each named in the evidence of an edit:
  * ``moby`` / ``wordnet``: thesaurus neighbours (lemmatised, then re-inflected like the input);
  * ``table``: substitutions learned from aligned (spun, original) pairs (:mod:`unspin.restoration.table`);
  * ``fingerprint``: tortured-phrase fingerprints (Problematic Paper Screener list).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..lang.formdata import FormData, get_formdata, zipf
from ..lang.morph import analyses, inflect, lemmas
from ..lang.lexicon import MOBY_HEAD_LISTS_SPUN, MOBY_SPUN_LISTS_HEAD, WORDNET_SYNONYM, Lexicon


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
        # Set by prefilter(): see there. None: every thesaurus original is proposed.
        self.min_form_zipf: float | None = None
        self.min_form_gain: float | None = None
        self._cache: dict[tuple[str, ...], list[Candidate]] = {}
        self._verb_starts: dict = {}  # may_have's per-word answers (_first_word)
        self._starts: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()
        self._starts_key = None
        self._plain: dict = {}  # shared immutable thesaurus-only candidates

    def prefilter(self, min_form_zipf: float, min_form_gain: float) -> None:
        """Propose a thesaurus-only original (one no learned or fingerprint evidence also
        supports) only if its zipf frequency ``zc`` (as inflected) and that of the spun span
        ``zs`` satisfy ``zc >= min_form_zipf and zc - zs >= min_form_gain``.

        The :class:`~unspin.restoration.decode.Decoder` rejects every other one in ``plausible`` anyway
        (the Restorer passes the decoder's own ``min_zipf`` / ``min_zipf_gain``); dropping them
        here only saves the work. ``tests/test_formdata.py`` checks the decoder's priors are
        unchanged by it: if ``Decoder.plausible`` ever accepts more, drop this call.
        Call before the first candidates are generated."""
        self._cache.clear()
        self.min_form_zipf = min_form_zipf
        self.min_form_gain = min_form_gain

    def _keep(self, orig: tuple[str, ...], span_zipf: float) -> bool:
        if self.min_form_gain is None:
            return True
        zc = zipf(orig)
        return zc >= self.min_form_zipf and zc - span_zipf >= self.min_form_gain

    @functools.cached_property
    def _formdata(self) -> FormData | None:
        """The precomputed thesaurus lists, if they were built for this lexicon and these
        parameters (else None: everything is computed)."""
        fd = get_formdata()
        if (fd is None or not getattr(self.lexicon, "shipped", False)
                or fd.min_zipf != self.min_zipf or fd.need_flags != self.need_flags):
            return None
        return fd

    def candidates(self, words: tuple[str, ...]) -> list[Candidate]:
        c = self._cache.get(words)
        if c is None:
            if len(self._cache) > 300_000:
                self._cache.clear()  # bounded memory on endless streams
            c = self._cache[words] = self._generate(words)
        return c

    def unfiltered(self, words: tuple[str, ...]) -> list[Candidate]:
        """Every candidate, including those :meth:`prefilter` drops (uncached; for diagnostics)."""
        return self._generate(words, prefilter=False)

    def may_have(self, words: tuple[str, ...]) -> bool:
        """Cheap test whether a multi-word span can have any candidate at all."""
        w0 = words[0]
        verbs = self._verb_starts.get(w0)
        if verbs is None:
            verbs = self._first_word(w0)
        if verbs is False:
            return False  # no fingerprint, learned or lexicon phrase can start with w0
        # ... nor with its first two words (or a verb lemma of w0 and the second word)
        w1 = words[1]
        if (w0, w1) not in self._pairs and not any((v, w1) in self._pairs for v in verbs):
            return False
        if words in self.fingerprints or (self.table is not None and self.table.lookup(words)):
            return True
        if " ".join(words) in self.lexicon:
            return True
        if not verbs:
            return False
        rest = " ".join(words[1:])
        return any(f"{lemma} {rest}" in self.lexicon for lemma in verbs)

    def may_have_exact_learned(self, words: tuple[str, ...]) -> bool:
        """Whether any candidate of ``words`` can carry a fingerprint or an exact learned count
        (``table``): False means none does, whatever the thesaurus proposes."""
        if words in self.fingerprints or (self.table is not None and self.table.lookup(words)):
            return True
        w = words[0]
        return len(words) == 1 and w.endswith("'s") and len(w) > 2 and self.may_have_exact_learned((w[:-2],))

    def _first_word(self, w0: str) -> tuple[str, ...] | bool:
        """For may_have: False if no phrase that could have candidates starts with ``w0``;
        else the verb lemmas of ``w0`` that start a lexicon phrase (cached per word)."""
        key = (id(self.table), id(self.fingerprints))
        if self._starts_key != key:  # (re)computed if the table or fingerprints are replaced
            starts = set(self.lexicon.phrase_starts)
            pairs = set(self.lexicon.phrase_pairs)
            for k in self.fingerprints:
                starts.add(k[0])
                pairs.add(k[:2])
            if self.table is not None:
                for k in self.table.spun_sides():
                    if len(k) > 1:
                        starts.add(k[0])
                        pairs.add(k[:2])
            self._starts, self._pairs, self._starts_key = starts, pairs, key
            self._verb_starts.clear()
        if len(self._verb_starts) > 300_000:
            self._verb_starts.clear()
        lex_starts = self.lexicon.phrase_starts
        verbs = tuple(lemma for upos, lemma, _ in analyses(w0) if upos == "VERB" and lemma in lex_starts)
        v = self._verb_starts[w0] = verbs if (verbs or w0 in self._starts) else False
        return v

    def thesaurus(self, word: str) -> list[tuple[tuple[str, ...], int]]:
        """Thesaurus originals of one (non-possessive) word form, re-inflected like it, in the
        order they are proposed, duplicates merged (flags or-ed); not prefiltered. Read from
        the precomputed table (:mod:`unspin.lang.formdata`) when it holds the form and was built
        with this generator's parameters; computed otherwise."""
        fd = self._formdata
        if fd is not None:
            got = fd.thesaurus(word)
            if got is not None:
                return got
        return self.thesaurus_uncached(word)

    def _thesaurus_candidates(self, word: str, prefilter: bool = True) -> list[Candidate]:
        """Candidates of a word with thesaurus originals only (prefiltered unless told not
        to); immutable, so shared between forms."""
        plain = self._plain
        if len(plain) > 300_000:
            plain.clear()
        fd = self._formdata
        gain = self.min_form_gain if prefilter else None
        codes = fd.thesaurus_codes(word, self.min_form_zipf, gain) if fd is not None else None
        if codes is not None:
            out = list(map(plain.get, codes))
            if None in out:
                for k, code in enumerate(codes):
                    if out[k] is None:
                        o, fl = fd.decode_thesaurus(code)
                        out[k] = plain[code] = Candidate(words=o, flags=fl)
            return out
        out = []
        for key in self.thesaurus_uncached(word):
            if gain is not None and not self._keep(key[0], zipf((word,))):
                continue
            c = plain.get(key)
            if c is None:
                c = plain[key] = Candidate(words=key[0], flags=key[1])
            out.append(c)
        return out

    def thesaurus_uncached(self, word: str) -> list[tuple[tuple[str, ...], int]]:
        found: dict[tuple[str, ...], int] = {}
        lex_filter = {"min_zipf": self.min_zipf, "flags": self.need_flags}
        for orig, flags in self.lexicon.originals(word, **lex_filter):
            o = tuple(orig.split())
            if o != (word,) and o:
                found[o] = found.get(o, 0) | flags
        for upos, lemma, tag in analyses(word):
            if lemma == word:
                continue
            for orig, flags in self.lexicon.originals(lemma, **lex_filter):
                form = inflect(orig, upos, tag)
                if form:
                    o = tuple(form.split())
                    if o != (word,) and o:
                        found[o] = found.get(o, 0) | flags
        return list(found.items())

    def _generate(self, words: tuple[str, ...], prefilter: bool = True) -> list[Candidate]:
        found: dict[tuple[str, ...], dict] = {}
        filtered = prefilter and self.min_form_gain is not None

        def add_thesaurus(orig: tuple[str, ...], flags: int):
            # Prefiltered unless learned/fingerprint evidence already proposes the same original.
            if not filtered or orig in found or self._keep(orig, zipf(words)):
                add(orig, flags=flags)

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
            # The stem's candidates unfiltered: the filter applies to the possessive forms.
            for cand in self._generate((words[0][:-2],), prefilter=False):
                if len(cand.words) == 1:
                    orig = (cand.words[0] + "'s",)
                    if cand.table or cand.table_lemma:
                        add(orig, flags=cand.flags, table=cand.table, table_lemma=cand.table_lemma)
                    else:
                        add_thesaurus(orig, cand.flags)
        elif len(words) == 1:
            if not found:
                # Fast path (no learned or fingerprint originals to merge).
                return self._thesaurus_candidates(words[0], prefilter)
            for orig, flags in self.thesaurus(words[0]):
                add_thesaurus(orig, flags)
        else:
            lex_filter = {"min_zipf": self.min_zipf, "flags": self.need_flags}
            for orig, flags in self.lexicon.originals(phrase, **lex_filter):
                add_thesaurus(tuple(orig.split()), flags)
            # "carried out" -> "carry out" -> "perform" -> "performed"
            for upos, lemma, tag in analyses(words[0]):
                if upos != "VERB" or lemma == words[0]:
                    continue
                for orig, flags in self.lexicon.originals(" ".join((lemma,) + words[1:]), **lex_filter):
                    form = inflect(orig, upos, tag)
                    if form:
                        add_thesaurus(tuple(form.split()), flags)

        return [Candidate(words=o, **d) for o, d in found.items()]
