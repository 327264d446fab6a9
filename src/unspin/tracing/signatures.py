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
  says it may have replaced (:meth:`unspin.lang.lexicon.Lexicon.originals`; stronger relations weigh
  more), digits for number words and back, and for multi-word spans ("loss of life", "at the
  least", "used to be") the single words they commonly replace.

Matching a query position against a source word is then a set look-up, and how much a match
counts depends on how likely it is by chance (a position with 300 possible originals matches
something in most documents; a rare name matches almost nowhere).

>>> doc_key("Said")
'say'
>>> doc_key("nation’s")
'nation'
>>> [k for k, w in readable_alternatives("metropolis") if w >= 0.8]
['metropolis', 'city']
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import os
import re
import threading

import numpy as np

from ..lang.mapped import cache_dir
from ..lang.words import CONTENT_PARTICLES, FUNCTION_WORDS, QUANTIFIERS
from ..lang.tokenize import WORD_RE, tokenize

#: bump when keys or alternatives change in a way that makes old indexes incompatible
ANALYZER_VERSION = 2

# Function words: kept in every key sequence (they help align), left out of posting lists
# (they are in every document and say nothing about which one).
STOPWORDS = (FUNCTION_WORDS | QUANTIFIERS) - CONTENT_PARTICLES

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


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (a ``str`` can hold one; UTF-8 and SQLite cannot) as
    U+FFFD, one code point for one so that offsets stay valid. Text without one is returned as is.

    The one rule for surrogates in tracing: the index stores source fields through it, and keys
    are hashed through it (:func:`utf8`), so a query and a source that hold the same surrogate
    agree, and the hash of every other text is what it always was.
    """
    if text.isascii():  # (no surrogate then; the check is far cheaper than the regex search)
        return text
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def utf8(text: str) -> bytes:
    """UTF-8 bytes of ``text`` after :func:`replace_surrogates`."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return replace_surrogates(text).encode("utf-8")


@functools.lru_cache(maxsize=500_000)
def h64(key: str) -> int:
    """A stable 64-bit hash of a key (not Python's per-process salted ``hash``); also records
    the key's general-English rarity in :data:`PRIOR`."""
    h = int.from_bytes(hashlib.blake2b(utf8(key), digest_size=8).digest(), "little")
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


_SURF_CACHE: dict[str, int] = {}


def surface_hash(word: str) -> int:
    """32-bit hash of the normalised surface form (to tell ``pressing`` from ``pressed``, which
    share the key ``press``)."""
    h = _SURF_CACHE.get(word)
    if h is None:
        if len(_SURF_CACHE) > 1_000_000:
            _SURF_CACHE.clear()
        digest = hashlib.blake2b(utf8(normalise(word)), digest_size=4, person=b"surface").digest()
        h = _SURF_CACHE[word] = int.from_bytes(digest, "little")
    return h


def _surface_digest(word: str) -> int:
    digest = hashlib.blake2b(utf8(normalise(word)), digest_size=4, person=b"surface").digest()
    return int.from_bytes(digest, "little")


def _key_digest(key: str) -> int:
    """:func:`h64` without recording the key's rarity: an index build needs only the hash (the
    rarities a search uses are recorded when it expands its query), and looking up wordfreq for
    every new word was a fifth of a build's time."""
    return int.from_bytes(hashlib.blake2b(utf8(key), digest_size=8).digest(), "little")


def _lemma_known(w: str) -> bool | None:
    """Whether lemminflect has an entry for the normalised word ``w`` (None: cannot tell).
    A word it does not know is its own lemma, and asking lemminflect for it deep-copies an
    empty dict and works out the word's capitalisation: most new words of a large collection
    are names and numbers, so this is most of the cost of a new word."""
    global _LEMMA_DICTS
    if _LEMMA_DICTS is None:
        try:
            from lemminflect.core.Lemmatizer import Lemmatizer

            lem = Lemmatizer()
            _LEMMA_DICTS = (lem._getLemmaDict(), lem._getOverridesDict())
        except Exception:  # another lemminflect: ask it every time
            _LEMMA_DICTS = ()
    if not _LEMMA_DICTS:
        return None
    return any(w in d for d in _LEMMA_DICTS)


_LEMMA_DICTS: tuple | None = None


def _build_key(word: str) -> str:
    """:func:`doc_key` for an index build: the same key, a word lemminflect does not know
    answered without it and without filling doc_key's caches (a build sees each form once)."""
    w = normalise(word)
    if w and w.isalpha() and _lemma_known(w) is False:
        return w
    return _lemmas(w)[0]


class _Vocabulary:
    """The surface forms a build has seen, each with its key hash and surface hash, so that a
    form is hashed once per build, not once per occurrence. At most ``limit`` forms are kept;
    beyond that it starts afresh (a build's memory stays bounded)."""

    def __init__(self, limit: int = 1_000_000):
        self.limit = limit
        self.clear()

    def clear(self) -> None:
        self.row: dict[str, int] = {}
        self.key = np.zeros(1024, np.uint64)
        self.surf = np.zeros(1024, np.uint32)

    def rows(self, forms: set[str]) -> np.ndarray:
        """The rows of distinct ``forms`` (in the set's order), new ones hashed and added."""
        new = forms.difference(self.row)
        if len(self.row) + len(new) > self.limit:
            self.clear()
            new = forms
        if new:
            n0 = len(self.row)
            n1 = n0 + len(new)
            if n1 > len(self.key):
                size = max(n1, 2 * len(self.key))
                self.key = np.resize(self.key, size)
                self.surf = np.resize(self.surf, size)
            new = list(new)
            self.key[n0:n1] = [_key_digest(_build_key(w)) for w in new]
            self.surf[n0:n1] = [_surface_digest(w) for w in new]
            self.row.update(zip(new, range(n0, n1)))
        return np.fromiter(map(self.row.__getitem__, forms), dtype=np.int64, count=len(forms))


_VOCAB = _Vocabulary()
_VOCAB_LOCK = threading.Lock()


def batch_signature(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The words of a batch of source texts (all texts' words one after the other) as numbers of
    distinct surface forms: ``(key, surf, form, lens)``, where word ``i`` has key hash
    ``key[form[i]]`` (uint64) and surface hash ``surf[form[i]]`` (uint32), as
    :func:`doc_signature` gives them, and ``lens`` is the number of words per text."""
    findall = WORD_RE.findall
    per_text = [findall(t) for t in texts]
    lens = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
    words = list(itertools.chain.from_iterable(per_text))
    forms = set(words)
    with _VOCAB_LOCK:  # (builds in threads of one process would otherwise race on its arrays)
        rows = _VOCAB.rows(forms)
        key, surf = _VOCAB.key[rows], _VOCAB.surf[rows]
    # each word's form through a dictionary of this batch's forms only: a look-up in the whole
    # vocabulary (up to a million forms, far beyond the CPU caches) cost twice as much
    number = dict(zip(forms, range(len(forms))))
    form = np.fromiter(map(number.__getitem__, words), dtype=np.int64, count=len(words))
    return key, surf, form, lens


def doc_signature(text: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Per-token key hashes (uint64), surface hashes (uint32) and tokens of a source text."""
    toks = tokenize(text)
    kh = key_hash
    sh = surface_hash
    keys = np.fromiter((kh(t.text) for t in toks), dtype=np.uint64, count=len(toks))
    surf = np.fromiter((sh(t.text) for t in toks), dtype=np.uint32, count=len(toks))
    return keys, surf, toks


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


def _flag_weights(flags: np.ndarray) -> np.ndarray:
    return np.where(flags & 4, W_WORDNET,
                    np.where((flags & 3) == 3, W_MUTUAL, np.where(flags & 1, W_HEAD, W_REVERSE)))


class _TermTable:
    """Per lexicon term: the key hash it is matched under (for a multi-word term, that of its last
    content word), whether it is multi-word, and its prior share as an original
    (frequency / number of terms that list it). Computed once (a few seconds) and cached on disk."""

    def __init__(self):
        from ..lang.lexicon import get_lexicon

        lex = get_lexicon()
        fp = hashlib.blake2b(digest_size=8)
        fp.update(str(len(lex.terms)).encode())
        fp.update("\n".join(lex.terms[::97]).encode())
        fp.update(np.ascontiguousarray(lex.dst[::101]).tobytes())
        name = f"trace-terms-a{ANALYZER_VERSION}-{fp.hexdigest()}.npz"
        path = os.path.join(cache_dir(), name)
        data = None
        try:
            with np.load(path) as z:
                data = {k: z[k] for k in ("hash", "multi", "share", "prior")}
            if len(data["hash"]) != len(lex.terms):
                data = None
        except (OSError, ValueError, KeyError):
            data = None
        if data is None:
            data = self._compute(lex)
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                tmp = f"{path}.{os.getpid()}.tmp.npz"
                np.savez(tmp, **data)
                os.replace(tmp, path)
            except OSError:
                pass  # no writable cache: recompute next time
        self.hash = data["hash"]
        self.multi = data["multi"]
        self.share = data["share"]
        self.prior = data["prior"]
        for h, pr in zip(self.hash.tolist(), data["prior"].tolist()):
            if h and h not in PRIOR:
                PRIOR[h] = pr

    @staticmethod
    def _compute(lex) -> dict:
        from wordfreq import word_frequency

        n = len(lex.terms)
        hashes = np.zeros(n, dtype=np.uint64)
        multi = np.zeros(n, dtype=bool)
        prior = np.zeros(n, dtype=np.float64)
        freq = np.zeros(n, dtype=np.float64)
        for i, term in enumerate(lex.terms):
            if " " in term:
                parts = [w for w in term.split() if w not in STOPWORDS and w.isalpha()]
                if not parts:
                    continue
                word = parts[-1]
                multi[i] = True
            else:
                word = term
            key = doc_key(word)
            h = h64(key)
            hashes[i] = h
            prior[i] = PRIOR[h]
            freq[i] = word_frequency(key, "en") if key.isalpha() else 1e-6
        deg = np.bincount(lex.dst, minlength=n)
        share = np.maximum(freq, 1e-8) / np.maximum(deg, 1)
        return {"hash": hashes, "multi": multi, "share": share, "prior": prior}


@functools.lru_cache(maxsize=1)
def term_table() -> _TermTable:
    return _TermTable()


def original_share(key: str) -> float:
    """Unnormalised prior that a spinner's output word came from original ``key``: common words
    are more often the original, and a word with many synonyms spreads its swaps over all of
    them (frequency / number of thesaurus neighbours)."""
    from ..lang.lexicon import get_lexicon

    i = get_lexicon().index.get(key)
    if i is not None and not term_table().multi[i]:
        return float(term_table().share[i])
    from wordfreq import word_frequency

    f = word_frequency(key, "en") if key.isalpha() else 1e-6
    return max(f, 1e-8)


_EMPTY = (np.zeros(0, np.uint64), np.zeros(0, np.float32), np.zeros(0, np.float64), np.zeros(0, np.float64))


def _combine(parts: list[tuple[np.ndarray, ...]]):
    """Concatenate (hash, weight, share, prior) arrays; keep each hash once, at its best weight."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _EMPTY
    h = np.concatenate([p[0] for p in parts])
    w = np.concatenate([p[1] for p in parts]).astype(np.float32)
    sh = np.concatenate([p[2] for p in parts])
    pr = np.concatenate([p[3] for p in parts])
    keep = h != 0
    h, w, sh, pr = h[keep], w[keep], sh[keep], pr[keep]
    order = np.lexsort((h, -w))
    h, w, sh, pr = h[order], w[order], sh[order], pr[order]
    _, first = np.unique(h, return_index=True)
    first.sort()
    first = first[:MAX_ALTERNATIVES]
    return h[first], w[first], sh[first], pr[first]


def _one(key: str, weight: float):
    h = h64(key)
    return (np.array([h], np.uint64), np.array([weight], np.float32),
            np.array([original_share(key)], np.float64), np.array([PRIOR[h]], np.float64))


@functools.lru_cache(maxsize=1)
def _blocked_keys() -> np.ndarray:
    """Keys that are blocked words: a term the lexicon lets through may be matched under one
    ("pooped" under "poop"), which :func:`readable_alternatives` would then show."""
    from ..lang.lexicon import shipped_blocklist

    return np.array(sorted(h64(w) for w in shipped_blocklist() if " " not in w), dtype=np.uint64)


@functools.lru_cache(maxsize=1)
def _blocked_terms() -> np.ndarray:
    """Per lexicon term, whether it is matched under a blocked key: once for the whole table (a
    set test per word expanded cost about a third of a new word's expansion)."""
    return np.isin(term_table().hash, _blocked_keys())


def _lexicon_originals(term: str, cap: float = 1.0):
    from ..lang.lexicon import get_lexicon

    lex = get_lexicon()
    rel = lex.relations(term)
    if rel is None:
        return _EMPTY
    dst, flags = rel
    tt = term_table()
    unfit = _blocked_terms()[dst]
    if unfit.any():
        dst, flags = dst[~unfit], flags[~unfit]
    w = _flag_weights(flags.astype(np.int64))
    w = np.where(tt.multi[dst], np.minimum(w, W_MULTI), w)
    return tt.hash[dst], np.minimum(w, cap).astype(np.float32), tt.share[dst], tt.prior[dst]


@functools.lru_cache(maxsize=100_000)
def word_alternatives(word: str):
    """Key hashes the original of a (possibly spun) ``word`` may have: arrays ``(hash, weight,
    share)``, best weight first. The word's own lemmas weigh 1.0."""
    w = normalise(word)
    lemmas = _lemmas(w)
    parts = [_one(w, W_SAME)] + [_one(lemma, W_SAME) for lemma in lemmas]
    if w in _NUMBERS:
        parts.append(_one(_NUMBERS[w], W_NUMBER))
    elif w in _DIGITS:
        parts.append(_one(_DIGITS[w], W_NUMBER))
    if w in SPINNER_PHRASES and " " not in SPINNER_PHRASES[w]:
        parts.append(_one(SPINNER_PHRASES[w], W_PHRASE))
    if w.isalpha():
        for term in dict.fromkeys((w,) + lemmas):
            parts.append(_lexicon_originals(term))
    return _combine(parts)


@functools.lru_cache(maxsize=50_000)
def phrase_alternatives(phrase: str):
    """Key hashes a multi-word spun ``phrase`` (lower-case, single spaces) may stand for."""
    from ..lang.lexicon import get_lexicon

    parts = []
    if phrase in SPINNER_PHRASES:
        for word in SPINNER_PHRASES[phrase].split():
            if word not in STOPWORDS or " " not in SPINNER_PHRASES[phrase]:
                parts.append(_one(doc_key(word), W_PHRASE))
    if phrase in get_lexicon():
        parts.append(_lexicon_originals(phrase))
    return _combine(parts)


def readable_alternatives(word: str) -> list[tuple[str, float]]:
    """For people and tests: the lexicon terms behind :func:`word_alternatives` (slow)."""
    from ..lang.lexicon import get_lexicon

    lex = get_lexicon()
    h, w, _, _ = word_alternatives(word)
    weight = dict(zip(h.tolist(), w.tolist()))
    names: dict[int, str] = {}
    for term in [normalise(word), *_lemmas(normalise(word))]:
        names.setdefault(h64(doc_key(term)), doc_key(term))
        for orig, _f in lex.originals(term):
            k = doc_key(orig.split()[-1]) if " " in orig else doc_key(orig)
            names.setdefault(h64(k), k)
    return sorted(((names.get(x, f"#{x:x}"), round(weight[x], 3)) for x in weight), key=lambda kv: (-kv[1], kv[0]))


@functools.lru_cache(maxsize=1)
def _phrase_heads() -> tuple[frozenset[str], frozenset[str]]:
    """First words of multi-word lexicon/spinner phrases, and every word prefix of two or more
    words of those phrases (the phrases themselves included): a query looks a longer span up
    only while it is still the start of some phrase (before, every span of up to the longest
    phrase's 16 words after a head word: most of a cached query's expansion time)."""
    from ..lang.lexicon import get_lexicon

    lex = get_lexicon()
    phrases = [t for t in lex.terms if " " in t] + [p for p in SPINNER_PHRASES if " " in p]
    heads = frozenset(p.split(" ", 1)[0] for p in phrases)
    prefixes = set()
    for p in phrases:
        words = p.split(" ")
        for n in range(2, len(words) + 1):
            prefixes.add(" ".join(words[:n]))
    return heads, frozenset(prefixes)


class QueryAlternatives:
    """The expanded query: parallel arrays of (alternative key hash, query token, weight, share)."""

    __slots__ = ("tokens", "exact", "surface", "alt_hash", "alt_tok", "alt_w", "alt_share", "alt_prior")

    def __init__(self, tokens, exact, alt_hash, alt_tok, alt_w, alt_share, alt_prior):
        self.tokens = tokens
        self.exact = exact          # uint64 per token: the token's own key hash
        self.surface = np.fromiter((surface_hash(t.text) for t in tokens), dtype=np.uint32, count=len(tokens))
        self.alt_hash = alt_hash    # uint64 per alternative
        self.alt_tok = alt_tok      # int32: the query token it stands for
        self.alt_w = alt_w          # float32: relation weight (1.0: the word itself)
        self.alt_share = alt_share  # float64: prior share as an original (:func:`original_share`)
        self.alt_prior = alt_prior  # float64: general-English passage probability (:data:`PRIOR`)


def expand_query(text: str, extra: dict[int, list[str]] | None = None, tokens=None) -> QueryAlternatives:
    """Expand a query text into weighted alternatives per token.

    ``extra`` maps a token index to additional candidate originals (e.g. from restoration),
    weighted like a WordNet synonym.
    """
    toks = tokenize(text) if tokens is None else tokens
    lows = [normalise(t.text) for t in toks]
    heads, prefixes = _phrase_heads()
    term_table()
    parts: list[tuple] = []
    tok_parts: list[np.ndarray] = []
    exact = np.fromiter((key_hash(t.text) for t in toks), dtype=np.uint64, count=len(toks))
    for i, low in enumerate(lows):
        alt = word_alternatives(low)
        if extra and i in extra:
            alt = _combine([alt] + [_one(doc_key(term), W_WORDNET) for term in extra[i]])
        parts.append(alt)
        tok_parts.append(np.full(len(alt[0]), i, np.int32))
        if low in heads:
            span = low
            for n in range(2, len(lows) - i + 1):
                span = span + " " + lows[i + n - 1]
                if span not in prefixes:
                    break
                alt = phrase_alternatives(span)
                if not len(alt[0]):
                    continue
                for j in range(i, i + n):
                    parts.append(alt)
                    tok_parts.append(np.full(len(alt[0]), j, np.int32))
    if not parts:
        return QueryAlternatives(toks, exact, *_EMPTY[:1], np.zeros(0, np.int32), *_EMPTY[1:])
    return QueryAlternatives(
        toks,
        exact,
        np.concatenate([p[0] for p in parts]),
        np.concatenate(tok_parts),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]),
    )
