"""Candidate originals: what could this spun word or phrase have been?

:class:`CandidateGenerator` merges the candidate sources (:mod:`unspin.restoration.sources`):
the thesaurus, plus every registered source with evidence of its own (fingerprints, the
learned table), into one list of :class:`Candidate` per span, cached per form.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lang.formdata import zipf
from ..lang.morph import analyses
from .sources import Candidate, CandidateSource
from .sources.thesaurus import ThesaurusSource

__all__ = ["Candidate", "CandidateGenerator"]


class CandidateGenerator:
    """Candidates for single words (with inflection) and for phrases, cached per form."""

    def __init__(self, thesaurus: ThesaurusSource, sources: Sequence[CandidateSource] = (),
                 max_words: int = 4):
        self.thesaurus = thesaurus
        self.lexicon = thesaurus.lexicon
        self.sources = tuple(sources)
        # A source may declare that it reaches longer spans (the periphrase table's "in spite
        # of the fact that"); the decoder looks that far.
        self.max_words = max([max_words] + [getattr(s, "max_words", 0) for s in self.sources])
        self._by_name = {s.name: s for s in self.sources}
        self._rank = {s.name: k for k, s in enumerate(self.sources)}  # registration order
        self._possessive = frozenset(s.name for s in self.sources if s.possessive)
        # Every span some source proposes an exact substitution for.
        self._exact_spans = frozenset(k for s in self.sources for k in s.spun_sides())
        # Sources that compose multi-word originals rather than list their spans (the term
        # source): may_have asks them when nothing listed can match.
        self._composers = tuple(s for s in self.sources if hasattr(s, "may_have"))
        self._cache: dict[tuple[str, ...], list[Candidate]] = {}
        self._verb_starts: dict = {}  # may_have's per-word answers (_first_word)
        self._starts: frozenset[str] | None = None
        self._pairs: frozenset[tuple[str, ...]] = frozenset()

    @property
    def table(self):
        """The learned substitution table, or None."""
        src = self._by_name.get("table")
        return src.table if src is not None else None

    @property
    def fingerprints(self) -> dict:
        """The tortured-phrase table (tortured words -> correct words); empty when off."""
        src = self._by_name.get("fingerprint")
        return src.phrases if src is not None else {}

    def prefilter(self, min_form_zipf: float | None, min_form_gain: float | None) -> None:
        """Propose a thesaurus-only original (one no other source also proposes) only if its
        zipf frequency ``zc`` (as inflected) and that of the spun span ``zs`` satisfy
        ``zc >= min_form_zipf and zc - zs >= min_form_gain`` (None, None: no filter).

        The :class:`~unspin.restoration.channel.Channel` rejects every other one in
        ``plausible`` anyway (:meth:`Channel.prefilter_generator` passes its own ``min_zipf`` /
        ``min_zipf_gain``); dropping them here only saves the work. ``tests/test_formdata.py``
        checks the channel's priors are unchanged by it: if ``Channel.plausible`` ever accepts
        more, drop this call. Call before the first candidates are generated."""
        self._cache.clear()
        self.thesaurus.prefilter(min_form_zipf, min_form_gain)

    def candidates(self, words: tuple[str, ...]) -> list[Candidate]:
        c = self._cache.get(words)
        if c is None:
            if len(self._cache) > 20_000:
                # bounded memory on endless streams: ~2.7 KB an entry, so ~55 MB (300,000
                # would let a long screen grow towards 0.8 GB); ~7,000 spans fill 3,000 documents
                self._cache.clear()
            c = self._cache[words] = self._generate(words)
        return c

    def unfiltered(self, words: tuple[str, ...]) -> list[Candidate]:
        """Every candidate, including those :meth:`prefilter` drops (uncached; for diagnostics)."""
        return self._generate(words, prefilter=False)

    def evidence(self, c: Candidate) -> list[str]:
        """The names of the evidence for ``c``, sources in registration order."""
        return [name for name, _ in c.support] + self.thesaurus.evidence(c.flags)

    # Hot (called for every multi-word span of every sentence); specialised for the thesaurus:
    # its phrases are the lexicon's, plus verb lemmas ("carried out" -> "carry out").
    def may_have(self, words: tuple[str, ...]) -> bool:
        """Cheap test whether a multi-word span can have any candidate at all."""
        if self._listed_may_have(words):
            return True
        return any(s.may_have(words) for s in self._composers)

    def _listed_may_have(self, words: tuple[str, ...]) -> bool:
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
        if words in self._exact_spans:
            return True
        if " ".join(words) in self.lexicon:
            return True
        if not verbs:
            return False
        rest = " ".join(words[1:])
        return any(f"{lemma} {rest}" in self.lexicon for lemma in verbs)

    def may_have_exact_learned(self, words: tuple[str, ...]) -> bool:
        """Whether any candidate of ``words`` can carry exact evidence of a source
        (:attr:`Candidate.exact`): False means none does, whatever the thesaurus proposes."""
        if words in self._exact_spans:
            return True
        w = words[0]
        return len(words) == 1 and w.endswith("'s") and len(w) > 2 and self.may_have_exact_learned((w[:-2],))

    def _first_word(self, w0: str) -> tuple[str, ...] | bool:
        """For may_have: False if no phrase that could have candidates starts with ``w0``;
        else the verb lemmas of ``w0`` that start a lexicon phrase (cached per word)."""
        if self._starts is None:
            starts = set(self.lexicon.phrase_starts)
            pairs = set(self.lexicon.phrase_pairs)
            for k in self._exact_spans:
                if len(k) > 1:
                    starts.add(k[0])
                    pairs.add(k[:2])
            self._starts, self._pairs = frozenset(starts), frozenset(pairs)
        if len(self._verb_starts) > 200_000:  # ~110 B an entry
            self._verb_starts.clear()
        lex_starts = self.lexicon.phrase_starts
        verbs = tuple(lemma for upos, lemma, _ in analyses(w0) if upos == "VERB" and lemma in lex_starts)
        v = self._verb_starts[w0] = verbs if (verbs or w0 in self._starts) else False
        return v

    def _generate(self, words: tuple[str, ...], prefilter: bool = True) -> list[Candidate]:
        # original -> [thesaurus flags, {source name: strengths}]
        found: dict[tuple[str, ...], list] = {}
        thesaurus = self.thesaurus
        filtered = prefilter and thesaurus.min_form_gain is not None

        def add_thesaurus(orig: tuple[str, ...], flags: int):
            # Prefiltered unless another source already proposes the same original.
            if not filtered or orig in found or thesaurus.keep(orig, zipf(words)):
                add(orig, flags)

        def add(orig: tuple[str, ...], flags: int = 0, support=()):
            if orig == words or not orig:
                return
            d = found.get(orig)
            if d is None:
                d = found[orig] = [0, {}]
            d[0] |= flags
            for name, s in support:
                if any(s):
                    old = d[1].get(name)
                    d[1][name] = s if old is None else tuple(map(max, old, s))

        for src in self.sources:
            for orig, s in src.propose(words):
                add(orig, support=((src.name, s),))

        if len(words) == 1 and words[0].endswith("'s") and len(words[0]) > 2:
            # The stem's candidates unfiltered: the filter applies to the possessive forms.
            for cand in self._generate((words[0][:-2],), prefilter=False):
                if len(cand.words) == 1:
                    orig = (cand.words[0] + "'s",)
                    carried = [(n, s) for n, s in cand.support if n in self._possessive]
                    if carried:
                        add(orig, cand.flags, carried)
                    else:
                        add_thesaurus(orig, cand.flags)
        else:
            if len(words) == 1:
                if not found:
                    # Fast path (nothing from other sources to merge).
                    return thesaurus.candidates(words[0], prefilter)
                return self._merge_word(words[0], found, prefilter)
            for orig, flags in thesaurus.propose(words):
                add_thesaurus(orig, flags)

        return [self._candidate(o, flags, support) for o, (flags, support) in found.items()]

    def _merge_word(self, word: str, found: dict, prefilter: bool) -> list[Candidate]:
        """A word's candidates when other sources propose some (PPDB proposes for most words):
        the same list the general path builds, without decoding, prefiltering and rebuilding
        every thesaurus original: the thesaurus-only ones stay its shared prefiltered objects,
        and the supported ones get their thesaurus flags looked up alone."""
        thesaurus = self.thesaurus
        plain = thesaurus.candidates(word, prefilter)
        rest = dict.fromkeys(found)
        for c in plain:
            if c.words in rest:
                found[c.words][0] |= c.flags
                del rest[c.words]
        if rest:  # originals the prefilter dropped (or not thesaurus originals at all)
            origs = list(rest)
            for o, fl in zip(origs, thesaurus.flags_of(word, origs)):
                found[o][0] |= fl
        out = [self._candidate(o, flags, support) for o, (flags, support) in found.items()]
        out += [c for c in plain if c.words not in found]
        return out

    def _candidate(self, words: tuple[str, ...], flags: int, support: dict) -> Candidate:
        if not support:
            return Candidate(words=words, flags=flags)
        if len(support) == 1:  # the common case (PPDB alone): no ordering to do
            ordered = tuple(support.items())
        else:
            rank = self._rank
            ordered = tuple(sorted(support.items(), key=lambda kv: rank[kv[0]]))
        by_name = self._by_name
        exact = any(by_name[n].exact(s) for n, s in ordered)
        bold = any(getattr(by_name[n], "bold", True) for n, _ in ordered)
        return Candidate(words=words, flags=flags, support=ordered, exact=exact, bold=bold)
