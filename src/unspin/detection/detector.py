"""Detect: how likely a text was produced by synonym spinning, and where.

A hit is a risk marker, not proof. ``score`` is a probability under the shipped model
(``data/detector.json``, fitted by ``tools/fit_detector.py`` on clean prose and synthetic spins of
it; figures in ``docs/detect.md``), with even prior odds: on a collection where spinning is rare,
most texts above 0.5 will still be clean. The pipeline:

1. **fingerprints** (:mod:`unspin.lang.fingerprints`): tortured phrases from the Problematic Paper
   Screener list, plus user lists;
2. **rare-synonym scan**: every content word is compared, in its 3-gram context (two words each
   side), with its most common thesaurus neighbours, re-inflected like it. A spinner's word is
   often rarer than the word it replaced, and the replaced word fits the context better ("the
   loss of life toll", "folks were killed"): the gain in log-probability of the best neighbour
   is the surprisal of the spun reading against the restored one;
3. a **token model** (logistic regression over those gains, frequencies and surprisal) gives
   each word the probability that it is a spinner's substitution, if the text is spun;
   neighbouring suspicious words form a span whose likely original is the best neighbour;
4. a **document model** (logistic regression) over a handful of document rates: two
   log-likelihood-ratio sums of the token probabilities (light and heavy spinning), the mean
   token probability, the share of words with a very large gain, the rate of rare synonyms where
   a common one fits, and the thesaurus coverage and rarity of the words (which tell technical
   prose apart). Rates are smoothed with pseudo-counts centred between the clean and spun
   training medians and the sums grow with length, so a short text carries little evidence and
   scores nearer the middle; each fingerprint hit adds a fixed log-likelihood ratio.

``restore=True`` also runs :func:`unspin.restore` on the suspicious sentences: its edits become
the spans' likely originals and evidence, and the score comes from a second document model that
adds the restoration's edit density and confidence (slower; see ``docs/detect.md``). By default
only documents the scan scores at 0.5 or more are treated so (a cascade); ``fast=True`` never.

>>> d = detect("")
>>> d.score, d.spans
(0.5, [])
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from ..errors import UnspinError
from ..lang.lexicon import MOBY_HEAD_LISTS_SPUN, MOBY_SPUN_LISTS_HEAD, WORDNET_SYNONYM, get_lexicon
from ..lang.lm import _TO_LN, OOV_LOGP, get_lm, lm_form
from ..lang.words import CONTRACTIONS, FUNCTION_WORDS, match_case
from ..results import Detection, Span, risk_label
from ..lang.tokenize import Token, is_sentence_initial, joinable, sentence_spans, tokenize

# Words the scan never questions on its own (restoration may still edit them).
# ("s" and "t" never reach it: the tokenizer keeps contractions whole, and they are listed.)
STOP = (FUNCTION_WORDS - {"s", "t"}) | CONTRACTIONS
MAX_CANDIDATES = 8          # most common thesaurus neighbours scored in context per word
MIN_SPAN_SCORE = 0.05       # spans less likely than this (document score x token probability) are not listed
_GAIN_CLIP = (-8.0, 14.0)


# ----------------------------------------------------------------------------- model file

@dataclass
class LogReg:
    names: list[str]
    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def from_dict(cls, d: dict) -> "LogReg":
        return cls(list(d["features"]), np.asarray(d["coef"], float), float(d["intercept"]),
                   np.asarray(d["mean"], float), np.asarray(d["scale"], float))

    def to_dict(self) -> dict:
        return {"features": self.names, "coef": [round(float(x), 6) for x in self.coef],
                "intercept": round(float(self.intercept), 6),
                "mean": [round(float(x), 6) for x in self.mean], "scale": [round(float(x), 6) for x in self.scale]}

    def logit(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.scale) @ self.coef + self.intercept

    def prob(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logit(X), -30, 30)))


def fit_logreg(X: np.ndarray, y: np.ndarray, names: Sequence[str], l2: float = 1.0,
               weights: np.ndarray | None = None, iters: int = 50) -> LogReg:
    """L2-regularised logistic regression by Newton's method on standardised features."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, float)
    mean = X.mean(0)
    scale = X.std(0)
    scale[scale < 1e-9] = 1.0
    Z = np.hstack([(X - mean) / scale, np.ones((len(y), 1))])
    beta = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ beta, -30, 30)))
        g = Z.T @ (w * (p - y)) + reg * beta
        H = (Z * (w * p * (1 - p))[:, None]).T @ Z + np.diag(reg) + 1e-9 * np.eye(Z.shape[1])
        step = np.linalg.solve(H, g)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return LogReg(list(names), beta[:-1], float(beta[-1]), mean, scale)


TOKEN_FEATURES = ["gain", "gain_over_4", "gain_over_8", "lse_gain", "lse_over_4", "freq_gain", "gain_x_freq",
                  "rarity", "surprisal", "moby_head", "wordnet", "no_candidate", "capital"]
DOC_FEATURES = ["glr_low", "glr_high", "tok_mean", "strong_rate", "rare_rate", "nocand_rate", "rarity_mean"]
RESTORE_FEATURES = ["edit_rate", "edit_conf"]
# Substitution rates of the two likelihood-ratio sums (light and heavy spinning).
GLR_RATES = {"glr_low": 0.05, "glr_high": 0.2}


@dataclass
class Model:
    """The shipped detector: token model, document model, smoothing, and the weight of a
    fingerprint hit (``fp_llr``: log-likelihood ratio per hit, spun vs clean, added to the
    document log-odds; fitted from hit rates, not by the regression)."""

    token: LogReg
    doc: LogReg
    priors: dict[str, float]
    pseudo: dict[str, float]
    span_threshold: float
    fp_llr: float
    info: dict
    doc_restore: LogReg | None = None  # document model with the restoration features (restore=True)
    span_low: float | None = None  # hysteresis: neighbours of a suspicious token join it from this probability
    span_gap: int = 0              # function words a span may bridge (see build_spans)
    # Learned spinner swaps per 100 words at which the cascade restores a document the scan
    # scores under 0.5: the 99th percentile on clean training prose (Detector.learned_swaps).
    swap_rate: float | None = None

    @classmethod
    def load(cls, path=None) -> "Model":
        if path is None:
            path = resources.files("unspin") / "data" / "detector.json"
        try:
            raw = path.read_text(encoding="utf-8") if hasattr(path, "read_text") else open(path, encoding="utf-8").read()
        except FileNotFoundError:
            raise UnspinError(f"detector model not found: {path} (run tools/fit_detector.py)") from None
        d = json.loads(raw)
        dr = d.get("doc_restore")
        return cls(LogReg.from_dict(d["token"]), LogReg.from_dict(d["doc"]), d["priors"], d["pseudo"],
                   float(d["span_threshold"]), float(d["fp_llr"]), d.get("info", {}),
                   LogReg.from_dict(dr) if dr else None,
                   float(d["span_low"]) if d.get("span_low") is not None else None, int(d.get("span_gap", 0)),
                   float(d["swap_rate"]) if d.get("swap_rate") is not None else None)

    def to_dict(self) -> dict:
        return {"format": "unspin-detector/3", "token": self.token.to_dict(), "doc": self.doc.to_dict(),
                "priors": self.priors, "pseudo": self.pseudo, "span_threshold": self.span_threshold,
                "span_low": self.span_low, "span_gap": self.span_gap, "swap_rate": self.swap_rate,
                "fp_llr": self.fp_llr, "doc_restore": self.doc_restore.to_dict() if self.doc_restore else None,
                "info": self.info}


@functools.lru_cache(maxsize=1)
def shipped_model() -> Model:
    return Model.load()


# ----------------------------------------------------------------------------- scan

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


class Scanner:
    """Rare-synonym scan: each content word against its most common thesaurus neighbours, in context."""

    def __init__(self, lm=None, lexicon=None):
        self.lm = lm or get_lm()
        self.lex = lexicon or get_lexicon()
        self._unigram: np.ndarray | None = None
        self._cands: dict[str, tuple] = {}
        self._uni: dict[str, float] = {}

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
            v = self._uni[w] = self.lm.unigram(w)
        return v

    def _top(self, term: str) -> list[tuple[str, int]]:
        """Most common single-word terms that ``term`` may have replaced, with relation flags."""
        lex = self.lex
        i = lex._index.get(term)
        if i is None:
            return []
        u = self._arrays()
        a, b = lex._offsets[i], lex._offsets[i + 1]
        if a == b:
            return []
        dst = lex._dst[a:b]
        uu = u[dst]
        order = np.argsort(-uu, kind="stable")[:MAX_CANDIDATES]
        fl = lex._flags[a:b]
        return [(lex.terms[int(dst[k])], int(fl[k])) for k in order if np.isfinite(uu[k])]

    def candidates(self, w: str) -> tuple:
        """((candidate form, flags), ...) for a lower-case word form, inflected like it (cached)."""
        c = self._cands.get(w)
        if c is not None:
            return c
        found: dict[str, int] = {}
        for t, f in self._top(w):
            if t != w:
                found[t] = found.get(t, 0) | f
        morph = _morph()
        known = self.lm.known
        for lemma, tags in morph.analyses(w):
            for t, f in self._top(lemma):
                for tag in tags:
                    form = morph.inflect(t, tag)
                    if form and form != w and known(form):
                        found[form] = found.get(form, 0) | f
                        break
        if len(found) > MAX_CANDIDATES:
            best = sorted(found, key=lambda t: -self.unigram(t))[:MAX_CANDIDATES]
            found = {t: found[t] for t in best}
        if len(self._cands) > 300_000:
            self._cands.clear()
        c = self._cands[w] = tuple(found.items())
        return c

    def scan(self, text: str, tokens: list[Token]) -> list[TokenEvidence]:
        lm = self.lm
        prob = lm._model.prob  # raw pocketsphinx call (log base 1.0001): the hot loop
        to_ln = _TO_LN
        known = lm.known
        oov = OOV_LOGP
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
                cands = self.candidates(w)
                if not cands:
                    continue
                if j + 1 < n:
                    n1, k1 = words[j + 1], kn[j + 1]
                else:
                    n1, k1 = "</s>", True
                base = lp + (prob([n1, w, p1]) * to_ln if k1 else 0.0)
                scored = []
                for c, f in cands:
                    sc = prob([c, p1, p2]) + (prob([n1, c, p1]) if k1 else 0)
                    scored.append((sc * to_ln - base, c, f))
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
                    tot += exp(min(g, 30.0))
                ev.has_candidate = True
                ev.gain = min(max(best_g, _GAIN_CLIP[0]), _GAIN_CLIP[1])
                ev.lse_gain = min(max(log(tot), _GAIN_CLIP[0]), _GAIN_CLIP[1])
                ev.best = best_c
                ev.flags = best_f
                ev.freq_gain = self.unigram(best_c) - uw
        return out


class _Morph:
    """Fast, cached word-form analysis and inflection from lemminflect's tables (no copies)."""

    _TAGS = {"NOUN": ("NN", "NNS"), "VERB": ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ"),
             "ADJ": ("JJ", "JJR", "JJS"), "ADV": ("RB", "RBR", "RBS")}

    def __init__(self):
        import lemminflect
        from lemminflect.core.Inflections import Inflections

        self._lemmas = lemminflect.getAllLemmas
        self._infl = Inflections()._getInflDict()
        self._an: dict[str, tuple] = {}

    def analyses(self, w: str) -> tuple:
        """((lemma, (penn tags of w)), ...) for the lemmas of ``w`` other than itself."""
        a = self._an.get(w)
        if a is not None:
            return a
        out = []
        for upos, lemmas in self._lemmas(w).items():
            tags_ok = self._TAGS.get(upos)
            if not tags_ok:
                continue
            for lemma in lemmas:
                if lemma == w:
                    continue
                d = self._infl.get(lemma)
                if not d:
                    continue
                tags = tuple(t for t in tags_ok if w in d.get(t, ()))
                if tags:
                    out.append((lemma, tags))
        if len(self._an) > 300_000:
            self._an.clear()
        a = self._an[w] = tuple(out)
        return a

    def inflect(self, lemma: str, tag: str) -> str | None:
        d = self._infl.get(lemma)
        if not d:
            return None
        forms = d.get(tag)
        return forms[0] if forms else None


@functools.lru_cache(maxsize=1)
def _morph() -> _Morph:
    return _Morph()


def _eligible(tok: Token, w: str, text: str) -> bool:
    if len(w) < 3 or w in STOP or not w.replace("'", "").isalpha():
        return False
    t = tok.text
    if t[:1].isupper():
        if len(t) > 1 and t.isupper():
            return False
        if not is_sentence_initial(text, tok.start):
            return False  # a name, most likely
    return True


def _counted(ev: TokenEvidence) -> bool:
    """Tokens the models weigh: content words, and words inside a fingerprint."""
    return ev.eligible or ev.fingerprint is not None


# ----------------------------------------------------------------------------- detector

def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-min(z, 50.0)))
    e = math.exp(max(z, -50.0))
    return e / (1.0 + e)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def token_features(ev: TokenEvidence) -> list[float]:
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


class Detector:
    """A configured detection pipeline (build once, reuse).

    ``fingerprints``: use the shipped fingerprint list; ``fingerprint_files``: extra lists (same
    JSON shape); ``restore``: also run :func:`unspin.restore` on the sentences holding spans, to
    give their likely original and the restoration as evidence, and score the document with the
    model that adds restoration's edit density and confidence (slower, for every document);
    ``restorer``: a custom :class:`unspin.restoration.restorer.Restorer` for that. ``escalate``: without
    ``restore``, a document whose fast score reaches this, but stays under ``settled``, is
    scored again with restoration (the cascade of the default mode: the slow evidence only
    where a flag is at stake), as is one scored under ``escalate`` that holds more learned
    spinner swaps per 100 words than the model's ``swap_rate`` (:meth:`learned_swaps`);
    ``escalate=None`` keeps every document on the fast scan, ``settled=None`` escalates every
    document from ``escalate`` up.
    """

    # Fast scores at or above this are re-scored with restoration: the flagging threshold's
    # default, chosen a priori (documents the scan finds clean are not flagged either way).
    ESCALATE_AT = 0.5
    # ... and below this: a document the scan scores at 0.99 or more is flagged whatever
    # restoration adds (on the test split restoration moved none of the 264 such documents
    # below 0.9; a round number, docs/detect.md says how it was picked). Its spans keep the
    # scan's likely originals.
    SETTLED_AT = 0.99

    def __init__(self, *, fingerprints: bool = True, fingerprint_files: Iterable[str] = (),
                 restore: bool = False, model: Model | None = None, restorer=None,
                 escalate: float | None = ESCALATE_AT, settled: float | None = SETTLED_AT):
        from ..lang.fingerprints import get_matcher

        self.fingerprint_files = tuple(str(p) for p in fingerprint_files)
        self.use_fingerprints = fingerprints
        self.matcher = get_matcher(self.fingerprint_files, builtin=fingerprints)
        self.restore = bool(restore)
        self.escalate = escalate
        self.settled = settled
        self._swap_index = None
        self._model = model
        self._restorer = restorer
        self.scanner = _shared_scanner()

    @property
    def model(self) -> Model:
        if self._model is None:
            self._model = shipped_model()
        return self._model

    @property
    def restorer(self):
        if self._restorer is None:
            from ..restoration.restorer import RestoreConfig, get_restorer

            self._restorer = get_restorer(RestoreConfig(fingerprints=self.use_fingerprints))
        return self._restorer

    # -- analysis ------------------------------------------------------------------------
    def analyze(self, text: str) -> Analysis:
        tokens = tokenize(text)
        hits = self.matcher.find(text) if len(self.matcher) else []
        evidence = self.scanner.scan(text, tokens)
        if hits:
            _attach(evidence, hits)
        if evidence:
            X = np.array([token_features(ev) for ev in evidence])
            P = self.model.token.prob(X) * np.array([_counted(ev) for ev in evidence], float)
            for ev, p in zip(evidence, P.tolist()):
                ev.p = p
        return Analysis(text, tokens, evidence, hits, len(tokens))

    def raw_rates(self, a: Analysis) -> dict[str, float]:
        """Unsmoothed sums and counts behind the document features.

        ``glr_*``: sum over counted words of ln(1 - r + r * LR), LR being the word's likelihood
        ratio (substitution vs not) from the token model: the log-likelihood ratio of "a share r
        of the words were substituted" against "none were". Evidence adds up with length.
        """
        base = self.model.priors.get("token_base", 0.2)
        base_odds = base / (1.0 - base)
        n = 0
        sp = strong = rare = nocand = rarity = 0.0
        glr = {k: 0.0 for k in GLR_RATES}
        for ev in a.evidence:
            if not _counted(ev):
                continue
            n += 1
            p = min(max(ev.p, 1e-4), 1 - 1e-4)
            sp += p
            lr = (p / (1.0 - p)) / base_odds
            for k, r in GLR_RATES.items():
                glr[k] += math.log(1.0 - r + r * lr)
            rarity += min(ev.rarity, 14.0)
            if ev.has_candidate:
                strong += ev.gain >= 8.0
                rare += ev.freq_gain > 1.0 and ev.gain > 0.0
            else:
                nocand += 1
        out = {"n": n, "tok_mean": sp, "strong_rate": strong, "rare_rate": rare, "nocand_rate": nocand,
               "rarity_mean": rarity, "hits": len(a.hits), "words": a.words}
        out.update(glr)
        return out

    def doc_features(self, a: Analysis) -> dict[str, float]:
        m = self.model
        r = self.raw_rates(a)
        pri, pc = m.priors, m.pseudo
        k = pc["tokens"]
        n = r["n"]
        f = {key: r[key] / 10.0 for key in GLR_RATES}
        for key in ("tok_mean", "strong_rate", "rare_rate", "nocand_rate"):
            f[key] = _logit((r[key] + k * pri[key]) / (n + k))
        f["rarity_mean"] = (r["rarity_mean"] + k * pri["rarity_mean"]) / (n + k)
        f["fp_hits"] = float(len(a.hits))
        return f

    def score(self, f: dict[str, float]) -> float:
        """P(spun): the document model's log-odds plus ``fp_llr`` per fingerprint hit."""
        doc = self.model.doc
        if "edit_rate" in f and self.model.doc_restore is not None:
            doc = self.model.doc_restore
        z = float(doc.logit(np.array([[f[k] for k in doc.names]]))[0]) + self.model.fp_llr * f.get("fp_hits", 0.0)
        return _sigmoid(z)

    # -- public --------------------------------------------------------------------------
    def detect(self, text: str) -> Detection:
        if not isinstance(text, str):
            raise TypeError("detect() takes a str")
        if not text.strip():
            return Detection(0.5, [], 0, {}, "full", note="empty text: no evidence either way")
        a = self.analyze(text)
        f = self.doc_features(a)
        edits = None
        thorough = self.restore
        if not thorough and self.escalate is not None and self.model.doc_restore is not None:
            fast = self.score(f)
            thorough = fast >= self.escalate and (self.settled is None or fast < self.settled)
            if fast < self.escalate and self.model.swap_rate is not None:
                # The scan is blind to swaps of common words and function words ("within" for
                # "in", "have been" for "were"); a spinner's known habits, dense beyond what
                # clean prose shows, call for restoration too.
                n = self.learned_swaps(a)
                thorough = n >= self.MIN_SWAPS and 100.0 * n / max(a.words, 1) >= self.model.swap_rate
        if thorough:
            edits = self.restore_edits(a)
            if self.model.doc_restore is not None:
                f.update(self.restore_features(a, [ed.confidence for _, _, ed in edits]))
        score = self.score(f)
        spans = [sp for sp in build_spans(a, self.model.span_threshold, score, self.model.span_low,
                                             self.model.span_gap) if sp.score >= MIN_SPAN_SCORE]
        if edits:
            spans = self._refine(a, spans, score, edits)
        return Detection(score, spans, a.words, f, "full", _short_note(a.words), restored=edits is not None)

    # -- restoration ---------------------------------------------------------------------
    def gated_sentences(self, a: Analysis) -> list[tuple[int, int]]:
        """Sentences restoration runs on: those holding a word at or above the span threshold
        or a fingerprint hit (restoration is the slow part; clean sentences are skipped)."""
        thr = self.model.span_threshold
        idx = sorted({ev.sentence for ev in a.evidence if ev.p >= thr or ev.fingerprint is not None})
        sent = sentence_spans(a.text)
        return [sent[i] for i in idx if i < len(sent)]

    # A learned swap counts when the 3-gram prefers the original by this much (nats) in context.
    SWAP_GAIN = 2.0
    # ... and the trigger needs this many of them: the rate alone lets one chance hit in a
    # short text decide (in texts of 100 words or more, the fitted rate implies 3 anyway).
    MIN_SWAPS = 3

    def learned_swaps(self, a: Analysis) -> int:
        """Positions where a swap of the restorer's learned substitution table (real spinners'
        habits) reads better undone: the 3-gram scores the original, with the two words before
        and after, at least ``SWAP_GAIN`` nats above the text as it is. 0 without a table."""
        gen = self.restorer.generator
        table = gen.table
        if table is None:
            return 0
        prefixes = self._swap_prefixes(table)
        lm = self.restorer.decoder.lm
        toks = a.tokens
        words = [ev.form for ev in a.evidence]
        text = a.text
        hits = 0
        for i, w in enumerate(words):
            if (w,) not in prefixes:
                continue  # most words start no learned swap
            p1 = words[i - 1] if i >= 1 else "<s>"
            p2 = words[i - 2] if i >= 2 else "<s>"
            for n in range(1, gen.max_words + 1):
                if i + n > len(words) or (n > 1 and not joinable(text, toks[i + n - 2], toks[i + n - 1])):
                    break
                spun = tuple(words[i:i + n])
                if spun not in prefixes:
                    break
                origs = table.lookup(spun)
                if not origs:
                    continue
                follow = words[i + n:i + n + 2]
                base = lm.sequence(list(spun) + follow, p1, p2)
                if any(lm.sequence(list(o) + follow, p1, p2) - base >= self.SWAP_GAIN for o, _ in origs):
                    hits += 1
                    break
        return hits

    def _swap_prefixes(self, table) -> frozenset:
        """Every leading part of the table's spun sides (cached per table)."""
        got = self._swap_index
        if got is None or got[0] is not table:
            got = self._swap_index = (table, frozenset(k[:m] for k in table.spun_sides() for m in range(1, len(k) + 1)))
        return got[1]

    def restore_edits(self, a: Analysis) -> list[tuple[int, int, object]]:
        """(start, end, Edit) of :func:`unspin.restore` on the gated sentences, in text offsets."""
        out = []
        restorer = self.restorer
        for s, e in self.gated_sentences(a):
            sub = a.text[s:e]
            if sub.strip():
                out.extend((ed.start + s, ed.end + s, ed) for ed in restorer.restore(sub).edits)
        return out

    def restore_features(self, a: Analysis, confidences: list[float]) -> dict[str, float]:
        """Restoration edit density (per counted word) and mean confidence, smoothed."""
        m = self.model
        k = m.pseudo["tokens"]
        n = sum(1 for ev in a.evidence if _counted(ev))
        pr, pc = m.priors.get("edit_rate", 0.02), m.priors.get("edit_conf", 0.8)
        ne = len(confidences)
        return {"edit_rate": _logit((ne + k * pr) / (n + k)),
                "edit_conf": (sum(confidences) + k * pr * pc) / (ne + k * pr)}

    def detect_fingerprints(self, text: str) -> Detection:
        """Fingerprint-only mode: fast, and blind to spins that use no listed phrase."""
        if not isinstance(text, str):
            raise TypeError("detect() takes a str")
        if not text.strip():
            return Detection(0.5, [], 0, {}, "fingerprints", note="empty text: no evidence either way")
        words = _count_words(text)
        hits = self.matcher.find(text) if len(self.matcher) else []
        # No hit is no evidence either way (the list misses most spins): 0.5, moved by each hit.
        score = _sigmoid(self.model.fp_llr * len(hits))
        spans = [Span(h.start, h.end, h.tortured, h.correct, score,
                      [{"kind": "fingerprint", "list": h.source, "entry": h.entry, "correct": h.correct}])
                 for h in hits]
        return Detection(score, spans, words, {"fp_hits": float(len(hits))}, "fingerprints", _short_note(words))

    def _refine(self, a: Analysis, spans: list[Span], score: float, edits) -> list[Span]:
        """Use restoration edits as the spans' likely originals and as evidence."""
        text = a.text
        out = []
        used = set()
        for sp in spans:
            inside = [(s, e, ed) for s, e, ed in edits if s < sp.end and e > sp.start]
            if not inside:
                out.append(sp)
                continue
            lo = min(sp.start, min(s for s, _, _ in inside))
            hi = max(sp.end, max(e for _, e, _ in inside))
            pieces, pos = [], lo
            for s, e, ed in sorted(inside, key=lambda x: x[0]):
                pieces.append(text[pos:s])
                pieces.append(ed.original)
                pos = e
                used.add(id(ed))
            pieces.append(text[pos:hi])
            ev = list(sp.evidence) + [{"kind": "restoration", "spun": ed.spun, "original": ed.original,
                                       "confidence": ed.confidence, "sources": list(ed.evidence)}
                                      for _, _, ed in inside]
            out.append(Span(lo, hi, text[lo:hi], "".join(pieces), sp.score, ev))
        for s, e, ed in edits:
            if id(ed) not in used and ed.confidence >= 0.9 and not any(s < x.end and e > x.start for x in out):
                out.append(Span(s, e, text[s:e], ed.original, score * ed.confidence * 0.5,
                                [{"kind": "restoration", "spun": ed.spun, "original": ed.original,
                                  "confidence": ed.confidence, "sources": list(ed.evidence)}]))
        out.sort(key=lambda x: x.start)
        merged: list[Span] = []
        for sp in out:
            if merged and sp.start < merged[-1].end:
                continue
            merged.append(sp)
        return merged


def _token_at(a: Analysis, pos: int) -> int:
    import bisect

    starts = [t.start for t in a.tokens]
    return max(0, bisect.bisect_right(starts, pos) - 1)


def _count_words(text: str) -> int:
    from ..lang.tokenize import WORD_RE

    return sum(1 for _ in WORD_RE.finditer(text))


def _short_note(words: int) -> str:
    if words < 100:
        return f"short text ({words} words): little evidence either way, so the score stays nearer the middle"
    return ""


def _attach(evidence: list[TokenEvidence], hits: list) -> None:
    """Point every token inside a hit's [start, end) at the hit."""
    j = 0
    for h in sorted(hits, key=lambda x: x.start):
        while j < len(evidence) and evidence[j].token.end <= h.start:
            j += 1
        k = j
        while k < len(evidence) and evidence[k].token.start < h.end:
            evidence[k].fingerprint = h
            k += 1


def build_spans(a: Analysis, threshold: float, doc_score: float = 1.0, low: float | None = None,
                gap: int = 0) -> list[Span]:
    """Group suspicious tokens into spans, each with a likely original and its evidence.

    A token is suspicious when P(substitution | spun text) >= ``threshold`` or it lies in a
    fingerprint hit (a hit's tokens stay together). With ``low``, a token at or above ``low``
    next to a suspicious token in its sentence is suspicious too (hysteresis: real spinners swap
    neighbouring words, "loss of life", "health and fitness"). Suspicious tokens in one sentence
    form one span when no word lies between them, or at most ``gap`` function words (words the
    scan does not question) and no punctuation but hyphens. A span's score is ``doc_score``
    times the probability that at least one of its tokens is a substitution.
    """
    text = a.text
    evs = a.evidence
    n = len(evs)
    sus = [ev.p >= threshold for ev in evs]
    if low is not None and low < threshold:
        # Grow every run of suspicious tokens over adjacent tokens at or above ``low``.
        for i in range(n):
            if sus[i] or evs[i].p < low:
                continue
            if i > 0 and sus[i - 1] and evs[i - 1].sentence == evs[i].sentence:
                sus[i] = True
        for i in range(n - 1, -1, -1):
            if sus[i] or evs[i].p < low:
                continue
            if i + 1 < n and sus[i + 1] and evs[i + 1].sentence == evs[i].sentence:
                sus[i] = True
    units: list[list[int]] = []  # [first token, last token, start, end]
    i = 0
    while i < n:
        ev = evs[i]
        h = ev.fingerprint
        if h is not None:
            k = i
            while k + 1 < n and evs[k + 1].fingerprint is h:
                k += 1
            units.append([i, k, min(h.start, ev.token.start), max(h.end, evs[k].token.end)])
            i = k + 1
            continue
        if sus[i]:
            units.append([i, i, ev.token.start, ev.token.end])
        i += 1
    merged: list[list[int]] = []
    for u in units:
        if merged and evs[u[0]].sentence == evs[merged[-1][1]].sentence and (
                u[0] == merged[-1][1] + 1 or _bridgeable(text, evs, merged[-1][1], u[0], gap)):
            merged[-1][1] = u[1]
            merged[-1][3] = u[3]
        else:
            merged.append(u)
    spans = []
    for first, last, s, e in merged:
        toks = evs[first:last + 1]
        pieces, evidence, pos = [], [], s
        seen: set[int] = set()
        for ev in toks:
            h = ev.fingerprint
            if h is not None:
                if id(h) in seen:
                    continue
                seen.add(id(h))
                pieces.append(text[pos:max(pos, h.start)])
                pieces.append(h.correct or h.tortured)
                evidence.append({"kind": "fingerprint", "list": h.source, "entry": h.entry, "correct": h.correct})
                pos = max(pos, h.end)
                continue
            pieces.append(text[pos:ev.token.start])
            # Only the words suspicious on their own get a likely original: a span grown over
            # weaker neighbours would otherwise read as a rewrite of the whole phrase.
            fits = ev.has_candidate and ev.gain > 0 and ev.p >= threshold
            pieces.append(match_case(ev.best, ev.token.text) if fits else ev.token.text)
            pos = ev.token.end
            if fits:
                evidence.append({"kind": "surprisal", "word": ev.token.text, "alternative": ev.best,
                                 "gain_nats": round(ev.gain, 2)})
                if ev.freq_gain > 1.0:
                    evidence.append({"kind": "rare-synonym", "word": ev.token.text, "common": ev.best,
                                     "frequency_ratio": round(math.exp(min(ev.freq_gain, 20.0)), 1)})
        pieces.append(text[pos:e])
        original = "".join(pieces)
        p_any = 1.0 - float(np.prod([1.0 - min(max(ev.p, 0.0), 0.999) for ev in toks]))
        if any(ev.fingerprint is not None for ev in toks):
            p_any = max(p_any, 0.9)
        spans.append(Span(s, e, text[s:e], original if original != text[s:e] else "", doc_score * p_any, evidence))
    return spans


def _bridgeable(text: str, evs: list[TokenEvidence], last: int, nxt: int, gap: int) -> bool:
    """May the tokens strictly between ``last`` and ``nxt`` join two spans? At most ``gap`` of
    them, none a word the models weigh, and only spaces or hyphens between the words."""
    if nxt - last - 1 > gap or nxt - last - 1 < 1:
        return False
    if any(_counted(evs[k]) for k in range(last + 1, nxt)):
        return False
    for k in range(last, nxt):
        between = text[evs[k].token.end:evs[k + 1].token.start]
        if between.strip(" -\u2010\u2011") or between.count("\n") > 0:
            return False
    return True


@functools.lru_cache(maxsize=1)
def _shared_scanner() -> Scanner:
    return Scanner()


@functools.lru_cache(maxsize=16)
def get_detector(fingerprints: bool = True, fingerprint_files: tuple[str, ...] = (), restore: bool = False,
                 fast: bool = False) -> Detector:
    return Detector(fingerprints=fingerprints, fingerprint_files=fingerprint_files, restore=restore,
                    escalate=None if fast else Detector.ESCALATE_AT)


def detect(text: str, *, fingerprints: bool = True, fingerprint_files: Iterable[str] = (),
           restore: bool = False, fast: bool = False, mode: str = "full") -> Detection:
    """Spin score (a calibrated probability) and suspicious spans of ``text``.

    By default the fast scan scores every document, and documents it scores from 0.5 up to (not
    including) 0.99, or lower but dense in learned spinner swaps, are scored again with
    restoration. ``fast=True``: the scan alone (fastest).
    ``restore=True``: restoration on every document (slowest). ``mode="fingerprints"``:
    fingerprint hits only (blind to spins that use no listed phrase).
    """
    det = get_detector(fingerprints, tuple(str(p) for p in fingerprint_files), bool(restore), bool(fast))
    if mode == "fingerprints":
        return det.detect_fingerprints(text)
    if mode != "full":
        raise ValueError("mode must be 'full' or 'fingerprints'")
    return det.detect(text)


# ----------------------------------------------------------------------------- evaluation helpers

def gold_token_mask(spun: str, original: str) -> list[bool]:
    """For each word token of ``spun``: does it differ from ``original`` (word alignment)?

    >>> gold_token_mask("the loss of life toll rose", "the death toll rose")
    [False, True, True, True, False, False]
    """
    import difflib

    a = [t.lower for t in tokenize(spun)]
    b = [t.lower for t in tokenize(original)]
    mask = [False] * len(a)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op in ("replace", "delete"):
            for i in range(i1, i2):
                mask[i] = True
    return mask


def gold_spans(spun: str, original: str) -> list[tuple[int, int]]:
    """Character spans of ``spun`` made of the words that differ from ``original`` (runs merged)."""
    toks = tokenize(spun)
    mask = gold_token_mask(spun, original)
    out: list[list[int]] = []
    prev = -2
    for k, (t, m) in enumerate(zip(toks, mask)):
        if not m:
            continue
        if out and prev == k - 1:
            out[-1][1] = t.end
        else:
            out.append([t.start, t.end])
        prev = k
    return [tuple(x) for x in out]


def auroc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve (ties count half).

    >>> auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    0.75
    """
    s = np.asarray(scores, float)
    y = np.asarray(labels, int)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([neg, pos]), kind="mergesort")
    allv = np.concatenate([neg, pos])[order]
    ranks = np.empty(len(allv))
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        ranks[i:j + 1] = (i + j) / 2.0 + 1
        i = j + 1
    r = np.empty(len(allv))
    r[order] = ranks
    rpos = r[len(neg):].sum()
    return float((rpos - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def tpr_at_fpr(scores: Sequence[float], labels: Sequence[int], fpr: float = 0.01) -> tuple[float, float]:
    """Share of spun texts caught at the strictest threshold whose false-positive rate on the
    clean texts is at most ``fpr``; returns (tpr, threshold)."""
    s = np.asarray(scores, float)
    y = np.asarray(labels, int)
    neg = np.sort(s[y == 0])[::-1]
    pos = s[y == 1]
    if len(neg) == 0 or len(pos) == 0:
        return float("nan"), float("nan")
    k = int(math.floor(fpr * len(neg)))  # negatives allowed at or above the threshold
    thr = neg[k] if k < len(neg) else -math.inf
    # strictly above the (k+1)-th highest negative score
    return float((pos > thr).mean()), float(thr)


def doc_metrics(scores: Sequence[float], labels: Sequence[int]) -> dict:
    """Document-level figures of a labelled set, rounded to 4 places (None where undefined:
    a class is missing)."""
    s = np.asarray(scores, float)
    y = np.asarray(labels, int)
    pos, neg = s[y == 1], s[y == 0]
    tpr, thr = tpr_at_fpr(s, y, 0.01)

    def r(v):
        return None if v is None or math.isnan(v) else round(float(v), 4)

    return {"spun": int(len(pos)), "clean": int(len(neg)), "auroc": r(auroc(s, y)), "tpr_at_1pct_fpr": r(tpr),
            "threshold_at_1pct_fpr": r(thr),
            "recall_at_0.5": r((pos >= 0.5).mean()) if len(pos) else None,
            "fpr_at_0.5": r((neg >= 0.5).mean()) if len(neg) else None,
            "brier": r(((s - y) ** 2).mean()) if len(s) else None}


def calibration(scores: Sequence[float], labels: Sequence[int],
                bins: Sequence[float] = (0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001)) -> list[dict]:
    """Score bins: how many documents, their mean score, and the share actually spun."""
    s = np.asarray(scores, float)
    y = np.asarray(labels, float)
    res = []
    for lo, hi in zip(bins, bins[1:]):
        m = (s >= lo) & (s < hi)
        if m.sum():
            res.append({"bin": f"{lo:.1f}-{min(hi, 1):.1f}", "n": int(m.sum()),
                        "mean_score": round(float(s[m].mean()), 3), "spun_share": round(float(y[m].mean()), 3)})
    return res


def span_scores(pred: list[tuple[int, int]], gold: list[tuple[int, int]], text: str) -> dict[str, float]:
    """Counts for span precision/recall: word level, and span level (any overlap)."""
    toks = tokenize(text)

    def covered(spans):
        out = set()
        for s, e in spans:
            for k, t in enumerate(toks):
                if t.start < e and t.end > s:
                    out.add(k)
        return out

    pw, gw = covered(pred), covered(gold)
    hit_pred = sum(1 for s, e in pred if any(s < ge and e > gs for gs, ge in gold))
    hit_gold = sum(1 for gs, ge in gold if any(s < ge and e > gs for s, e in pred))
    return {"pred_words": len(pw), "gold_words": len(gw), "both_words": len(pw & gw),
            "pred_spans": len(pred), "gold_spans": len(gold), "pred_hit": hit_pred, "gold_hit": hit_gold}


def span_metrics(counts: Iterable[dict]) -> dict[str, float]:
    tot: dict[str, int] = {}
    for c in counts:
        for k, v in c.items():
            tot[k] = tot.get(k, 0) + v

    def prf(tp_p, n_p, tp_r, n_r):
        p = tp_p / n_p if n_p else float("nan")
        r = tp_r / n_r if n_r else float("nan")
        f = 2 * p * r / (p + r) if n_p and n_r and (p + r) > 0 else float("nan")
        return p, r, f

    wp, wr, wf = prf(tot.get("both_words", 0), tot.get("pred_words", 0), tot.get("both_words", 0), tot.get("gold_words", 0))
    sp, sr, sf = prf(tot.get("pred_hit", 0), tot.get("pred_spans", 0), tot.get("gold_hit", 0), tot.get("gold_spans", 0))
    return {"span_precision": sp, "span_recall": sr, "span_f1": sf,
            "word_precision": wp, "word_recall": wr, "word_f1": wf}

