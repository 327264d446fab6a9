"""Spin-robust signatures for tracing: word keys for sources, alternatives for queries.

A spinner swaps words for thesaurus neighbours, so the exact words of a spun copy and of its
source differ in a third or more of the places. Two things survive: what a spinner cannot change
(names, numbers, function words, rare terms: DSpin's "immutables") and the thesaurus link between
each swapped word and its original. Tracing uses both, asymmetrically:

* a **source** document is reduced to one key per word: its lemma (``said`` -> ``say``, ``cases``
  -> ``case``; possessives and curly apostrophes folded; numbers kept as written). This is cheap
  (a cached dictionary look-up per word), which is what lets an index take thousands of documents
  a second;
* a **query** (the suspected spun copy) is expanded: each word position gets the set of keys its
  original may have had, with a weight: the word's own lemmas (1.0), the terms the shipped lexicon
  says it may have replaced (:meth:`unspin.lexicon.Lexicon.originals`; stronger relations weigh
  more), digits for number words and back, and for multi-word spans ("loss of life", "at the
  least", "used to be") the single words they commonly replace.

Matching a query position against a source word is then a set look-up, and how much a match
counts depends on how likely it is by chance (a position with 300 possible originals matches
something in most documents; a rare name matches almost nowhere).

>>> doc_key("Said")
'say'
>>> doc_key("nation’s")
'nation'
>>> sorted(k for k, w in word_alternatives("metropolis") if w >= 0.8)[:3]
['city', 'metropolis', 'urban']
"""

from __future__ import annotations

import functools
import hashlib
import math

import numpy as np

from .tokenize import tokenize

#: bump when keys or alternatives change in a way that makes old indexes incompatible
ANALYZER_VERSION = 1

# Function words: kept in every key sequence (they help align), left out of posting lists
# (they are in every document and say nothing about which one).
STOPWORDS = frozenset(
    """a an the and or but if nor so yet of to in on at by for with from as into onto upon about
    over under than then that this these those there here it its he she they we you i me him her
    them us our your their his my mine who whom whose which what when where why how be is are was
    were been being am have has had having do does did done not no s t will would shall should may
    might must can could also just very too only such some any all each both either neither
    other another own same more most less least much many few one""".split()
)

# Number words <-> digits: spinners and rewriters move between them ("five cases" / "5 instances").
_NUMBERS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100", "thousand": "1000", "million": "1000000", "billion": "1000000000",
    "first": "1st", "second": "2nd", "third": "3rd",
}
_DIGITS = {v: k for k, v in _NUMBERS.items()}

# Multi-word rephrasings that article spinners make around function words, which a thesaurus of
# content words does not list (spun phrase -> the words it commonly stands for). These are
# patterns of the tools (Spinbot/WordAI-style output), not of any one text.
SPINNER_PHRASES = {
    "at the least": "at least",
    "a minimum of": "at least",
    "as a result of": "because",
    "for the reason that": "because",
    "on account of": "because",
    "together with": "including",
    "along with": "including",
    "a number of": "several",
    "by way of": "through",
    "by means of": "through",
    "grew to become": "became",
    "turned into": "became",
    "12 months": "year",
    "yr": "year",
    "folks": "people",
    "individuals": "people",
    "have been": "were",
    "had been": "were",
    "has been": "was",
    "used to be": "was",
    "the place": "where",
    "wherein": "where",
    "thousands and thousands": "millions",
    "tens of millions": "millions",
    "loss of life": "death",
    "well being": "health",
    "in opposition to": "against",
    "in addition to": "and",
    "so as to": "to",
    "with a purpose to": "to",
    "in an effort to": "to",
    "on the other hand": "however",
    "then again": "however",
    "as well as": "and",
    "prior to": "before",
    "subsequent to": "after",
}

_POS_ORDER = ("VERB", "NOUN", "ADJ", "ADV", "AUX", "PROPN", "PRON", "ADP", "DET", "CCONJ", "NUM")


def normalise(word: str) -> str:
    """Lower-case, straight apostrophe, no possessive ``'s`` or trailing apostrophe."""
    w = word.lower().replace("’", "'").replace("‘", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.rstrip("'") or word.lower()


@functools.lru_cache(maxsize=200_000)
def _lemmas(w: str) -> tuple[str, ...]:
    """All lemmas of a normalised word, the preferred one first."""
    if not w or not w.isalpha():
        return (w,)
    import lemminflect

    found = lemminflect.getAllLemmas(w)
    out: list[str] = []
    for pos in _POS_ORDER:
        for lemma in found.get(pos, ()):
            lemma = lemma.lower()
            if lemma not in out:
                out.append(lemma)
    for lemmas in found.values():
        for lemma in lemmas:
            lemma = lemma.lower()
            if lemma not in out:
                out.append(lemma)
    return tuple(out) or (w,)


@functools.lru_cache(maxsize=200_000)
def doc_key(word: str) -> str:
    """The key a source word is indexed under: its preferred lemma."""
    return _lemmas(normalise(word))[0]


#: key hash -> chance that a ~100-word passage of general English contains the key (wordfreq)
PRIOR: dict[int, float] = {}


def _prior(key: str) -> float:
    from wordfreq import word_frequency

    if key.isalpha():
        f = word_frequency(key, "en")
    else:
        f = 1e-6 if any(c.isdigit() for c in key) else 1e-7
    return min(0.95, max(1e-6, 1.0 - math.exp(-100.0 * max(f, 1e-8))))


@functools.lru_cache(maxsize=500_000)
def h64(key: str) -> int:
    """A stable 64-bit hash of a key (not Python's per-process salted ``hash``); also records
    the key's general-English rarity in :data:`PRIOR`."""
    h = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")
    if h not in PRIOR:
        PRIOR[h] = _prior(key)
    return h


_HASH_CACHE: dict[str, int] = {}


def key_hash(word: str) -> int:
    """Hash of :func:`doc_key` of a surface word (cached per process)."""
    h = _HASH_CACHE.get(word)
    if h is None:
        if len(_HASH_CACHE) > 1_000_000:
            _HASH_CACHE.clear()
        h = _HASH_CACHE[word] = h64(doc_key(word))
    return h


@functools.lru_cache(maxsize=None)
def stop_hashes() -> frozenset[int]:
    return frozenset(h64(doc_key(w)) for w in STOPWORDS) | frozenset(h64(w) for w in STOPWORDS)


def doc_keys(text: str) -> tuple[np.ndarray, list]:
    """Per-token key hashes of a source text (uint64) and its tokens."""
    toks = tokenize(text)
    kh = key_hash
    return np.fromiter((kh(t.text) for t in toks), dtype=np.uint64, count=len(toks)), toks


# Relation weights: how much a query word's candidate original counts when found in a source.
W_SAME = 1.0        # the word itself or another lemma of it
W_NUMBER = 0.9      # five <-> 5
W_PHRASE = 0.85     # spinner phrase table
W_WORDNET = 0.8     # WordNet synonyms
W_MUTUAL = 0.75     # Moby lists each under the other
W_HEAD = 0.65       # the original's Moby entry lists the spun word (what spinners draw from)
W_REVERSE = 0.45    # only the spun word's entry lists the original
W_MULTI = 0.5       # a content word of a multi-word original

MAX_ALTERNATIVES = 400


def _flag_weight(flags: int) -> float:
    if flags & 4:
        return W_WORDNET
    if flags & 3 == 3:
        return W_MUTUAL
    if flags & 1:
        return W_HEAD
    return W_REVERSE


@functools.lru_cache(maxsize=1)
def _in_degree() -> np.ndarray:
    """How many lexicon terms list each term as a possible original."""
    from .lexicon import get_lexicon

    lex = get_lexicon()
    return np.bincount(lex._dst, minlength=len(lex.terms))


@functools.lru_cache(maxsize=200_000)
def original_share(key: str) -> float:
    """Unnormalised prior that a spinner's output word came from original ``key``: common words
    are more often the original, and a word with many synonyms spreads its swaps over all of
    them (frequency / number of thesaurus neighbours)."""
    from wordfreq import word_frequency

    from .lexicon import get_lexicon

    lex = get_lexicon()
    f = word_frequency(key, "en") if key.isalpha() else 1e-6
    i = lex._index.get(key)
    deg = int(_in_degree()[i]) if i is not None else 1
    return max(f, 1e-8) / max(deg, 1)


@functools.lru_cache(maxsize=100_000)
def word_alternatives(word: str) -> tuple[tuple[str, float], ...]:
    """Keys the original of a (possibly spun) ``word`` may have, with weights, best first."""
    from .lexicon import get_lexicon

    lex = get_lexicon()
    w = normalise(word)
    alts: dict[str, float] = {}

    def put(term: str, weight: float) -> None:
        k = doc_key(term)
        if alts.get(k, 0.0) < weight:
            alts[k] = weight

    lemmas = _lemmas(w)
    put(w, W_SAME)
    for lemma in lemmas:
        put(lemma, W_SAME)
    if w in _NUMBERS:
        put(_NUMBERS[w], W_NUMBER)
    elif w in _DIGITS:
        put(_DIGITS[w], W_NUMBER)
    if w in SPINNER_PHRASES and " " not in SPINNER_PHRASES[w]:
        put(SPINNER_PHRASES[w], W_PHRASE)
    if w.isalpha():
        for term in dict.fromkeys((w,) + lemmas):
            for orig, flags in lex.originals(term):
                if " " in orig:
                    for part in orig.split():
                        if part not in STOPWORDS and part.isalpha():
                            put(part, min(W_MULTI, _flag_weight(flags)))
                else:
                    put(orig, _flag_weight(flags))
    ranked = sorted(alts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(ranked[:MAX_ALTERNATIVES])


@functools.lru_cache(maxsize=50_000)
def phrase_alternatives(phrase: str) -> tuple[tuple[str, float], ...]:
    """Keys a multi-word spun ``phrase`` (lower-case, single spaces) may stand for."""
    from .lexicon import get_lexicon

    alts: dict[str, float] = {}

    def put(term: str, weight: float) -> None:
        for part in term.split():
            if part in STOPWORDS and " " in term:
                continue
            k = doc_key(part)
            if alts.get(k, 0.0) < weight:
                alts[k] = weight

    if phrase in SPINNER_PHRASES:
        put(SPINNER_PHRASES[phrase], W_PHRASE)
    lex = get_lexicon()
    if phrase in lex:
        for orig, flags in lex.originals(phrase):
            put(orig, _flag_weight(flags) if " " not in orig else min(W_MULTI, _flag_weight(flags)))
    ranked = sorted(alts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(ranked[:MAX_ALTERNATIVES])


@functools.lru_cache(maxsize=1)
def _phrase_heads() -> tuple[frozenset[str], int]:
    """First words of multi-word lexicon/spinner phrases, and the longest phrase length."""
    from .lexicon import get_lexicon

    lex = get_lexicon()
    heads = {t.split(" ", 1)[0] for t in lex.terms if " " in t}
    heads |= {p.split(" ", 1)[0] for p in SPINNER_PHRASES if " " in p}
    longest = max(lex.max_words, max(len(p.split()) for p in SPINNER_PHRASES))
    return frozenset(heads), longest


class QueryAlternatives:
    """The expanded query: parallel arrays of (alternative key hash, query token, weight)."""

    __slots__ = ("tokens", "exact", "alt_hash", "alt_tok", "alt_w", "alt_group", "alt_share")

    def __init__(self, tokens, exact, alt_hash, alt_tok, alt_w, alt_group, alt_share):
        self.tokens = tokens
        self.exact = exact          # uint64 per token: the token's own key hash
        self.alt_hash = alt_hash    # uint64 per alternative
        self.alt_tok = alt_tok      # int32: the query token it stands for
        self.alt_w = alt_w          # float32: relation weight
        self.alt_group = alt_group  # int32: the alternative set it came from
        self.alt_share = alt_share  # float64: prior share as an original (:func:`original_share`)


def expand_query(text: str, extra: dict[int, list[str]] | None = None, tokens=None) -> QueryAlternatives:
    """Expand a query text into weighted alternatives per token.

    ``extra`` maps a token index to additional candidate originals (e.g. from restoration),
    weighted like a WordNet synonym.
    """
    toks = tokenize(text) if tokens is None else tokens
    lows = [normalise(t.text) for t in toks]
    heads, longest = _phrase_heads()
    hashes: list[int] = []
    tok_idx: list[int] = []
    weights: list[float] = []
    groups: list[int] = []
    shares: list[float] = []
    group = 0
    exact = np.fromiter((key_hash(t.text) for t in toks), dtype=np.uint64, count=len(toks))
    for i, low in enumerate(lows):
        for key, weight in word_alternatives(low):
            hashes.append(h64(key))
            tok_idx.append(i)
            weights.append(weight)
            groups.append(group)
            shares.append(original_share(key))
        if extra and i in extra:
            for term in extra[i]:
                hashes.append(h64(doc_key(term)))
                tok_idx.append(i)
                weights.append(W_WORDNET)
                groups.append(group)
                shares.append(original_share(doc_key(term)))
        group += 1
        if low in heads:
            for n in range(2, min(longest, len(lows) - i) + 1):
                phrase = " ".join(lows[i:i + n])
                alts = phrase_alternatives(phrase)
                if not alts:
                    continue
                for key, weight in alts:
                    kh = h64(key)
                    sh = original_share(key)
                    for j in range(i, i + n):
                        hashes.append(kh)
                        tok_idx.append(j)
                        weights.append(weight)
                        groups.append(group)
                        shares.append(sh)
                group += 1
    return QueryAlternatives(
        toks,
        exact,
        np.array(hashes, dtype=np.uint64),
        np.array(tok_idx, dtype=np.int32),
        np.array(weights, dtype=np.float32),
        np.array(groups, dtype=np.int32),
        np.array(shares, dtype=np.float64),
    )
