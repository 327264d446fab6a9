"""Detect: how likely a text was produced by synonym spinning, and where.

A hit is a risk marker, not proof. ``score`` is a probability under the shipped model
(``data/detector.json``, fitted by ``tools/fit/fit_detector.py`` on clean prose and synthetic spins of
it; figures in ``docs/detect.md``), with even prior odds: on a collection where spinning is rare,
most texts above 0.5 will still be clean. The pipeline:

1. **fingerprints** (:mod:`unspin.lang.fingerprints`): tortured phrases from the Problematic Paper
   Screener list, plus user lists;
2. **rare-synonym scan**: every content word is compared, in its 3-gram context (two words each
   side), with its most common thesaurus neighbours and PPDB's best paraphrases of it,
   re-inflected like it. A spinner's word is
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
   prose apart), and two spinner-agnostic rates: words some common neighbour fits better, and
   phrase expansions ("make use of") that read better as one word (:meth:`Scanner.phrases`).
   Rates are smoothed with pseudo-counts centred between the clean and spun training medians
   and the sums grow with length, so a short text carries little evidence and scores nearer
   the middle; each fingerprint hit adds a fixed log-likelihood ratio.

``restore=True`` also runs :func:`unspin.restore` on the suspicious sentences: its edits become
the spans' likely originals and evidence, and the score comes from a second document model that
adds the restoration's edit density and confidence (slower; see ``docs/detect.md``). By default
only documents the scan scores at 0.5 or more are treated so (a cascade); ``fast=True`` never.

The pieces: the model file (:mod:`.model`), the scan (:mod:`.scan`), spans (:mod:`.spans`);
this module holds the pipeline (:class:`Detector`), its options (:class:`DetectConfig`) and
:func:`detect`.

>>> d = detect("")
>>> d.score, d.spans
(0.5, [])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..lang.tokenize import sentence_spans, tokenize
from ..lang.windows import fits, text_windows
from ..results import Detection, Edit
from .model import GLR_RATES, Model, logit, shipped_model, sigmoid
from .scan import Analysis, counted, shared_scanner, token_features
from .spans import MIN_SPAN_SCORE, TopSpans, attach, build_spans, fingerprint_spans, edit_spans, refine_spans, unguessed

# Largest gain (nats) one phrase adds to the document's phrase evidence.
PHRASE_GAIN_CLIP = 8.0
# Fast scores at or above this are re-scored with restoration: the flagging threshold's
# default, chosen a priori (documents the scan finds clean are not flagged either way).
ESCALATE_AT = 0.5
# ... and below this: a document the scan scores at 0.99 or more is flagged whatever
# restoration adds (on the test split restoration moved none of the 264 such documents
# below 0.9; a round number, docs/detect.md says how it was picked). Its spans keep the
# scan's likely originals.
SETTLED_AT = 0.99


@dataclass(frozen=True)
class DetectConfig:
    """Options of :func:`detect`. Frozen, so one configured :class:`Detector` is built per
    process (:func:`get_detector`); the one place that reads ``mode`` and ``fast``.

    >>> DetectConfig(fast=True).label, DetectConfig(fast=True).escalation
    ('fast', None)
    """

    mode: str = "full"                       # "full", or "fingerprints": fingerprint hits only
    fast: bool = False                       # the scan alone: no cascade into restoration
    restore: bool = False                    # restoration on every document (slowest)
    fingerprints: bool = True                # use the shipped tortured-phrase list
    fingerprint_files: tuple[str, ...] = ()  # extra lists (same JSON shape as the shipped one)
    escalate: float | None = ESCALATE_AT     # the cascade: fast scores from here ...
    settled: float | None = SETTLED_AT       # ... up to (not including) here are restored

    def __post_init__(self):
        if self.mode not in ("full", "fingerprints"):
            raise ValueError("mode must be 'full' or 'fingerprints'")
        # Normalised, so equal options share one cached detector.
        object.__setattr__(self, "fingerprint_files", tuple(str(p) for p in self.fingerprint_files))
        object.__setattr__(self, "restore", bool(self.restore))
        object.__setattr__(self, "fast", bool(self.fast))

    @property
    def escalation(self) -> float | None:
        """Fast score from which the cascade restores a document; None: never (``fast``)."""
        return None if self.fast else self.escalate

    @property
    def label(self) -> str:
        """The mode in one word, as evaluation reports name it."""
        if self.mode == "fingerprints":
            return "fingerprints"
        if self.restore:
            return "full+restore"
        return "fast" if self.escalation is None else "full"


class Detector:
    """A configured detection pipeline (build once, reuse): a :class:`DetectConfig`, or its
    fields as keywords, and optionally a model and a restorer.

    ``fingerprints``: use the shipped fingerprint list; ``fingerprint_files``: extra lists (same
    JSON shape); ``restore``: also run :func:`unspin.restore` on the sentences holding spans, to
    give their likely original and the restoration as evidence, and score the document with the
    model that adds restoration's edit density and confidence (slower, for every document);
    ``restorer``: a custom :class:`unspin.restoration.restorer.Restorer` for that. ``escalate``: without
    ``restore``, a document whose fast score reaches this, but stays under ``settled``, is
    scored again with restoration (the cascade of the default mode: the slow evidence only
    where a flag is at stake), as is one scored under ``escalate`` that holds more learned
    spinner swaps per 100 words than the model's ``swap_rate`` (:meth:`learned_swaps`);
    ``escalate=None`` (or ``fast``) keeps every document on the fast scan, ``settled=None``
    escalates every document from ``escalate`` up. ``mode="fingerprints"``: :meth:`detect` is
    :meth:`detect_fingerprints`.
    """

    ESCALATE_AT = ESCALATE_AT
    SETTLED_AT = SETTLED_AT

    def __init__(self, config: DetectConfig | None = None, *, model: Model | None = None, restorer=None,
                 **options):
        from ..lang.fingerprints import get_matcher

        if config is None:
            config = DetectConfig(**options)
        elif options:
            raise TypeError("pass either a DetectConfig or keyword options, not both")
        self.config = config
        self.matcher = get_matcher(config.fingerprint_files, builtin=config.fingerprints)
        self.restore = config.restore
        self.escalate = config.escalation
        self.settled = config.settled
        self._model = model
        self._restorer = restorer
        self.scanner = shared_scanner()

    @property
    def model(self) -> Model:
        if self._model is None:
            self._model = shipped_model()
        return self._model

    @property
    def restorer(self):
        if self._restorer is None:
            from ..restoration.restorer import RestoreConfig, get_restorer

            self._restorer = get_restorer(RestoreConfig(fingerprints=self.config.fingerprints))
        return self._restorer

    # -- analysis ------------------------------------------------------------------------
    def analyze(self, text: str, tokens: list | None = None) -> Analysis:
        """The scan of ``text`` (``tokens``: its :func:`tokenize`, when the caller has them)."""
        if tokens is None:
            tokens = tokenize(text)
        hits = self.matcher.find(text) if len(self.matcher) else []
        evidence = self.scanner.scan(text, tokens)
        if hits:
            attach(evidence, hits)
        # Only the words the models weigh get a probability (the others keep p = 0): half the
        # tokens are function words, and their features were computed to be multiplied by 0.
        weighed = [ev for ev in evidence if counted(ev)]
        if weighed:
            P = self.model.token.prob(np.array([token_features(ev) for ev in weighed]))
            for ev, p in zip(weighed, P.tolist()):
                ev.p = p
        return Analysis(text, tokens, evidence, hits, len(tokens), self.scanner.phrases(text, evidence))

    def raw_rates(self, a: Analysis) -> dict[str, float]:
        """Unsmoothed sums and counts behind the document features.

        ``glr_*``: sum over counted words of ln(1 - r + r * LR), LR being the word's likelihood
        ratio (substitution vs not) from the token model: the log-likelihood ratio of "a share r
        of the words were substituted" against "none were". Evidence adds up with length.
        """
        base = self.model.priors.get("token_base", 0.2)
        base_odds = base / (1.0 - base)
        n = cand = 0
        sp = strong = rare = nocand = rarity = better = 0.0
        glr = {k: 0.0 for k in GLR_RATES}
        for ev in a.evidence:
            if not counted(ev):
                continue
            n += 1
            p = min(max(ev.p, 1e-4), 1 - 1e-4)
            sp += p
            lr = (p / (1.0 - p)) / base_odds
            for k, r in GLR_RATES.items():
                glr[k] += math.log(1.0 - r + r * lr)
            rarity += min(ev.rarity, 14.0)
            if ev.has_candidate:
                cand += 1
                strong += ev.gain >= 8.0
                rare += ev.freq_gain > 1.0 and ev.gain > 0.0
                better += ev.gain > 0.0
            else:
                nocand += 1
        if a.phrases is None:  # an analysis made before phrases were looked for (a fit's cached scans)
            a.phrases = self.scanner.phrases(a.text, a.evidence)
        # Clipped like the token model's hinge: one compound read as its head ("nautical mile",
        # 14 nats) must not outweigh a spinner's many small expansions.
        phrases = [min(ph.gain, PHRASE_GAIN_CLIP) for ph in a.phrases if ph.gain > 0.0]
        out = {"n": n, "tok_mean": sp, "strong_rate": strong, "rare_rate": rare, "nocand_rate": nocand,
               "rarity_mean": rarity, "hits": len(a.hits), "words": a.words,
               "cand_n": cand, "better_rate": better, "phrase_rate": len(phrases), "phrase_gain": sum(phrases)}
        out.update(glr)
        return out

    def doc_features(self, a: Analysis) -> dict[str, float]:
        return self.features_from_rates(self.raw_rates(a))

    def features_from_rates(self, r: dict[str, float]) -> dict[str, float]:
        """The document model's features from :meth:`raw_rates` (of one text, or summed over
        the windows of a long one: every entry is a sum or a count)."""
        m = self.model
        pri, pc = m.priors, m.pseudo
        k = pc["tokens"]
        n = r["n"]
        f = {key: r[key] / 10.0 for key in GLR_RATES}
        for key in ("tok_mean", "strong_rate", "rare_rate", "nocand_rate"):
            f[key] = logit((r[key] + k * pri[key]) / (n + k))
        f["rarity_mean"] = (r["rarity_mean"] + k * pri["rarity_mean"]) / (n + k)
        # Spinner-agnostic rates (docs/detect.md): models fitted before them have no priors.
        if "better_rate" in pri:
            f["better_rate"] = logit((r["better_rate"] + k * pri["better_rate"]) / (r["cand_n"] + k))
            f["phrase_rate"] = logit((r["phrase_rate"] + k * pri["phrase_rate"]) / (r["words"] + k))
            f["phrase_gain"] = (r["phrase_gain"] + k * pri["phrase_gain"]) / (r["words"] + k)
        f["fp_hits"] = float(r["hits"])
        return f

    def score(self, f: dict[str, float]) -> float:
        """P(spun): the document model's log-odds plus ``fp_llr`` per fingerprint hit."""
        doc = self.model.doc
        if "edit_rate" in f and self.model.doc_restore is not None:
            doc = self.model.doc_restore
        z = float(doc.logit(np.array([[f[k] for k in doc.names]]))[0]) + self.model.fp_llr * f.get("fp_hits", 0.0)
        return sigmoid(z)

    # -- public --------------------------------------------------------------------------
    def detect(self, text: str) -> Detection:
        """Score ``text`` in the configured mode."""
        if self.config.mode == "fingerprints":
            return self.detect_fingerprints(text)
        return self.detect_full(text)

    def score_analysis(self, a: Analysis) -> tuple[float, dict[str, float], list[Edit] | None]:
        """P(spun) of an analysed text, its document features, and the restoration's edits
        when the cascade restored it (else None)."""
        f = self.doc_features(a)
        edits = None
        if self.thorough(f, lambda: self.learned_swaps(a), a.words):
            edits = self.restore_edits(a)
            if self.model.doc_restore is not None:
                f.update(self.restore_features(a, [ed.confidence for ed in edits]))
        return self.score(f), f, edits

    def detect_full(self, text: str) -> Detection:
        """The scan, the cascade into restoration, and spans."""
        if not isinstance(text, str):
            raise TypeError("detect() takes a str")
        if not text or text.isspace():  # (not strip(): no copy of a huge text)
            return _no_text("full")
        if not fits(text):
            return self.detect_windows(lambda: text_windows(text))
        a = self.analyze(text)
        if a.words == 0:
            return _no_text("full")
        score, f, edits = self.score_analysis(a)
        spans = [sp for sp in build_spans(a, self.model.span_threshold, score, self.model.span_low,
                                             self.model.span_gap, self.model.phrase_p) if sp.score >= MIN_SPAN_SCORE]
        if edits is not None:
            if score >= self.BOLD_SPANS_AT:
                # A document the detector calls spun is restored as `unspin restore` would
                # (boldly): its edits mark swaps the scan alone misses, common words for common
                # words and periphrases (docs/detect.md, "Spans from bold restoration").
                edits = self.restorer.restore_at(a.text, score, a.tokens, neural=False).edits
                spans = edit_spans(a.text, refine_spans(a.text, spans, score, edits), score, edits)
            else:
                spans = refine_spans(a.text, spans, score, edits)
        elif self.escalate is not None:
            # The cascade did not restore it (the scan was sure either way): no span shows the
            # scan's word-by-word guess as a likely original. Restoring the settled documents
            # for their originals cost a quarter of the default mode's speed (docs/detect.md);
            # `unspin restore` or `detect --restore` gives them. --fast keeps the scan's guesses.
            spans = [unguessed(sp) for sp in spans]
        return Detection(score, spans, a.words, f, "full", _short_note(a.words), restored=edits is not None)

    # Restored documents scored at least this spun get spans from bold restoration too (the
    # decision threshold of the score, not a fitted constant).
    BOLD_SPANS_AT = 0.5

    def thorough(self, f: dict[str, float], swaps, words: int) -> bool:
        """Does the document with features ``f`` get restoration's evidence? ``swaps()``: its
        :meth:`learned_swaps` count (asked only when it decides)."""
        if self.restore:
            return True
        if self.escalate is None or self.model.doc_restore is None:
            return False
        fast = self.score(f)
        if fast < self.escalate and self.model.swap_rate is not None:
            # The scan is blind to swaps of common words and function words ("within" for
            # "in", "have been" for "were"); a spinner's known habits, dense beyond what
            # clean prose shows, call for restoration too.
            n = swaps()
            return n >= self.MIN_SWAPS and 100.0 * n / max(words, 1) >= self.model.swap_rate
        return fast >= self.escalate and (self.settled is None or fast < self.settled)

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
        habits) reads better undone by ``SWAP_GAIN`` nats or more in context
        (:meth:`unspin.restoration.restorer.Restorer.learned_swaps`). 0 without a table."""
        return self.restorer.learned_swaps(a.text, a.tokens, [ev.form for ev in a.evidence], min_gain=self.SWAP_GAIN)

    def restore_edits(self, a: Analysis) -> list[Edit]:
        """Edits of :func:`unspin.restore` on the gated sentences, in text offsets."""
        return self.restorer.restore_spans(a.text, self.gated_sentences(a))

    def restore_features(self, a: Analysis, confidences: list[float]) -> dict[str, float]:
        """Restoration edit density (per counted word) and mean confidence, smoothed."""
        n = sum(1 for ev in a.evidence if counted(ev))
        return self.restore_features_from(n, len(confidences), sum(confidences))

    def restore_features_from(self, n: int, edits: int, confidence_sum: float) -> dict[str, float]:
        """:meth:`restore_features` from counts: ``n`` counted words, ``edits`` edits whose
        confidences sum to ``confidence_sum`` (of one text, or summed over windows)."""
        m = self.model
        k = m.pseudo["tokens"]
        pr, pc = m.priors.get("edit_rate", 0.02), m.priors.get("edit_conf", 0.8)
        return {"edit_rate": logit((edits + k * pr) / (n + k)),
                "edit_conf": (confidence_sum + k * pr * pc) / (edits + k * pr)}

    def detect_fingerprints(self, text: str) -> Detection:
        """Fingerprint-only mode: fast, and blind to spins that use no listed phrase."""
        if not isinstance(text, str):
            raise TypeError("detect() takes a str")
        if not fits(text):
            return self.detect_windows(lambda: text_windows(text))
        words = 0 if not text or text.isspace() else _count_words(text)
        if words == 0:
            return _no_text("fingerprints")
        hits = self.matcher.find(text) if len(self.matcher) else []
        # No hit is no evidence either way (the list misses most spins): 0.5, moved by each hit.
        score = sigmoid(self.model.fp_llr * len(hits))
        return Detection(score, fingerprint_spans(hits, score), words, {"fp_hits": float(len(hits))}, "fingerprints",
                         _short_note(words))

    # -- long texts ----------------------------------------------------------------------
    # Spans kept of a text longer than one window: the best by score (the result stays bounded).
    MAX_SPANS = 1000

    def detect_windows(self, windows: Callable[[], Iterable[tuple[int, str]]]) -> Detection:
        """Score a text given as (offset, window) pieces (:mod:`unspin.lang.windows`), in the
        configured mode. ``windows()`` is called once per pass (at most two), so a file can be
        read twice instead of held. A text that is one window scores exactly as :meth:`detect`
        scores it; a longer one by the sums and counts of all its windows (the document model's
        features are rates over words), its spans the best :attr:`MAX_SPANS`, with offsets into
        the whole text."""
        it = iter(windows())
        first = next(it, (0, ""))
        more = next(it, None) is not None
        del it  # a streamed file's buffer goes with it
        if not more:
            return self.detect(first[1])
        if self.config.mode == "fingerprints":
            return self._fingerprint_windows(windows)
        return self._full_windows(windows)

    def _full_windows(self, windows) -> Detection:
        m = self.model
        need_swaps = not self.restore and self.escalate is not None and m.doc_restore is not None \
            and m.swap_rate is not None
        rates: dict[str, float] = {}
        swaps = 0
        # Spans are collected in the same pass, scored as if the document's score were 1 (a
        # span's score is linear in it) and scaled once it is known: unless the cascade restores
        # the document, the text is read and scanned once.
        first = TopSpans(self.MAX_SPANS)
        for offset, w in windows():
            a = self.analyze(w)
            for k, v in self.raw_rates(a).items():
                rates[k] = rates.get(k, 0) + v
            if need_swaps:
                swaps += self.learned_swaps(a)
            first.add([sp for sp in build_spans(a, m.span_threshold, 1.0, m.span_low, m.span_gap, m.phrase_p)
                       if sp.score >= MIN_SPAN_SCORE], offset)
        if not rates.get("words"):
            return _no_text("full")
        f = self.features_from_rates(rates)
        thorough = self.thorough(f, lambda: swaps, int(rates["words"]))
        if not thorough:
            score = self.score(f)
            return Detection(score, first.result(score), int(rates["words"]), f, "full",
                             _windows_note(first), restored=False)
        del first
        # With restoration (a second pass), spans are again scored as if the score were 1.
        score = 1.0
        kept = TopSpans(self.MAX_SPANS)
        edits = 0
        confidence = 0.0
        for offset, w in windows():
            a = self.analyze(w)
            found = self.restore_edits(a)
            spans = [sp for sp in build_spans(a, m.span_threshold, score, m.span_low, m.span_gap, m.phrase_p)
                     if sp.score >= MIN_SPAN_SCORE]
            edits += len(found)
            confidence += sum(ed.confidence for ed in found)
            spans = refine_spans(a.text, spans, score, found)
            kept.add(spans, offset)
        if m.doc_restore is not None:
            f.update(self.restore_features_from(int(rates["n"]), edits, confidence))
        score = self.score(f)
        return Detection(score, kept.result(score), int(rates["words"]), f, "full",
                         _windows_note(kept), restored=True)

    def _fingerprint_windows(self, windows) -> Detection:
        words = hits = 0
        kept = TopSpans(self.MAX_SPANS)
        for offset, w in windows():
            words += _count_words(w)
            found = self.matcher.find(w) if len(self.matcher) else []
            hits += len(found)
            kept.add(fingerprint_spans(found, 1.0), offset)
        if words == 0:
            return _no_text("fingerprints")
        score = sigmoid(self.model.fp_llr * hits)
        return Detection(score, kept.result(score), words, {"fp_hits": float(hits)}, "fingerprints",
                         _windows_note(kept))


@functools.lru_cache(maxsize=16)
def get_detector(config: DetectConfig = DetectConfig()) -> Detector:
    """One :class:`Detector` per configuration and process (a worker or handler reuses it)."""
    return Detector(config)


def detect(text: str, config: DetectConfig | None = None, **options) -> Detection:
    """Spin score (a calibrated probability) and suspicious spans of ``text``.

    ``options`` are :class:`DetectConfig` fields. By default the fast scan scores every
    document, and documents it scores from 0.5 up to (not including) 0.99, or lower but dense
    in learned spinner swaps, are scored again with restoration. ``fast=True``: the scan alone
    (fastest). ``restore=True``: restoration on every document (slowest).
    ``mode="fingerprints"``: fingerprint hits only (blind to spins that use no listed phrase).
    """
    if config is None:
        config = DetectConfig(**options)
    elif options:
        raise TypeError("pass either a DetectConfig or keyword options, not both")
    return get_detector(config).detect(text)


def _count_words(text: str) -> int:
    from ..lang.tokenize import WORD_RE

    return sum(1 for _ in WORD_RE.finditer(text))


def _no_text(mode: str) -> Detection:
    # No words, no evidence: the even prior, and Detection.flagged() is False for it.
    return Detection(0.5, [], 0, {}, mode, note="no text: no evidence either way")


def _windows_note(kept: TopSpans) -> str:
    note = "long text: scored window by window, its rates summed over all windows"
    if kept.seen > kept.limit:
        note += f"; {kept.seen} spans found, the {kept.limit} highest-scoring kept"
    return note


def _short_note(words: int) -> str:
    if words < 100:
        return f"short text ({words} words): little evidence either way, so the score stays nearer the middle"
    return ""
