"""Detection metrics: document ranking (AUROC, TPR at a fixed FPR, calibration) and span
precision/recall against gold spans (the words a spin changed).

>>> span_metrics([span_scores([(4, 16)], gold_spans("the loss of life toll rose", "the death toll rose"),
...                           "the loss of life toll rose")])["span_f1"]
1.0
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence

import numpy as np

from ..lang.tokenize import tokenize


def gold_token_mask(spun: str, original: str) -> list[bool]:
    """For each word token of ``spun``: does it differ from ``original`` (word alignment)?

    >>> gold_token_mask("the loss of life toll rose", "the death toll rose")
    [False, True, True, True, False, False]
    """
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
    """Precision, recall and F1 of summed :func:`span_scores` counts, at span level (any
    overlap) and word level (NaN where undefined)."""
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
