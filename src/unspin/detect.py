"""Detect: how likely a text was produced by synonym spinning, and where.

A hit is a risk marker, not proof: ``score`` is a probability under the shipped model, fitted on
spun and clean text (``tools/fit_detector.py``, model and figures in ``data/detector.json`` and
``docs/detect.md``). The pipeline:

1. **fingerprints** (:mod:`unspin.fingerprints`): tortured phrases from the Problematic Paper
   Screener list, plus user lists;
2. **rare-synonym scan**: every content word is compared, in its 3-gram context, with its most
   common thesaurus neighbours (re-inflected). A spinner's word is typically rarer than the
   word it replaced, and the replaced word fits the context much better ("the loss of life
   toll", "folks were killed");
3. **restoration** (:func:`unspin.restore`) of the sentences the scan finds suspicious: edits
   with confidence, and the 3-gram surprisal of the spun against the restored reading;
4. a **token model** (logistic regression) turns each word's evidence into the probability that
   it is a spinner's substitution; neighbouring suspicious words form a span;
5. a **document model** (logistic regression over a handful of rates: mean token probability,
   share of confident tokens, restoration edit density and confidence, surprisal drop per word,
   fingerprint hits per 1,000 words). Every rate is smoothed with pseudo-counts centred on the
   decision boundary, so a short text carries little evidence and gets a score near the middle
   rather than an extreme one.

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

from .errors import UnspinError
from .lexicon import MOBY_HEAD_LISTS_SPUN, MOBY_SPUN_LISTS_HEAD, WORDNET_SYNONYM, get_lexicon
from .lm import OOV_LOGP, get_lm
from .tokenize import Token, is_sentence_initial, sentence_spans, tokenize

# Words the scan never questions on its own (restoration may still edit them).
STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    have has had do does did not no it its this that these those he she they we you i me him her
    them us our your their his my who whom which what when where why how than then there here so
    can could will would shall should may might must all any each both some such only just also into
    onto up down out over under about after before while since until its it's i'm don't doesn't
    didn't isn't aren't wasn't weren't won't can't""".split()
)
MAX_CANDIDATES = 8          # most common thesaurus neighbours scored in context per word
_GAIN_CLIP = (-8.0, 14.0)


# ----------------------------------------------------------------------------- results

@dataclass(slots=True)
class Span:
    """A suspicious stretch: ``text[start:end]``, what it probably said, and why."""

    start: int
    end: int
    text: str
    original: str          # likely original wording ("" when unknown)
    score: float           # probability that the stretch is a spinner's substitution
    evidence: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "original": self.original,
                "score": round(self.score, 4), "evidence": self.evidence}


@dataclass(slots=True)
class Detection:
    """``score``: calibrated probability that the text was produced by synonym spinning."""

    score: float
    spans: list[Span]
    words: int
    features: dict[str, float] = field(default_factory=dict)
    mode: str = "full"
    note: str = ""

    @property
    def label(self) -> str:
        return risk_label(self.score)

    def to_dict(self) -> dict:
        d = {"score": round(self.score, 4), "label": self.label, "words": self.words, "mode": self.mode,
             "spans": [s.to_dict() for s in self.spans],
             "features": {k: round(v, 4) for k, v in self.features.items()}}
        if self.note:
            d["note"] = self.note
        return d

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kw)


def risk_label(score: float) -> str:
    """Plain-words reading of a score (a risk marker, never a verdict)."""
    if score >= 0.9:
        return "high risk of spinning"
    if score >= 0.6:
        return "elevated risk"
    if score > 0.4:
        return "inconclusive"
    return "no strong signs"


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


TOKEN_FEATURES_SCAN = ["gain", "gain_pos", "freq_gain", "rarity", "surprisal", "moby_head", "wordnet",
                       "no_candidate", "fingerprint"]
TOKEN_FEATURES_FULL = TOKEN_FEATURES_SCAN + ["restore_conf", "restore_edit", "restore_table"]
DOC_FEATURES = ["tok_mean", "tok_high", "edit_rate", "edit_conf", "lm_gain", "fp_rate"]
FP_FEATURES = ["fp_rate", "fp_any"]


@dataclass
class Model:
    token_scan: LogReg
    token_full: LogReg
    doc: LogReg
    fp_doc: LogReg
    priors: dict[str, float]
    pseudo: dict[str, float]
    span_threshold: float
    gate_threshold: float
    info: dict

    @classmethod
    def load(cls, path=None) -> "Model":
        if path is None:
            path = resources.files("unspin") / "data" / "detector.json"
        try:
            raw = path.read_text(encoding="utf-8") if hasattr(path, "read_text") else open(path, encoding="utf-8").read()
        except FileNotFoundError:
            raise UnspinError(f"detector model not found: {path} (run tools/fit_detector.py)") from None
        d = json.loads(raw)
        return cls(LogReg.from_dict(d["token_scan"]), LogReg.from_dict(d["token_full"]),
                   LogReg.from_dict(d["doc"]), LogReg.from_dict(d["fp_doc"]), d["priors"], d["pseudo"],
                   float(d["span_threshold"]), float(d["gate_threshold"]), d.get("info", {}))

    def to_dict(self) -> dict:
        return {"format": "unspin-detector/1", "token_scan": self.token_scan.to_dict(),
                "token_full": self.token_full.to_dict(), "doc": self.doc.to_dict(), "fp_doc": self.fp_doc.to_dict(),
                "priors": self.priors, "pseudo": self.pseudo, "span_threshold": self.span_threshold,
                "gate_threshold": self.gate_threshold, "info": self.info}


@functools.lru_cache(maxsize=1)
def shipped_model() -> Model:
    return Model.load()


# ----------------------------------------------------------------------------- scan

@dataclass(slots=True)
class TokenEvidence:
    """What the scan and restoration know about one word token."""

    index: int
    token: Token
    sentence: int
    eligible: bool = False
    gain: float = 0.0          # best LM gain (nats) of a more common neighbour over the word, in context
    freq_gain: float = 0.0     # unigram log-frequency of that neighbour minus the word's
    rarity: float = 0.0        # -unigram log-probability of the word
    surprisal: float = 0.0     # -ln P(word | two previous words)
    flags: int = 0
    best: str = ""             # best neighbour (the scan's guess at the original)
    has_candidate: bool = False
    fingerprint: object = None  # fingerprints.Hit covering the token
    edit: object = None         # results.Edit covering the token
    p: float = 0.0              # token model probability


class Scanner:
    """Rare-synonym scan: per content word, the most common thesaurus neighbours in context."""

    def __init__(self, lm=None, lexicon=None):
        self.lm = lm or get_lm()
        self.lex = lexicon or get_lexicon()
        self._unigram: np.ndarray | None = None
        self._single: np.ndarray | None = None
        self._cands: dict[str, tuple] = {}
        self._uni: dict[str, float] = {}

    def _arrays(self):
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
        """Most common single-word neighbours the term may have replaced, with flags."""
        lex = self.lex
        i = lex._index.get(term)
        if i is None:
            return []
        u = self._arrays()
        a, b = lex._offsets[i], lex._offsets[i + 1]
        dst = lex._dst[a:b]
        if len(dst) == 0:
            return []
        uu = u[dst]
        order = np.argsort(-uu, kind="stable")[:MAX_CANDIDATES]
        fl = lex._flags[a:b]
        return [(lex.terms[int(dst[k])], int(fl[k])) for k in order if np.isfinite(uu[k])]

    def candidates(self, w: str) -> tuple:
        """((candidate form, flags), ...) for a lower-case word form (cached)."""
        c = self._cands.get(w)
        if c is not None:
            return c
        found: dict[str, int] = {}
        for t, f in self._top(w):
            if t != w:
                found[t] = found.get(t, 0) | f
        try:
            from .candidates import analyses, inflect
        except ImportError:  # pragma: no cover
            analyses = None
        if analyses is not None:
            for upos, lemma, tag in analyses(w):
                if lemma == w:
                    continue
                for t, f in self._top(lemma):
                    form = inflect(t, upos, tag)
                    if form and form != w and " " not in form and self.lm.known(form):
                        found[form] = found.get(form, 0) | f
        if len(found) > MAX_CANDIDATES:
            best = sorted(found, key=lambda t: -self.unigram(t))[:MAX_CANDIDATES]
            found = {t: found[t] for t in best}
        c = self._cands[w] = tuple(found.items())
        if len(self._cands) > 500_000:
            self._cands.clear()
        return c

    def scan(self, text: str, tokens: list[Token]) -> list[TokenEvidence]:
        lm = self.lm
        logp = lm.logp
        out: list[TokenEvidence] = []
        spans = sentence_spans(text)
        si = 0
        sent_tokens: list[list[int]] = []
        for k, t in enumerate(tokens):
            while si < len(spans) - 1 and t.start >= spans[si][1]:
                si += 1
            if not sent_tokens or sent_tokens[-1][0] != si:
                sent_tokens.append([si])
            sent_tokens[-1].append(k)
            out.append(TokenEvidence(k, t, si))
        for group in sent_tokens:
            idx = group[1:]
            words = [_lm_form(tokens[k]) for k in idx]
            n = len(words)
            for j, k in enumerate(idx):
                ev = out[k]
                tok = tokens[k]
                w = words[j]
                p1 = words[j - 1] if j >= 1 else "<s>"
                p2 = words[j - 2] if j >= 2 else "<s>"
                lp = logp(w, p1, p2)
                ev.surprisal = -lp
                if not _eligible(tok, w, text):
                    continue
                ev.eligible = True
                uw = self.unigram(w)
                ev.rarity = -uw
                cands = self.candidates(w)
                if not cands:
                    continue
                n1 = words[j + 1] if j + 1 < n else "</s>"
                n2 = words[j + 2] if j + 2 < n else ("</s>" if j + 1 < n else None)
                base = lp + logp(n1, w, p1) + (logp(n2, n1, w) if n2 else 0.0)
                best_g, best_c, best_f = -math.inf, "", 0
                for c, f in cands:
                    s = logp(c, p1, p2) + logp(n1, c, p1) + (logp(n2, n1, c) if n2 else 0.0)
                    g = s - base
                    if g > best_g:
                        best_g, best_c, best_f = g, c, f
                ev.has_candidate = True
                ev.gain = min(max(best_g, _GAIN_CLIP[0]), _GAIN_CLIP[1])
                ev.best = best_c
                ev.flags = best_f
                ev.freq_gain = self.unigram(best_c) - uw
        return out


def _lm_form(tok: Token) -> str:
    if tok.is_number:
        return "one" if tok.text == "1" else "two"
    return tok.lower


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


# ----------------------------------------------------------------------------- detector

def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    if z > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def token_features(ev: TokenEvidence, full: bool) -> list[float]:
    g = ev.gain if ev.has_candidate else 0.0
    x = [g, max(g, 0.0), max(min(ev.freq_gain, 8.0), -8.0) if ev.has_candidate else 0.0,
         min(ev.rarity, 14.0) if ev.eligible else 0.0, min(ev.surprisal, 16.0),
         float(bool(ev.flags & MOBY_HEAD_LISTS_SPUN)), float(bool(ev.flags & WORDNET_SYNONYM)),
         float(ev.eligible and not ev.has_candidate), float(ev.fingerprint is not None)]
    if full:
        e = ev.edit
        x += [e.confidence if e is not None else 0.0, float(e is not None),
              float(e is not None and "table" in e.evidence)]
    return x


@dataclass
class Analysis:
    """Everything the document model sees (the fit script uses it too)."""

    text: str
    tokens: list[Token]
    evidence: list[TokenEvidence]
    hits: list
    edits: list
    words: int
    lm_gain: float          # ln P(restored reading) - ln P(input), summed over edited sentences
    restored_sentences: int


class Detector:
    """A configured detection pipeline (build once, reuse).

    ``fingerprints``: use the shipped fingerprint list; ``fingerprint_files``: extra lists (same
    JSON shape); ``restore``: run restoration on suspicious sentences ("auto"), on every sentence
    ("all") or never ("off"); ``restorer``: a custom :class:`unspin.restore.Restorer` (evaluation
    uses one whose learned table leaves out the article being scored).
    """

    def __init__(self, *, fingerprints: bool = True, fingerprint_files: Iterable[str] = (),
                 restore: str = "auto", model: Model | None = None, restorer=None):
        if restore not in ("auto", "all", "off"):
            raise ValueError("restore must be 'auto', 'all' or 'off'")
        from .fingerprints import get_matcher

        self.fingerprint_files = tuple(str(p) for p in fingerprint_files)
        self.use_fingerprints = fingerprints
        self.matcher = get_matcher(self.fingerprint_files, builtin=fingerprints)
        self.restore_mode = restore
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
            from .restore import RestoreConfig, get_restorer

            self._restorer = get_restorer(RestoreConfig(fingerprints=self.use_fingerprints))
        return self._restorer

    # -- analysis ------------------------------------------------------------------------
    def analyze(self, text: str) -> Analysis:
        tokens = tokenize(text)
        hits = self.matcher.find(text) if len(self.matcher) else []
        evidence = self.scanner.scan(text, tokens)
        if hits:
            _attach(evidence, hits, "fingerprint")
        model = self.model
        scan_lr = model.token_scan
        if evidence:
            X = np.array([token_features(ev, False) for ev in evidence])
            P = scan_lr.prob(X) * np.array([_counted(ev) for ev in evidence], float)
            for ev, p in zip(evidence, P.tolist()):
                ev.p = p
        edits, lm_gain, n_sent = [], 0.0, 0
        if self.restore_mode != "off" and evidence:
            spans = sentence_spans(text)
            chosen: list[tuple[int, int]] = []
            if self.restore_mode == "all":
                chosen = spans
            else:
                flagged = {ev.sentence for ev in evidence
                           if ev.p >= model.gate_threshold or ev.fingerprint is not None}
                chosen = [spans[i] for i in sorted(flagged) if i < len(spans)]
            restorer = self.restorer
            lm = self.scanner.lm
            for s, e in chosen:
                sub = text[s:e]
                if not sub.strip():
                    continue
                r = restorer.restore(sub)
                n_sent += 1
                if not r.edits:
                    continue
                for ed in r.edits:
                    edits.append(type(ed)(ed.start + s, ed.end + s, ed.spun, ed.original, ed.confidence,
                                          list(ed.evidence)))
                lm_gain += _sentence_logp(lm, r.text) - _sentence_logp(lm, sub)
            if edits:
                _attach(evidence, edits, "edit")
        return Analysis(text, tokens, evidence, hits, edits, len(tokens), lm_gain, n_sent)

    def token_probs(self, a: Analysis) -> np.ndarray:
        if not a.evidence:
            return np.zeros(0)
        lr = self.model.token_full if self.restore_mode != "off" else self.model.token_scan
        full = self.restore_mode != "off"
        X = np.array([token_features(ev, full) for ev in a.evidence])
        P = lr.prob(X) * np.array([_counted(ev) for ev in a.evidence], float)
        for ev, p in zip(a.evidence, P.tolist()):
            ev.p = p
        return P

    def doc_features(self, a: Analysis, P: np.ndarray | None = None) -> dict[str, float]:
        m = self.model
        if P is None:
            P = self.token_probs(a)
        counted = [i for i, ev in enumerate(a.evidence) if _counted(ev)]
        n = len(counted)
        ps = P[counted] if n else np.zeros(0)
        pri, pc = m.priors, m.pseudo
        a_tok = pc["tokens"]
        f = {}
        f["tok_mean"] = _logit((float(ps.sum()) + a_tok * pri["tok_mean"]) / (n + a_tok))
        f["tok_high"] = _logit((float((ps >= 0.5).sum()) + a_tok * pri["tok_high"]) / (n + a_tok))
        a_w = pc["words"]
        N = a.words
        f["edit_rate"] = _logit((len(a.edits) + a_w * pri["edit_rate"]) / (N + a_w))
        conf = sum(e.confidence for e in a.edits)
        f["edit_conf"] = _logit((conf + a_w * pri["edit_rate"] * pri["edit_conf"]) / (len(a.edits) + a_w * pri["edit_rate"]))
        f["lm_gain"] = (a.lm_gain + a_w * pri["lm_gain"]) / (N + a_w)
        f.update(fp_features(len(a.hits), N, pc))
        return f

    # -- public --------------------------------------------------------------------------
    def detect(self, text: str) -> Detection:
        if not isinstance(text, str):
            raise TypeError("detect() takes a str")
        if not text.strip():
            return Detection(0.5, [], 0, {}, "full", note="empty text: no evidence either way")
        a = self.analyze(text)
        P = self.token_probs(a)
        f = self.doc_features(a, P)
        x = np.array([[f[k] for k in self.model.doc.names]])
        score = float(self.model.doc.prob(x)[0])
        spans = build_spans(a, self.model.span_threshold)
        note = _short_note(a.words)
        return Detection(score, spans, a.words, f, "full", note)

    def detect_fingerprints(self, text: str) -> Detection:
        """Fingerprint-only mode: fast, and blind to spins that use no listed phrase."""
        if not isinstance(text, str):
            raise TypeError("detect() takes a str")
        words = _count_words(text)
        hits = self.matcher.find(text) if len(self.matcher) else []
        f = fp_features(len(hits), words, self.model.pseudo)
        x = np.array([[f[k] for k in self.model.fp_doc.names]])
        score = float(self.model.fp_doc.prob(x)[0]) if text.strip() else 0.5
        spans = [_fp_span(h) for h in hits]
        return Detection(score, spans, words, f, "fingerprints", _short_note(words))


def _counted(ev: TokenEvidence) -> bool:
    """Tokens the models weigh: content words, and words inside an edit or a fingerprint."""
    return ev.eligible or ev.edit is not None or ev.fingerprint is not None


def fp_features(hits: int, words: int, pseudo: dict) -> dict[str, float]:
    a = pseudo["fp_words"]
    return {"fp_rate": math.log1p(1000.0 * hits / (words + a)), "fp_any": math.log1p(hits)}


def _count_words(text: str) -> int:
    from .tokenize import WORD_RE

    return sum(1 for _ in WORD_RE.finditer(text))


def _short_note(words: int) -> str:
    if words < 100:
        return f"short text ({words} words): little evidence either way, the score stays near the middle"
    return ""


def _sentence_logp(lm, text: str) -> float:
    words = [_lm_form(t) for t in tokenize(text)]
    if not words:
        return 0.0
    return lm.sequence(words + ["</s>"])


def _attach(evidence: list[TokenEvidence], items: list, attr: str) -> None:
    """Point every token inside an item's [start, end) at the item."""
    j = 0
    for it in sorted(items, key=lambda x: x.start):
        while j < len(evidence) and evidence[j].token.end <= it.start:
            j += 1
        k = j
        while k < len(evidence) and evidence[k].token.start < it.end:
            setattr(evidence[k], attr, it)
            k += 1


def _fp_span(h) -> Span:
    return Span(h.start, h.end, h.tortured, h.correct, 0.9,
                [{"kind": "fingerprint", "list": h.source, "entry": h.entry, "correct": h.correct}])


def build_spans(a: Analysis, threshold: float) -> list[Span]:
    """Group suspicious tokens into spans, each with a likely original and its evidence.

    A restoration edit or a fingerprint hit is one unit (its tokens stay together); other
    tokens at or above ``threshold`` are units of one word. Units that touch (no word between
    them, same sentence) are merged.
    """
    text = a.text
    units: list[tuple[int, int, int, int]] = []  # (first token, last token, start, end)
    evs = a.evidence
    i = 0
    while i < len(evs):
        ev = evs[i]
        item = ev.fingerprint or ev.edit
        if item is not None and max(x.p for x in _covered(evs, i, item)) >= threshold * 0.5:
            cov = _covered(evs, i, item)
            last = cov[-1].index
            units.append((i, last, min(item.start, ev.token.start), max(item.end, cov[-1].token.end)))
            i = last + 1
            continue
        if ev.p >= threshold:
            units.append((i, i, ev.token.start, ev.token.end))
        i += 1
    merged: list[list] = []
    for u in units:
        if merged and u[0] == merged[-1][1] + 1 and evs[u[0]].sentence == evs[merged[-1][1]].sentence:
            merged[-1][1] = u[1]
            merged[-1][3] = u[3]
        else:
            merged.append(list(u))
    spans = []
    for first, last, s, e in merged:
        toks = evs[first:last + 1]
        pieces, evidence, pos = [], [], s
        seen: set[int] = set()
        for ev in toks:
            item = ev.edit or ev.fingerprint
            if item is not None:
                if id(item) in seen:
                    continue
                seen.add(id(item))
                pieces.append(text[pos:max(pos, item.start)])
                if ev.edit is not None:
                    pieces.append(ev.edit.original)
                    evidence.append({"kind": "restoration", "spun": ev.edit.spun, "original": ev.edit.original,
                                     "confidence": ev.edit.confidence, "sources": list(ev.edit.evidence)})
                else:
                    pieces.append(ev.fingerprint.correct or ev.fingerprint.tortured)
                if ev.fingerprint is not None:
                    h = ev.fingerprint
                    evidence.append({"kind": "fingerprint", "list": h.source, "entry": h.entry, "correct": h.correct})
                pos = max(pos, item.end)
                continue
            pieces.append(text[pos:ev.token.start])
            guess = _match_case(ev.best, ev.token.text) if ev.best and ev.gain > 0 else ev.token.text
            pieces.append(guess)
            pos = ev.token.end
            if ev.has_candidate and ev.gain > 0:
                evidence.append({"kind": "surprisal", "word": ev.token.text, "alternative": ev.best,
                                 "gain_nats": round(ev.gain, 2)})
            if ev.has_candidate and ev.freq_gain > 0.5:
                evidence.append({"kind": "rare-synonym", "word": ev.token.text, "common": ev.best,
                                 "frequency_ratio": round(math.exp(min(ev.freq_gain, 20.0)), 1)})
        pieces.append(text[pos:e])
        original = "".join(pieces)
        # Edits' surprisal evidence: the whole span.
        score = 1.0 - float(np.prod([1.0 - min(ev.p, 0.999) for ev in toks]))
        spans.append(Span(s, e, text[s:e], original if original != text[s:e] else "", score, evidence))
    return spans


def _covered(evs: list[TokenEvidence], i: int, item) -> list[TokenEvidence]:
    out = []
    k = i
    while k < len(evs) and evs[k].token.start < item.end:
        out.append(evs[k])
        k += 1
    return out


def _match_case(word: str, like: str) -> str:
    if like[:1].isupper():
        if len(like) > 1 and like.isupper():
            return word.upper()
        return word[:1].upper() + word[1:]
    return word


@functools.lru_cache(maxsize=1)
def _shared_scanner() -> Scanner:
    return Scanner()


@functools.lru_cache(maxsize=16)
def get_detector(fingerprints: bool = True, fingerprint_files: tuple[str, ...] = (), restore: str = "auto") -> Detector:
    return Detector(fingerprints=fingerprints, fingerprint_files=fingerprint_files, restore=restore)


def detect(text: str, *, fingerprints: bool = True, fingerprint_files: Iterable[str] = (),
           restore: str = "auto", mode: str = "full") -> Detection:
    """Spin score (a calibrated probability) and suspicious spans of ``text``.

    ``mode="fingerprints"``: fingerprint hits only (fast; blind to spins that use no listed phrase).
    """
    det = get_detector(fingerprints, tuple(str(p) for p in fingerprint_files), restore)
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


# ``unspin.detect`` is both this module and the public function: importing the submodule rebinds
# the package attribute to the module, so the module itself forwards calls to :func:`detect`.
class _CallableModule(__import__("types").ModuleType):
    def __call__(self, text: str, **options) -> Detection:
        return detect(text, **options)


__import__("sys").modules[__name__].__class__ = _CallableModule
