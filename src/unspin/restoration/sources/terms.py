"""The ``term`` source: a multi-word span read back as a known term of the field whose words it
reaches word by word ("profound learning" -> "deep learning", "irregular woodland" -> "random
forest"), from the term list ``data/terms.tsv`` (built by ``tools/build/build_terms.py``: the
correct sides of the Problematic Paper Screener's list and WordNet 3.0's multi-word lemmas).

Tortured phrases are made by swapping each word of a term for a thesaurus neighbour. Composing
every neighbour of every word gives thousands of pairs, among which the 3-gram cannot pick the
term (docs/restore.md, "Tortured phrases word by word"); a list of real terms makes the choice
small. A span of ``n`` words proposes a term of ``n`` words when, position by position, the text
word equals the term word or is linked to it in the shipped lexicon (Moby, WordNet) or PPDB,
either direction, at word or lemma level; at least one word must differ (the span itself being
a term proposes nothing), a function word only matches itself (thesaurus links among function
words are alignments, not swaps), and at least one content word of the span must be the term's own (``every_word=True`` lifts this for PPS
terms with a WordNet or PPDB link: more tortured phrases restored, many more false edits).

Strengths: ``(term, listed, ln(1 + entries), changed, weak, swapped)``: ``term`` is 1 for a known
term, 0 for a span read through the list's habitual word swaps alone (no term vouches for it:
default mode, :meth:`TermSource._compose`); ``entries`` is the number of PPS
entries with the term (0: WordNet only), ``listed`` whether it is one: a term of the field, and
the more entries the more spinners hit it; ``changed`` the number of
words that differ; ``weak`` how many of those only Moby links (WordNet and PPDB links are
closer synonyms); ``swapped`` how many are one of the PPS list's own word swaps. The channel and the 3-gram decide, as for every source.
"""

from __future__ import annotations

import functools
import itertools
import math
import re

from ...lang.morph import analyses, inflect
from ...lang.words import FUNCTION_WORDS
from .ppdb import MAX_LINKS
from . import Candidate, Strengths, shipped_text

MIN_WORDS = 2
MAX_WORDS = 4

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def term_words(text: str) -> tuple[str, ...]:
    """A term as the restorer's tokens see it: lower case, hyphens and brackets split."""
    return tuple(w.lower().replace("’", "'") for w in _WORD_RE.findall(text))


def parse_terms(text: str) -> dict[tuple[str, ...], int]:
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        term, _, n = line.partition("\t")
        out[tuple(term.split())] = int(n or 0)
    return out


@functools.lru_cache(maxsize=1)
def load_terms() -> dict[tuple[str, ...], int]:
    """The shipped term list (empty when the file is absent)."""
    raw = shipped_text("terms.tsv")
    return parse_terms(raw) if raw is not None else {}


@functools.lru_cache(maxsize=1)
def _reach_formdata():
    """The shipped form data when its reach section was built from the shipped term list and
    PPDB table with this module's link limit (else None)."""
    from ...lang.formdata import get_formdata, shipped_sha256

    fd = get_formdata()
    if fd is None:
        return None
    want = {"terms_sha256": shipped_sha256("terms.tsv"), "ppdb_sha256": shipped_sha256("ppdb.npz"),
            "max_links": MAX_LINKS, "min_words": MIN_WORDS, "max_words": MAX_WORDS}
    return fd if fd.header.get("reach") == want else None


class TermSource:
    name = "term"
    weights = ("term", "term_listed", "term_prior", "term_changed", "term_weak", "term_swapped",
               "term_swapped_plain")
    possessive = False  # a term says nothing about a possessive
    # A composition is a guess from thesaurus links, however good the term: in a document the
    # gate calls spun it gets the boldness thesaurus-only candidates get, not the full one
    # (at full boldness it edited clean news: "royal commissioner" -> "prime minister").
    bold = False
    max_words = MAX_WORDS
    CACHE_LIMIT = 100_000

    def __init__(self, terms: dict[tuple[str, ...], int] | None = None, lexicon=None, ppdb=None,
                 every_word: bool = False, swaps: dict[str, list[tuple[str, int]]] | None = None,
                 papers: bool = False):
        # Whether every word of the span may differ from the term. Off by default: such
        # compositions ("string argument" -> "command line") were most of the source's false
        # edits in Python's docstrings (docs/restore.md, session 12); on, they are admitted for
        # PPS terms with at least one WordNet/PPDB link.
        self.every_word = every_word
        self._lexicon = lexicon
        self._ppdb = ppdb
        self._shipped_tables = lexicon is None and ppdb is None  # (the properties load the shipped ones)
        # spun word -> originals: the tortured-phrase list's word swaps (sources/ppswords.py), links
        # of their own ("colossal" -> big, which no lexicon links), towards a term only (a single
        # word read through them is the papers option's PpsWordSource). With the papers option
        # (``papers``) they are links like the lexicon's; without it, a link only a swap makes
        # counts in a composition with every word changed ("irregular woods" -> random forest,
        # not "hard cut" -> hard drive), or when the list makes it habitually (``habitual``:
        # "colossal data" -> big data). A changed word that is a swap earns ``term_swapped``
        # with the option, the smaller ``term_swapped_plain`` without it (docs/restore.md, "The
        # list's swaps in default mode").
        self.papers = papers
        self.use_formdata = True
        self.swaps: dict[str, tuple[str, ...]] = {}
        self.habitual: dict[str, tuple[str, ...]] = {}
        self.phrase_habits: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
        self._phrase_firsts: frozenset[str] = frozenset()
        self.set_terms(terms or {})
        if swaps:
            self.set_swaps(swaps)

    def set_swaps(self, swaps: dict[str, list[tuple[str, int]]]) -> None:
        """Link words by the word-swap table too (:class:`~.ppswords.PpsWordSource`'s table)."""
        from .ppswords import KEPT

        self.swaps = {k: tuple(o for o, _ in v if o != KEPT) for k, v in swaps.items()}
        # The swaps the list makes of a word at least twice and at least as often as it keeps
        # the word: the ones a composition with a kept word may rest on without the papers
        # option ("colossal" -> big 2 of 2; not "identity" -> recognition, 1 against 7 kept)
        self.habitual = {}
        for k, v in swaps.items():
            kept = sum(n for o, n in v if o == KEPT)
            # commonest first (ties by spelling, so the same table gives the same order)
            got = tuple(o for o, n in sorted(v, key=lambda x: (-x[1], x[0])) if o != KEPT and n >= max(2, kept))
            if got:
                self.habitual[k] = got
        # ... and of a phrase, whose sides differ in length ("getting to know" -> learning)
        self.phrase_habits = {tuple(k.split()): tuple(tuple(o.split()) for o in v)
                              for k, v in self.habitual.items() if " " in k}
        self._phrase_firsts = frozenset(k[0] for k in self.phrase_habits)
        self.set_terms(self.terms)  # (the caches of reached words)

    def set_terms(self, terms: dict[tuple[str, ...], int]) -> None:
        """Use another term list (the evaluation's folds: tools/analysis/eval_pps.py). The
        restorer caches candidates per span: clear its caches too."""
        # the shipped list (precomputed reach applies), or this source's own list again (set_swaps)
        self._shipped_terms = terms is load_terms() or (terms is getattr(self, "terms", None)
                                                        and getattr(self, "_shipped_terms", False))
        # Two content words at least: with one ("this study") a composition is a single-word
        # thesaurus swap ("this paper" -> "this study") that the list's prior would push through.
        self.terms = {t: n for t, n in terms.items() if MIN_WORDS <= len(t) <= MAX_WORDS
                      and sum(w not in FUNCTION_WORDS for w in t) >= 2}
        # (first word, length) -> {second word: [terms]}: the index a span is looked up in
        self._index: dict[tuple[str, int], dict[str, list[tuple[str, ...]]]] = {}
        for t in self.terms:
            self._index.setdefault((t[0], len(t)), {}).setdefault(t[1], []).append(t)
        # (length, position, content word) -> the terms with that word there: unless every
        # word may differ, a span composes only to a term that has one of its content words at
        # the same place, so this finds the few terms worth checking before any thesaurus link
        # is looked up (reading every word's links first was a third of restoring clean text)
        self._by_kept: dict[tuple[int, int, str], list[tuple[str, ...]]] = {}
        for t in self.terms:
            for i, w in enumerate(t):
                if w not in FUNCTION_WORDS:
                    self._by_kept.setdefault((len(t), i, w), []).append(t)
        self._vocab = frozenset(w for t in self.terms for w in t)
        self._vocab_lemmas: frozenset[str] | None = None
        self._first = frozenset(t[0] for t in self.terms)
        self._reach: dict[str, dict[str, bool]] = {}   # word -> {term word: strong link}
        self._starts: dict[str, tuple[str, ...]] = {}  # word -> the term first words it reaches
        self._spans: dict[tuple[str, ...], list] = {}  # span -> proposals

    @classmethod
    def shipped(cls, swaps: dict[str, list[tuple[str, int]]] | None = None, papers: bool = False) -> "TermSource":
        return cls(load_terms(), swaps=swaps, papers=papers)

    @property
    def lexicon(self):
        if self._lexicon is None:
            from ...lang.lexicon import get_lexicon

            self._lexicon = get_lexicon()
        return self._lexicon

    @property
    def ppdb(self):
        if self._ppdb is None:
            from ...lang.ppdb import get_ppdb

            self._ppdb = get_ppdb()
        return self._ppdb

    # -- which term words a text word reaches (cached per word) ---------------------------
    def reach(self, word: str) -> dict[str, bool]:
        """Term words ``word`` is linked to (not itself), each with whether a WordNet or PPDB
        link (not Moby alone) joins them."""
        got = self._reach.get(word)
        if got is None:
            if len(self._reach) > self.CACHE_LIMIT:
                self._reach.clear()
            if word in FUNCTION_WORDS:
                got = {}
            else:
                fd = self.formdata
                got = fd.reach(word) if fd is not None else None
                if got is None:
                    got = self._compute_reach(word)
            self._reach[word] = got
        return got

    @property
    def formdata(self):
        """The precomputed form data, if its reach section holds this source's reach: the
        shipped term list, lexicon and PPDB table, without the papers option (whose reach has
        the list's swaps); else None (every reach is computed). ``use_formdata = False`` turns
        it off."""
        if not self.use_formdata or self.papers or not self._shipped_tables or not self._shipped_terms:
            return None
        return _reach_formdata()

    def vocab_lemmas(self) -> frozenset[str]:
        """The term words and their lemmas (lemminflect's dictionary; ~0.1 s, once): a linked
        lemma outside it has no inflection among the term words, so it is not inflected."""
        if self._vocab_lemmas is None:
            import lemminflect

            out = set(self._vocab)
            for w in self._vocab:
                for lemmas in lemminflect.getAllLemmas(w).values():
                    out.update(lemma.lower() for lemma in lemmas)
            self._vocab_lemmas = frozenset(out)
        return self._vocab_lemmas

    def _compute_reach(self, word: str) -> dict[str, bool]:
        from ...lang.lexicon import WORDNET_SYNONYM

        vocab = self._vocab
        lemmas_of_vocab = self.vocab_lemmas()
        found: dict[str, bool] = {}

        def add(o: str, strong: bool):
            if o != word and o in vocab and o not in FUNCTION_WORDS:
                found[o] = found.get(o, False) or strong

        def links(w: str):
            for o, fl in self.lexicon.originals(w):
                if " " not in o:
                    yield o, bool(fl & WORDNET_SYNONYM)
            if self.papers:
                for o in self.swaps.get(w, ()):
                    yield o, True
            table = self.ppdb
            if w in table:
                # as many as the ppdb source proposes: further down a row PPDB links words
                # that merely co-occur ("voter" -> "election")
                for link in table.links(w, limit=MAX_LINKS, skip=FUNCTION_WORDS):
                    yield link.original, True

        for o, strong in links(word):
            add(o, strong)
        # "woodlands" -> lemma "woodland" -> "forest" -> "forests"
        for upos, lemma, tag in analyses(word):
            if lemma == word:
                continue
            for o, strong in links(lemma):
                # Inflecting every neighbour was most of this source's cost (a first look-up of
                # a word took ~3 ms, a third of restoring a clean stream with cold caches);
                # a neighbour that is no term word's lemma cannot inflect into one.
                if o not in lemmas_of_vocab:
                    continue
                form = inflect(o, upos, tag)
                if form and " " not in form:
                    add(form, strong)
        return found

    def _first_words(self, word: str) -> tuple[str, ...]:
        got = self._starts.get(word)
        if got is None:
            if len(self._starts) > self.CACHE_LIMIT:
                self._starts.clear()
            first = self._first
            got = tuple(w for w in (word, *self.reach(word)) if w in first)
            self._starts[word] = got
        return got

    # -- the CandidateGenerator's hooks ---------------------------------------------------
    def may_have(self, words: tuple[str, ...]) -> bool:
        """Whether the span ``words`` may compose to a term (exact: its proposals, cached)."""
        n = len(words)
        if not MIN_WORDS <= n <= MAX_WORDS:
            return False
        if self.every_word:
            if not self._first_words(words[0]):
                return False  # the common answer: one dict look-up once the word is cached
        elif not any((n, i, w) in self._by_kept for i, w in enumerate(words)) and not self._through_swaps(words):
            return False  # the common answer: a few set look-ups, no thesaurus link read
        return bool(self.propose(words))

    # Spans read through the habitual swaps alone: 2-3 words, each with its 3 commonest swaps
    # at most (so at most 27 proposals; both limits set a priori).
    HABITUAL_MAX_WORDS = 3
    HABITUAL_PER_WORD = 3

    def _all_habitual(self, words: tuple[str, ...]) -> bool:
        """Whether every word of the span is one the list swaps habitually (:attr:`habitual`)."""
        return (len(words) <= self.HABITUAL_MAX_WORDS
                and all(w in self.habitual and w not in FUNCTION_WORDS for w in words))

    def _habitual_top(self, w: str) -> tuple[str, ...]:
        return self.habitual[w][: self.HABITUAL_PER_WORD]

    def _through_phrases(self, words: tuple[str, ...], have: set) -> list[tuple[tuple[str, ...], Strengths]]:
        """Terms the span composes to once one phrase the list swaps habitually is read as its
        swap ("deep gaining knowledge" -> deep learning, "system getting to know" -> machine
        learning): the phrase counts as one changed word that is a swap. Default mode only (the
        papers option's word-swap source proposes the phrase swap by itself)."""
        out = []
        n = len(words)
        for i in range(n - 1):
            if words[i] not in self._phrase_firsts:
                continue
            for length in range(2, n - i + 1):
                for o in self.phrase_habits.get(words[i:i + length], ()):
                    red = words[:i] + o + words[i + length:]
                    m = len(red)
                    if not MIN_WORDS <= m <= MAX_WORDS:
                        continue
                    k = self.terms.get(red)
                    if k is not None:
                        got = [(red, (1.0, float(k > 0), math.log1p(k), 0.0, 0.0, 0.0))]
                    else:
                        cands = dict.fromkeys(t for j, w in enumerate(red) for t in self._by_kept.get((m, j, w), ()))
                        got = [p for t in cands if (p := self._proposal(red, t)) is not None]
                    for t, st in got:
                        if t not in have:
                            have.add(t)
                            out.append((t, st[:3] + (st[3] + 1.0, st[4], st[5] + 1.0)))
        return out

    def _through_swaps(self, words: tuple[str, ...]) -> bool:
        """For :meth:`may_have`, a span none of whose words a term keeps in place: whether the
        list's swaps may still compose it (:meth:`_compose`): every word a swap of a term's
        word, or (default mode) every word a habitual swap, or a habitual phrase in it."""
        if self._by_swaps(words):
            return True
        if self.papers:
            return False
        return self._all_habitual(words) or any(w in self._phrase_firsts for w in words[:-1])

    def _by_swaps(self, words: tuple[str, ...]) -> bool:
        """Whether the list's swaps of the span's first two words start a term of its length
        (the compositions with every word changed that :meth:`_compose` admits)."""
        swaps = self.swaps
        firsts = swaps.get(words[0]) if swaps else None
        if not firsts:
            return False
        seconds = swaps.get(words[1], ())
        for a in firsts:
            by_second = self._index.get((a, len(words)))
            if by_second and any(b in by_second for b in seconds):
                return True
        return False

    def propose(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], Strengths]]:
        n = len(words)
        if not MIN_WORDS <= n <= MAX_WORDS:
            return []
        got = self._spans.get(words)
        if got is None:
            if len(self._spans) > self.CACHE_LIMIT:
                self._spans.clear()
            got = self._spans[words] = self._compose(words) if words not in self.terms else []
        return got

    def _compose(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], Strengths]]:
        n = len(words)
        if all(w in FUNCTION_WORDS for w in words):
            return []
        if not self.every_word:
            # A term keeps one of the span's content words in place: only the terms with one of
            # them there are checked, and only the other words' links are read.
            terms = dict.fromkeys(t for i, w in enumerate(words) for t in self._by_kept.get((n, i, w), ()))
            if self.swaps:
                # ... or, with the list's word swaps (the papers option), every word is one of
                # them ("irregular woods" -> random forest)
                for a in self.swaps.get(words[0], ()):
                    by_second = self._index.get((a, n))
                    if by_second:
                        for b in self.swaps.get(words[1], ()):
                            terms.update(dict.fromkeys(by_second.get(b, ())))
            out = [p for t in terms if (p := self._proposal(words, t)) is not None]
            if self.papers:
                return out
            # Default mode only (the papers option reads each word and phrase through the
            # swaps anyway: PpsWordSource).
            have = {t for t, _ in out}
            if self._all_habitual(words):
                # Every word one the list swaps habitually: the swapped span, term or not
                # ("lengthy examination" -> long study). Strengths lead with 0: no known term
                # vouches for it, only the swaps and the 3-gram.
                for combo in itertools.product(*(self._habitual_top(w) for w in words)):
                    if combo not in have and combo not in self.terms:
                        have.add(combo)
                        out.append((combo, (0.0, 0.0, 0.0, float(n), 0.0, float(n))))
            if self.phrase_habits:
                out.extend(self._through_phrases(words, have))
            return out
        second = {words[1], *self.reach(words[1])}
        out = []
        for a in self._first_words(words[0]):
            by_second = self._index.get((a, n))
            if not by_second:
                continue
            for b in second & by_second.keys():
                for t in by_second[b]:
                    p = self._proposal(words, t)
                    if p is not None:
                        out.append(p)
        return out

    def _proposal(self, words: tuple[str, ...], t: tuple[str, ...]) -> tuple[tuple[str, ...], Strengths] | None:
        """``t`` with its strengths when each word of the span is ``t``'s word there or linked to
        it, and the rules on changed words allow it; else None."""
        changed = weak = kept = swapped = swap_only = 0
        for w, tw in zip(words, t):
            if w == tw:
                kept += w not in FUNCTION_WORDS
                continue
            strong = self.reach(w).get(tw)
            if strong is None:
                if tw not in self.swaps.get(w, ()):
                    return None
                strong = True
                # (never with the papers option: its reach has the swaps)
                swap_only += tw not in self.habitual.get(w, ())
            changed += 1
            weak += not strong
            swapped += tw in self.swaps.get(w, ())
        if swap_only and kept:
            # Without the papers option a link only the list's swaps make, and that it makes
            # seldom, counts only towards a term every word of which is changed: with a kept word
            # it edited clean technical text ("hard cut" -> hard drive, "object identity" ->
            # object recognition).
            return None
        k = self.terms[t]
        # A listed term every word of which is one of the list's own word swaps away: the
        # swaps are what a paper mill's spinner does, not a lexicon's guess.
        by_swaps = bool(k) and swapped == changed
        if not kept and not by_swaps and (not self.every_word or not k or weak == changed):
            # Every word a guess, and the term only WordNet's or every link Moby's alone: in
            # clean news and wild-dev's originals these were wrong ("deputy chairmen" -> "vice
            # president", "urgent tap" -> "critical value"); the 3-gram favours any common
            # collocation over a rare phrase, so the evidence must come from here.
            return None
        return t, (1.0, float(k > 0), math.log1p(k), float(changed), float(weak), float(swapped))

    def spun_sides(self):
        return ()  # nothing exact: a composed term never vouches for editing a name or a number

    def exact(self, strengths: Strengths) -> bool:
        return False

    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        s = c.strengths(self.name)
        if s is None:
            return {"term": 0.0, "term_listed": 0.0, "term_prior": 0.0, "term_changed": 0.0, "term_weak": 0.0,
                    "term_swapped": 0.0, "term_swapped_plain": 0.0}
        return {"term": s[0], "term_listed": s[1], "term_prior": s[2], "term_changed": s[3], "term_weak": s[4],
                "term_swapped": s[5] if self.papers else 0.0, "term_swapped_plain": 0.0 if self.papers else s[5]}
