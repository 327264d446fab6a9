"""The rare-synonym scan: what the detector knows about each word token.

Every content word is compared, in its 3-gram context (two words each side), with its most
common thesaurus neighbours and PPDB's best paraphrases of it, re-inflected like it
(:class:`Scanner`); :func:`token_features`
turns that evidence into the token model's features, and :class:`Analysis` holds a document's
tokens, evidence and fingerprint hits for the document model.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..lang.lexicon import MOBY_HEAD_LISTS_SPUN, WORDNET_SYNONYM, get_lexicon
from ..lang.lm import OOV_LOGP, TO_LN, get_lm, lm_form
from ..lang.morph import content_analyses, inflect_tag
from ..lang.tokenize import Token, is_sentence_initial, joinable, sentence_spans
from ..lang.words import CONTRACTIONS, FUNCTION_WORDS

# Words the scan never questions on its own (restoration may still edit them).
# ("s" and "t" never reach it: the tokenizer keeps contractions whole, and they are listed.)
STOP = (FUNCTION_WORDS - {"s", "t"}) | CONTRACTIONS
MAX_CANDIDATES = 8          # most common thesaurus neighbours of a phrase scored in its place
# A word is scored against its WORD_CANDIDATES most common thesaurus neighbours and PPDB's
# PPDB_CANDIDATES best paraphrases of it (and of its lemma, inflected like it). Eight thesaurus
# neighbours alone held the original of 47 % of wild-dev's one-word swaps and 25 % of a
# PPDB-style spinner's; five and three hold 64 % and 60 %, for as many candidates a word (7.3
# against 7.2 in clean and spun test documents, so the scan costs about the same):
# docs/detect.md, "PPDB in the scan".
WORD_CANDIDATES = 5
PPDB_CANDIDATES = 3
PPDB_LINK = 1 << 6          # a candidate's flag: PPDB proposes it (lexicon flags use the low bits)
_GAIN_CLIP = (-8.0, 14.0)


@dataclass(slots=True)
class TokenEvidence:
    """What the scan knows about one word token."""

    index: int
    token: Token
    sentence: int
    form: str = ""             # the word as the 3-gram sees it (lower case; numbers as "one"/"two")
    eligible: bool = False
    gain: float = 0.0          # best 3-gram gain (nats) of a thesaurus neighbour over the word, in context
    lse_gain: float = 0.0      # the same for all neighbours together (log-sum-exp)
    freq_gain: float = 0.0     # unigram log-frequency of the best neighbour minus the word's
    rarity: float = 0.0        # -ln P(word) (unigram)
    surprisal: float = 0.0     # -ln P(word | two previous words)
    flags: int = 0
    best: str = ""             # best neighbour: the scan's guess at the original
    has_candidate: bool = False
    fingerprint: object = None  # fingerprints.Hit covering the token
    p: float = 0.0              # P(token is a substitution | the text is spun), token model


@dataclass(slots=True)
class PhraseEvidence:
    """A multi-word thesaurus term in the text (a phrase expansion's trace: "make use of" for
    "use") and how much better its best one-word neighbour reads in its place."""

    first: int       # index of its first token
    length: int      # its tokens
    gain: float      # 3-gram gain (nats) of the best one-word neighbour over the phrase, in context
    best: str        # that neighbour: the likely original


class Scanner:
    """Rare-synonym scan: each content word against its most common thesaurus neighbours and
    PPDB's best paraphrases of it, in context."""

    def __init__(self, lm=None, lexicon=None, ppdb=None):
        self.lm = lm or get_lm()
        self.lex = lexicon or get_lexicon()
        self._ppdb = ppdb
        self._unigram: np.ndarray | None = None
        self._cands: dict[str, tuple] = {}
        self._uni: dict[str, float] = {}
        self._phrase_cands: dict[str, tuple] = {}
        self._phrase_first: dict[str, tuple] = {}

    def _arrays(self) -> np.ndarray:
        if self._unigram is None:
            lm = self.lm
            u = np.full(len(self.lex.terms), -np.inf)
            for i, t in enumerate(self.lex.terms):
                if " " not in t and "-" not in t and lm.known(t):
                    u[i] = lm.unigram(t)
            self._unigram = u
        return self._unigram

    def unigram(self, w: str) -> float:
        v = self._uni.get(w)
        if v is None:
            if len(self._uni) > 200_000:
                self._uni.clear()  # bounded on endless streams (~100 B an entry)
            v = self._uni[w] = self.lm.unigram(w)
        return v

    def _top(self, term: str, limit: int = MAX_CANDIDATES) -> list[tuple[str, int]]:
        """Most common single-word terms that ``term`` may have replaced, with relation flags."""
        lex = self.lex
        rel = lex.relations(term)
        if rel is None:
            return []
        u = self._arrays()
        dst, fl = rel
        if not len(dst):
            return []
        uu = u[dst]
        order = np.argsort(-uu, kind="stable")[:limit]
        order = order[np.isfinite(uu[order])]  # whole arrays: numpy scalars one by one cost more
        terms = lex.terms
        return [(terms[i], f) for i, f in zip(dst[order].tolist(), fl[order].tolist())]

    def candidates(self, w: str) -> tuple:
        """((candidate form, flags), ...) for a lower-case word form, inflected like it (cached;
        read from the precomputed form data where it holds the form)."""
        c = self._cands.get(w)
        if c is not None:
            return c
        fd = self.formdata
        c = fd.scan_candidates(w) if fd is not None else None
        if c is None:
            c = self.compute_candidates(w)
        if len(self._cands) > 50_000:
            self._cands.clear()  # bounded on endless streams (~0.6 KB an entry: ~30 MB)
        self._cands[w] = c
        return c

    @functools.cached_property
    def formdata(self):
        """The precomputed form data, if its scan section was built from this scanner's
        resources (the shipped lexicon, PPDB table and 3-gram) with these limits; else None.
        Assign None to compute every form."""
        from ..lang.formdata import get_formdata, pocketsphinx_version, shipped_sha256

        fd = get_formdata()
        if fd is None or not (getattr(self.lm, "shipped", False) and getattr(self.lex, "shipped", False)
                              and getattr(self.ppdb, "shipped", False)):
            return None
        want = {"word_candidates": WORD_CANDIDATES, "ppdb_candidates": PPDB_CANDIDATES,
                "ppdb_sha256": shipped_sha256("ppdb.npz"), "pocketsphinx": pocketsphinx_version()}
        return fd if fd.header.get("scan") == want else None

    def compute_candidates(self, w: str) -> tuple:
        """:meth:`candidates`, always computed (what ``tools/build/build_formdata.py`` stores)."""
        found: dict[str, int] = {}
        for t, f in self._top(w, WORD_CANDIDATES):
            if t != w:
                found[t] = found.get(t, 0) | f
        known = self.lm.known
        for lemma, tags in content_analyses(w):
            for t, f in self._top(lemma, WORD_CANDIDATES):
                for tag in tags:
                    form = inflect_tag(t, tag)
                    if form and form != w and known(form):
                        found[form] = found.get(form, 0) | f
                        break
        if len(found) > WORD_CANDIDATES:
            best = sorted(found, key=lambda t: -self.unigram(t))[:WORD_CANDIDATES]
            found = {t: found[t] for t in best}
        for t in self._ppdb_links(w):
            found[t] = found.get(t, 0) | PPDB_LINK
        return tuple(found.items())

    @property
    def ppdb(self):
        if self._ppdb is None:
            from ..lang.ppdb import get_ppdb

            self._ppdb = get_ppdb()
        return self._ppdb

    def _ppdb_links(self, w: str) -> list[str]:
        """PPDB's best one-word paraphrases of ``w``, and of its lemmas inflected like it, that
        the 3-gram knows (at most :data:`PPDB_CANDIDATES` from each)."""
        table = self.ppdb
        known = self.lm.known
        out: list[str] = []

        def take(t: str):
            if t != w and t not in out and " " not in t and "-" not in t and known(t):
                out.append(t)

        if w in table:
            for link in table.links(w, limit=PPDB_CANDIDATES):
                take(link.original)
        for lemma, tags in content_analyses(w):  # (lemmas other than w itself)
            if lemma in table:
                for link in table.links(lemma, limit=PPDB_CANDIDATES):
                    for tag in tags:
                        form = inflect_tag(link.original, tag)
                        if form and known(form):
                            take(form)
                            break
        return out

    def phrase_candidates(self, phrase: str) -> tuple[str, ...]:
        """One-word terms a multi-word lexicon term may have replaced, most common first (at
        most :data:`MAX_CANDIDATES`); () for anything else (cached, bounded)."""
        c = self._phrase_cands.get(phrase)
        if c is None:
            if len(self._phrase_cands) > 50_000:
                self._phrase_cands.clear()
            c = self._phrase_cands[phrase] = tuple(t for t, _ in self._top(phrase))
        return c

    def _phrase_firsts(self, form: str) -> tuple:
        """How ``form`` may begin a multi-word term: as written, or as a lemma with the tag
        to inflect a neighbour by ("made" -> ("make", "VBD")); () for most words (cached)."""
        c = self._phrase_first.get(form)
        if c is None:
            if len(self._phrase_first) > 200_000:
                self._phrase_first.clear()
            starts = self.lex.phrase_starts
            c = tuple((f, tag) for f, tag in [(form, None)] + [(lemma, tags[0]) for lemma, tags in content_analyses(form)]
                      if f in starts)
            self._phrase_first[form] = c
        return c

    def phrases(self, text: str, evidence: list[TokenEvidence]) -> list[PhraseEvidence]:
        """Multi-word thesaurus terms (2 to 4 words, the first one possibly inflected: "made
        use of") that have a one-word neighbour, each scored against its best neighbour in
        its 3-gram context. Spinners expand words into such phrases ("at the least", "in the
        event that"); writers use them too, so the document model weighs their rate and gain.
        Matches do not overlap; the longest wins."""
        lex = self.lex
        pairs = lex.phrase_pairs
        prob, known, to_ln = self.lm.raw_prob, self.lm.known, TO_LN
        forms = [ev.form or lm_form(ev.token) for ev in evidence]
        n = len(forms)
        out: list[PhraseEvidence] = []

        def lp(words: list[str], p1: str, p2: str) -> float:
            s = 0.0
            for w in words:
                s += prob([w, p1, p2]) * to_ln if known(w) else OOV_LOGP
                p2, p1 = p1, w
            return s

        first_cache = self._phrase_first
        i = 0
        while i + 1 < n:
            firsts = first_cache.get(forms[i])
            if firsts is None:
                firsts = self._phrase_firsts(forms[i])
            if firsts:
                second = forms[i + 1]
                firsts = [ft for ft in firsts if (ft[0], second) in pairs]
            if not firsts:
                i += 1
                continue
            sent = evidence[i].sentence
            found = None
            for length in (4, 3, 2):
                end = i + length
                if end > n or evidence[end - 1].sentence != sent:
                    continue
                # Is it a lexicon term at all? Cheaper to ask first than the tests of the text
                # below, which most word runs never reach.
                rest = " ".join(forms[i + 1:end])
                cands = ()
                for f, tag in firsts:
                    cands = self.phrase_candidates(f + " " + rest)
                    if tag is not None:  # "made use of": "used", not "use"
                        cands = tuple(w for w in (inflect_tag(c, tag) for c in cands) if w and known(w))
                    if cands:
                        break
                if not cands or not all(
                        joinable(text, evidence[k].token, evidence[k + 1].token) for k in range(i, end - 1)):
                    continue
                if any(_named(text, evidence[k].token) for k in range(i, end)):
                    continue  # "Prime Minister", "the 57th": spinners leave names and numbers alone
                found = (length, cands)
                break
            if found is None:
                i += 1
                continue
            length, cands = found
            p1 = forms[i - 1] if i >= 1 and evidence[i - 1].sentence == sent else "<s>"
            p2 = forms[i - 2] if i >= 2 and evidence[i - 2].sentence == sent else "<s>"
            after = [forms[k] for k in range(i + length, min(i + length + 2, n)) if evidence[k].sentence == sent]
            base = lp(forms[i:i + length] + after, p1, p2)
            gain, best = max((lp([c] + after, p1, p2) - base, c) for c in cands)
            out.append(PhraseEvidence(i, length, min(max(gain, _GAIN_CLIP[0]), _GAIN_CLIP[1]), best))
            i += length
        return out

    def scan(self, text: str, tokens: list[Token]) -> list[TokenEvidence]:
        # The hot loop of detection (measured): the raw pocketsphinx call (log base 1.0001,
        # times TO_LN for nats) and everything else bound to locals; no per-token indirection.
        lm = self.lm
        prob = lm.raw_prob
        to_ln = TO_LN
        known = lm.known
        oov = OOV_LOGP
        cand_cache = self._cands
        out: list[TokenEvidence] = []
        spans = sentence_spans(text)
        si = 0
        groups: list[list[int]] = []
        for k, t in enumerate(tokens):
            while si < len(spans) - 1 and t.start >= spans[si][1]:
                si += 1
            if not groups or out[groups[-1][0]].sentence != si:
                groups.append([])
            groups[-1].append(k)
            out.append(TokenEvidence(k, t, si))
        exp, log = math.exp, math.log
        for idx in groups:
            words = [lm_form(tokens[k]) for k in idx]
            kn = [known(x) for x in words]
            n = len(words)
            for j, k in enumerate(idx):
                ev = out[k]
                w = ev.form = words[j]
                p1 = words[j - 1] if j >= 1 else "<s>"
                p2 = words[j - 2] if j >= 2 else "<s>"
                lp = prob([w, p1, p2]) * to_ln if kn[j] else oov
                ev.surprisal = -lp
                if not _eligible(tokens[k], w, text):
                    continue
                ev.eligible = True
                uw = self.unigram(w)
                ev.rarity = -uw
                cands = cand_cache.get(w)
                if cands is None:
                    cands = self.candidates(w)
                if not cands:
                    continue
                if j + 1 < n:
                    n1, k1 = words[j + 1], kn[j + 1]
                else:
                    n1, k1 = "</s>", True
                if k1:
                    base = lp + prob((n1, w, p1)) * to_ln
                    scored = [((prob((c, p1, p2)) + prob((n1, c, p1))) * to_ln - base, c, f) for c, f in cands]
                else:
                    base = lp
                    scored = [(prob((c, p1, p2)) * to_ln - base, c, f) for c, f in cands]
                scored.sort(reverse=True)
                # The word after next, for the two best neighbours and the word itself.
                if j + 2 < n and kn[j + 2]:
                    n2 = words[j + 2]
                    bw = prob([n2, n1, w]) * to_ln
                    top = [(g + prob([n2, n1, c]) * to_ln - bw, c, f) for g, c, f in scored[:2]]
                    scored = sorted(top, reverse=True) + scored[2:]
                best_g, best_c, best_f = scored[0]
                tot = 0.0
                for g, _, _ in scored:
                    tot += exp(g if g < 30.0 else 30.0)
                ev.has_candidate = True
                ev.gain = min(max(best_g, _GAIN_CLIP[0]), _GAIN_CLIP[1])
                ev.lse_gain = min(max(log(tot), _GAIN_CLIP[0]), _GAIN_CLIP[1])
                ev.best = best_c
                ev.flags = best_f
                ev.freq_gain = self.unigram(best_c) - uw
        return out


_CONTENT: dict[str, bool] = {}


def _content_form(w: str) -> bool:
    """The part of :func:`_eligible` that depends on the word form alone (cached)."""
    v = _CONTENT.get(w)
    if v is None:
        if len(_CONTENT) > 200_000:
            _CONTENT.clear()  # bounded on endless streams
        v = _CONTENT[w] = not (len(w) < 3 or w in STOP or not w.replace("'", "").isalpha())
    return v


def _eligible(tok: Token, w: str, text: str) -> bool:
    """Does the scan question this word? Content words of three letters or more, not all
    capitals, and capitalised only at a sentence start."""
    if not _content_form(w):
        return False
    t = tok.text
    if t[:1].isupper():
        if len(t) > 1 and t.isupper():
            return False
        if not is_sentence_initial(text, tok.start):
            return False  # a name, most likely
    return True


def _named(text: str, tok: Token) -> bool:
    """A number, or a word capitalised where no sentence starts (a name, most likely)."""
    return tok.is_number or (tok.text[:1].isupper() and not is_sentence_initial(text, tok.start))


def counted(ev: TokenEvidence) -> bool:
    """Tokens the models weigh: content words, and words inside a fingerprint."""
    return ev.eligible or ev.fingerprint is not None


def token_features(ev: TokenEvidence) -> list[float]:
    """The token model's inputs (:data:`unspin.detection.model.TOKEN_FEATURES`, in order)."""
    hc = ev.has_candidate
    g = ev.gain if hc else 0.0
    lse = ev.lse_gain if hc else 0.0
    fg = max(min(ev.freq_gain, 8.0), -8.0) if hc else 0.0
    return [g, max(g - 4.0, 0.0), max(g - 8.0, 0.0), lse, max(lse - 4.0, 0.0), fg, max(g, 0.0) * max(fg, 0.0) / 8.0,
            min(ev.rarity, 14.0) if ev.eligible else 0.0, min(ev.surprisal, 16.0),
            float(bool(ev.flags & MOBY_HEAD_LISTS_SPUN)), float(bool(ev.flags & WORDNET_SYNONYM)),
            float(ev.eligible and not hc), float(ev.eligible and ev.token.text[:1].isupper())]


@dataclass
class Analysis:
    """Everything the document model sees (the fit script uses it too)."""

    text: str
    tokens: list[Token]
    evidence: list[TokenEvidence]
    hits: list
    words: int
    phrases: list | None = None  # PhraseEvidence (Detector.analyze); None: not looked for


@functools.lru_cache(maxsize=1)
def shared_scanner() -> Scanner:
    """One scanner per process: its caches (candidates, unigrams) serve every detector."""
    return Scanner()
