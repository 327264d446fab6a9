"""The thesaurus source: Moby Thesaurus and WordNet neighbours (:mod:`unspin.lang.lexicon`),
lemmatised, then re-inflected like the spun word; for frequent forms read from the
precomputed lists (:mod:`unspin.lang.formdata`).

Its evidence for a candidate is the relation flags (:attr:`Candidate.flags`), named in edits by
the thesaurus that links the words: ``moby`` (either direction) and ``wordnet``. Thesaurus-only
candidates are nearly all candidates, so this source is specialised: it builds its
:class:`Candidate` objects itself (immutable, shared between forms) and the generator and
the channel have fast paths written for it.
"""

from __future__ import annotations

import functools

from ...lang.formdata import FormData, get_formdata, zipf
from ...lang.lexicon import MOBY_HEAD_LISTS_SPUN, MOBY_SPUN_LISTS_HEAD, WORDNET_SYNONYM, Lexicon
from ...lang.morph import analyses, inflect
from . import Candidate

MOBY = MOBY_HEAD_LISTS_SPUN | MOBY_SPUN_LISTS_HEAD


class ThesaurusSource:
    name = "thesaurus"
    weights = ("moby_head", "moby_spun", "wordnet")

    def __init__(self, lexicon: Lexicon, min_zipf: float = 0.0, need_flags: int = 0):
        self.lexicon = lexicon
        # Originals rarer than this (at lemma level), or not linked by one of need_flags, are
        # never proposed: the channel would reject them anyway.
        self.min_zipf = min_zipf
        self.need_flags = need_flags
        # Set by prefilter(): see there. None: every original is proposed.
        self.min_form_zipf: float | None = None
        self.min_form_gain: float | None = None
        self._plain: dict = {}  # shared immutable thesaurus-only candidates

    def prefilter(self, min_form_zipf: float | None, min_form_gain: float | None) -> None:
        """Propose an original only if its zipf frequency ``zc`` (as inflected) and that of the
        spun span ``zs`` satisfy ``zc >= min_form_zipf and zc - zs >= min_form_gain``
        (``None``: no filter). See :meth:`CandidateGenerator.prefilter`."""
        self.min_form_zipf = min_form_zipf
        self.min_form_gain = min_form_gain

    def keep(self, orig: tuple[str, ...], span_zipf: float) -> bool:
        """Whether the prefilter lets ``orig`` replace a span of zipf ``span_zipf``."""
        if self.min_form_gain is None:
            return True
        zc = zipf(orig)
        return zc >= self.min_form_zipf and zc - span_zipf >= self.min_form_gain

    @functools.cached_property
    def formdata(self) -> FormData | None:
        """The precomputed lists, if they were built for this lexicon and these parameters
        (else None: everything is computed). Assign None to compute every form."""
        fd = get_formdata()
        if (fd is None or not getattr(self.lexicon, "shipped", False)
                or fd.min_zipf != self.min_zipf or fd.need_flags != self.need_flags):
            return None
        return fd

    def originals(self, word: str) -> list[tuple[tuple[str, ...], int]]:
        """Originals of one (non-possessive) word form, re-inflected like it, in the order they
        are proposed, duplicates merged (flags or-ed); not prefiltered. Read from the
        precomputed lists when they hold the form; computed otherwise."""
        fd = self.formdata
        if fd is not None:
            got = fd.thesaurus(word)
            if got is not None:
                return got
        return self.compute_originals(word)

    def flags_of(self, word: str, originals: list[tuple[str, ...]]) -> list[int]:
        """The relation flags linking each of ``originals`` to ``word`` (0: none), prefilter or
        not: :meth:`originals` restricted to them, without decoding the rest."""
        fd = self.formdata
        if fd is not None:
            got = fd.thesaurus_flags(word, originals)
            if got is not None:
                return got
        found = dict(self.compute_originals(word))
        return [found.get(o, 0) for o in originals]

    def candidates(self, word: str, prefilter: bool = True) -> list[Candidate]:
        """Candidates of a word with thesaurus originals only (prefiltered unless told not
        to); immutable, so shared between forms."""
        plain = self._plain
        if len(plain) > 300_000:
            plain.clear()
        fd = self.formdata
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
        for key in self.compute_originals(word):
            if gain is not None and not self.keep(key[0], zipf((word,))):
                continue
            c = plain.get(key)
            if c is None:
                c = plain[key] = Candidate(words=key[0], flags=key[1])
            out.append(c)
        return out

    def compute_originals(self, word: str) -> list[tuple[tuple[str, ...], int]]:
        """:meth:`originals`, always computed (what ``tools/build/build_formdata.py`` stores)."""
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

    def propose(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], int]]:
        """Originals of a non-possessive span with their relation flags (not prefiltered)."""
        if len(words) == 1:
            return self.originals(words[0])
        out = []
        lex_filter = {"min_zipf": self.min_zipf, "flags": self.need_flags}
        for orig, flags in self.lexicon.originals(" ".join(words), **lex_filter):
            out.append((tuple(orig.split()), flags))
        # "carried out" -> "carry out" -> "perform" -> "performed"
        for upos, lemma, tag in analyses(words[0]):
            if upos != "VERB" or lemma == words[0]:
                continue
            for orig, flags in self.lexicon.originals(" ".join((lemma,) + words[1:]), **lex_filter):
                form = inflect(orig, upos, tag)
                if form:
                    out.append((tuple(form.split()), flags))
        return out

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        flags = c.flags
        return {
            "moby_head": float(bool(flags & MOBY_HEAD_LISTS_SPUN)),
            "moby_spun": float(bool(flags & MOBY_SPUN_LISTS_HEAD)),
            "wordnet": float(bool(flags & WORDNET_SYNONYM)),
        }

    @staticmethod
    def evidence(flags: int) -> list[str]:
        """Evidence names of these relation flags."""
        ev = []
        if flags & MOBY:
            ev.append("moby")
        if flags & WORDNET_SYNONYM:
            ev.append("wordnet")
        return ev
