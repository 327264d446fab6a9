"""Document-level decoding: decide a spinner's swaps across the whole document.

A spinner rewrites a document, not a sentence, and the same way throughout: in a spun news story
"said" becomes "mentioned" nine times and never appears itself. So restore decides a document's
edits together:

1. **the gate** (:class:`Gate`): how likely the document is spun at all, from the detector
   (:mod:`unspin.detection`: calibrated on clean prose and synthetic spins, never fitted on real
   spun articles), with its per-word scan probabilities. A document it scores under
   :data:`SKIP_BELOW` is left as it is;
2. **positions** (:func:`positions`): every place with candidate originals, each with what the
   detector and the decoder know of it: the document's spin probability and how heavily it seems
   spun, the scan, each candidate's sources, language-model gain and rank, and how often the
   document repeats the same swap (a consistent spinner's trace);
3. **the edit models** (:class:`EditModel`): P(the word is a spinner's) per position and
   P(this candidate is the original | it is) per candidate, fitted on synthetic spins of several
   spinner families (``tools/fit/fit_edit_model.py``);
4. **decisions** (:func:`decide`): an edit where P(spun) * P(right | spun) > P(clean).

Each edit's evidence names the document-level reasons beside its sources and the context model
(``doc:spun=0.97``; ``doc:tied=5`` when the same swap was proposed at five places).
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass



# The detector calls a document this unlikely to be spun clean: it is left as it is, unproposed
# (speed: the scan alone; chosen a priori, not tuned). On held-out clean news 27 of 29
# articles score below it; the lowest real spun article of wild-dev scores 0.27.
SKIP_BELOW = 0.1
# Edit cost removed (natural-log units) from a document past the gate, times 2 P(spun) - 1 (none
# at P(spun) <= 0.5, where the detector has little to say, as on short texts): at P(spun) = 1 the
# decoder is this much bolder than on text of unknown origin. Chosen on wild-dev articles
# leave-one-article-out (docs/restore.md).
BOLDNESS = 4.0
# ... in full for a candidate some source besides the thesaurus proposes (PPDB, the learned table,
# the periphrase table, the fingerprints), in this share for a thesaurus-only one: Moby lists
# hundreds of neighbours per word, so its link alone says little of what the original was
# (the middle of 0 and 1, set after seeing wild-dev by article at 1.0: 0.185, 0.5: 0.252,
# 0.0: 0.244; a Moby spinner's spins, whose swaps are thesaurus-only: 0.222 at 1.0, 0.168 at 0.5).
UNSUPPORTED_SHARE = 0.5
# ... and only in a text of this many tokens or more: a sentence with one tortured phrase is
# likely "spun", but says nothing of a spinner's habits (chosen a priori: about a paragraph).
BOLD_MIN_WORDS = 60


# A swap the first pass makes at k >= 2 places of a document gets TIE * ln(k) more evidence
# wherever its spun form occurs; the other originals proposed there for that form get UNTIE
# less (a spinner maps a word one way throughout). Chosen on wild-dev leave-one-article-out.
TIE = 2.0
UNTIE = 2.0


def ties(chosen: Sequence[tuple[tuple[str, ...], tuple[str, ...]]], tie: float | None = None,
         untie: float | None = None) -> tuple[dict, dict]:
    """From the (spun, original) pairs a first pass chose, once per place: the bonus per pair
    for the next pass, and the evidence note of each tied pair (``doc:tied=K``)."""
    tie = TIE if tie is None else tie
    untie = UNTIE if untie is None else untie
    by_spun: dict = defaultdict(Counter)
    for spun, orig in chosen:
        by_spun[spun][orig] += 1
    bonus, notes = {}, {}
    for spun, origs in by_spun.items():
        (best, k), = origs.most_common(1)
        if k < 2:
            continue
        bonus[(spun, best)] = tie * math.log(k)
        notes[(spun, best)] = f"doc:tied={k}"
        for orig in origs:
            if orig != best:
                bonus[(spun, orig)] = -untie
    return bonus, notes


class Gate:
    """P(document is spun) from the detector (its default cascade: the scan, and sentence-level
    restoration where the scan is unsure), run with the restorer's own candidate sources and
    learned table, so that what the table must not know (an article scored
    leave-one-article-out) the gate does not know either."""

    def __init__(self, restorer, fingerprints: bool = True):
        self.restorer = restorer
        self.fingerprints = fingerprints

    @functools.cached_property
    def detector(self):
        from ..detection.detector import DetectConfig, Detector

        return Detector(DetectConfig(fingerprints=self.fingerprints), restorer=self.restorer)

    def p_spun(self, text: str, tokens: list | None = None) -> float:
        """P(spun) of the document (0.5 for a text without words, as detect scores it);
        ``tokens``: its :func:`unspin.lang.tokenize.tokenize`, when the caller has them."""
        det = self.detector
        a = det.analyze(text, tokens)
        return det.score_analysis(a)[0] if a.words else 0.5

    def __call__(self, text: str) -> tuple[float, list[float]]:
        """P(spun) of the document, and per token P(the word is a substitution | spun) from
        the scan (0 for words the scan does not question: function words, names)."""
        det = self.detector
        a = det.analyze(text)
        if a.words == 0:
            return 0.5, [0.0] * len(a.tokens)  # as detect() scores a text with no words
        return det.score_analysis(a)[0], [ev.p for ev in a.evidence]


# -- the edit models: which proposed edits to make -----------------------------------------
#
# Where a spun document is decoded boldly, the question at each position is not "does the
# best candidate read better?" (common words fit any context) but "is this word a spinner's,
# and which candidate is its original?". Two logistic regressions answer it, fitted on
# synthetic spins of several spinner families (tools/fit/fit_edit_model.py), never on real
# spun articles:
#   * the position model, P(the word here is a spinner's), over what the detector and the
#     decoder know about the position (the document's spin probability, the scan, the best
#     candidate's evidence, how often the document repeats the same swap);
#   * the candidate model, P(this candidate is the original | the word is a spinner's), over
#     each candidate's evidence (its sources, the language model, its rank).
# An edit is made where P(spun) * P(right | spun) > P(clean): the repair metric's break-even
# (a wrong original on a spun word costs nothing, an edit of a clean word costs one).

POSITION_FEATURES = (
    "local", "lm_gain", "channel", "margin2", "options", "scan_p", "scanned", "doc", "tie",
    "occurrences", "spun_words", "orig_words", "function_word", "supported", "exact",
    "doc_x_local", "doc_x_scan_p", "doc_x_tie", "doc_x_lm_gain", "doc_scan_mean", "doc_strong",
)
CANDIDATE_BASE = ("local", "lm_gain", "channel", "rank", "gap", "tie", "spun_words", "orig_words",
                  "supported", "exact")


def position_features(channel_features: Sequence[str]) -> tuple[str, ...]:
    """The position model's features: the base ones and the best candidate's channel
    features (``ch_<name>``: each source's evidence, frequencies; not the bias)."""
    return POSITION_FEATURES + tuple(f"ch_{k}" for k in channel_features if k != "bias")


def candidate_features(channel_features: Sequence[str]) -> tuple[str, ...]:
    return CANDIDATE_BASE + tuple(f"ch_{k}" for k in channel_features if k != "bias")


@dataclass(slots=True)
class Position:
    """A position of the document with candidates: its options (best first) and features."""

    sentence: int
    options: list            # decode.Option, best first ("keep" left out)
    spuns: list              # the spun words each option replaces
    features: dict           # position model features
    candidate: list          # candidate model features, per option
    p_spun: float = 0.0      # position model
    p_right: list | None = None  # candidate model, per option


def doc_logit(p_spun: float | None) -> float:
    if p_spun is None:
        return 0.0
    p = min(max(p_spun, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def positions(rows_per_sentence: Sequence[list[list]], words_per_sentence: Sequence[list[str]],
              token_p: Sequence[Sequence[float]], p_spun: float | None, pool: float,
              bias: float, function_words: frozenset, channel_features=None) -> list[Position]:
    """Every position with candidates, and the features both models see.
    ``rows_per_sentence``: :meth:`Decoder.options` per sentence (built with boost ``pool``);
    ``token_p``: the scan's token probabilities per sentence; ``bias``: the channel's edit cost;
    ``channel_features(spun, candidate)``: the channel's feature dict (added as ``ch_<name>``)."""
    out: list[Position] = []
    best_pairs: Counter = Counter()
    spun_forms: Counter = Counter()
    d = doc_logit(p_spun)
    for si, (rows, words, tp) in enumerate(zip(rows_per_sentence, words_per_sentence, token_p)):
        for w in words:
            spun_forms[(w,)] += 1
        for row in rows:
            if len(row) < 2:
                continue
            opts = row[1:]
            spuns = [tuple(words[o.start:o.start + o.n]) for o in opts]
            cands = []
            top = opts[0].local
            for r, (o, spun) in enumerate(zip(opts, spuns)):
                c = o.candidate
                local = o.local - pool
                f = {"local": local, "lm_gain": o.local - o.channel, "channel": o.channel - pool - bias,
                     "rank": float(r), "gap": top - o.local, "spun_words": float(o.n),
                     "orig_words": float(len(o.words)), "supported": float(bool(c.support)),
                     "exact": float(c.exact)}
                if channel_features is not None:
                    for k, v in channel_features(spun, c).items():
                        if k != "bias":
                            f["ch_" + k] = v
                cands.append(f)
            best, b = opts[0], cands[0]
            second = opts[1].local - pool if len(opts) > 1 else b["local"] - 10.0
            sp = max(tp[best.start:best.start + best.n])
            pf = dict(b)
            pf.update({"margin2": min(b["local"] - second, 10.0), "options": math.log(len(opts)),
                       "scan_p": sp, "scanned": float(sp > 0), "doc": d,
                       "function_word": float(best.n == 1 and spuns[0][0] in function_words)})
            for o, spun in zip(opts, spuns):
                best_pairs[(spun, o.words)] += 1
            out.append(Position(si, opts, spuns, pf, cands))
    # How heavily the document is spun (spinners differ: a tenth of the words, or half): the
    # scan's mean token probability, and the share of words with a strongly preferred candidate.
    scanned = [p for tp in token_p for p in tp if p > 0]
    scan_mean = sum(scanned) / len(scanned) if scanned else 0.0
    n_words = sum(len(w) for w in words_per_sentence) or 1
    strong = sum(pos.candidate[0]["local"] > 0 for pos in out) / n_words
    for pos in out:
        pos.features["doc_scan_mean"] = scan_mean
        pos.features["doc_strong"] = strong
        for o, spun, f in zip(pos.options, pos.spuns, pos.candidate):
            f["tie"] = math.log(best_pairs[(spun, o.words)])
        f = pos.features
        f["tie"] = pos.candidate[0]["tie"]
        f["occurrences"] = math.log(spun_forms.get(pos.spuns[0], 1)) if len(pos.spuns[0]) == 1 else 0.0
        f["doc_x_local"] = d * f["local"]
        f["doc_x_scan_p"] = d * f["scan_p"]
        f["doc_x_tie"] = d * f["tie"]
        f["doc_x_lm_gain"] = d * f["lm_gain"]
    return out


def decide(pos_list: Sequence[Position]) -> list[tuple[Position, int, float]]:
    """The edits to make, as (position, option index, P(right)): at each position the most
    probable original, where P(spun) * P(right | spun) > 1 - P(spun); most probable first,
    no two overlapping in a sentence."""
    scored = []
    for pos in pos_list:
        k = max(range(len(pos.options)), key=pos.p_right.__getitem__)
        right = pos.p_spun * pos.p_right[k]
        if right > 1.0 - pos.p_spun:
            scored.append((right, pos, k))
    taken: dict[int, list[tuple[int, int]]] = defaultdict(list)
    out = []
    for right, pos, k in sorted(scored, key=lambda x: -x[0]):
        o = pos.options[k]
        a, b = o.start, o.start + o.n
        if any(a < y and x < b for x, y in taken[pos.sentence]):
            continue
        taken[pos.sentence].append((a, b))
        out.append((pos, k, right))
    return out


class EditModel:
    """The two models of :func:`decide` (experimental, ``RestoreConfig(edit_model=PATH)``), and
    the candidate pool they were fitted with (the edit cost removed while gathering candidates)."""

    POOL = 8.0        # default edit cost removed while gathering candidates
    CANDIDATES = 10   # candidates per position (the decoder's best, by its own score)

    def __init__(self, position, candidate, pool: float = POOL, info: dict | None = None):
        self.position = position
        self.candidate = candidate
        self.pool = pool
        self.info = info or {}

    @classmethod
    def load(cls, path: str) -> "EditModel":
        """The edit models of a file written by ``tools/fit/fit_edit_model.py``."""
        import json

        from ..detection.model import LogReg
        from ..errors import UnspinError

        try:
            with open(path, encoding="utf-8") as f:
                d = json.load(f)
            return cls(LogReg.from_dict(d["position"]), LogReg.from_dict(d["candidate"]), float(d["pool"]),
                       d.get("info"))
        except (OSError, ValueError, KeyError) as e:
            raise UnspinError(f"cannot read edit model {path}: {e}") from None

    def to_dict(self) -> dict:
        return {"format": "unspin-edit-model/1", "pool": self.pool, "position": self.position.to_dict(),
                "candidate": self.candidate.to_dict(), "info": self.info}

    def score(self, found: Sequence[Position]) -> None:
        """Set ``p_spun`` and ``p_right`` of every position."""
        import numpy as np

        if not found:
            return
        pm, cm = self.position, self.candidate
        P = pm.prob(np.array([[pos.features.get(k, 0.0) for k in pm.names] for pos in found]))
        rows = [f for pos in found for f in pos.candidate]
        C = cm.prob(np.array([[f.get(k, 0.0) for k in cm.names] for f in rows])).tolist()
        at = 0
        for pos, p in zip(found, P.tolist()):
            pos.p_spun = p
            pos.p_right = C[at:at + len(pos.candidate)]
            at += len(pos.candidate)
