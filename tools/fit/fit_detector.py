#!/usr/bin/env python3
"""Fit the spin detector into ``src/unspin/data/detector.json`` and print held-out figures.

Data: the JSONL files of ``tools/datasets/make_detect_data.py`` (default ``build/detect-data``). The models
are fitted on the ``train`` split only (clean prose and its synthetic spins, long documents and
short paragraphs). Figures are on the ``test`` split (other source files) and on the wild-dev
articles, which are never fitted on.

Models (plain logistic regressions, ``unspin.detection.model.fit_logreg``):

1. token model, P(word is a substitution | the text is spun), fitted on the words of spun
   training documents (gold: the words that differ from the original); with ``--context``, the
   spins of the context-fitting spinner (``context.jsonl``) too. Without it (the default), the
   context spins' test split is only reported (``info.context_test``);
2. document model over the smoothed rates (``unspin.detection.model.DOC_FEATURES``); the pseudo-count
   centres are the midpoints between the clean and spun training medians, so a short text
   carries little evidence and gets a score near the middle;
3. fingerprint-only document model over the fingerprint rate;
4. span forming: the token probability threshold, the hysteresis floor and the number of function
   words a span may bridge (at most 2) that together maximise span F1 on the spun training
   documents. Span F1 counts any overlap, so it favours longer spans: word-level figures are
   reported beside it.

The scan (the slow part) does not depend on the fitted weights, so every document is scanned
once and the models are fitted on the stored evidence: a rerun takes a few minutes.

Usage::

    python -m tools.fit.fit_detector [--data build/detect-data] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from unspin.detection.detector import Detector  # noqa: E402
from unspin.detection.model import (DOC_FEATURES, RESTORE_FEATURES, TOKEN_FEATURES, LogReg, Model,  # noqa: E402
                                    fit_logreg, logit)
from unspin.detection.scan import counted, token_features  # noqa: E402
from unspin.detection.spans import build_spans  # noqa: E402
from unspin.evaluation.metrics import (auroc, calibration, doc_metrics, gold_spans, gold_token_mask,  # noqa: E402
                                       span_metrics, span_scores)

PSEUDO = {"tokens": 40.0}
RATES = ("tok_mean", "strong_rate", "rare_rate", "nocand_rate", "rarity_mean")


def bootstrap_model() -> Model:
    def zero(names, b=-2.0):
        return LogReg(list(names), np.zeros(len(names)), b, np.zeros(len(names)), np.ones(len(names)))

    return Model(zero(TOKEN_FEATURES), zero(DOC_FEATURES), {k: 0.1 for k in RATES}, dict(PSEUDO), 0.5, 1.0, {})


_W: dict = {}


def _init(fingerprints: bool):
    # An exception here would make the pool respawn workers forever: keep it for _scan.
    try:
        _W["det"] = Detector(fingerprints=fingerprints, model=bootstrap_model())
    except Exception as e:  # noqa: BLE001
        _W["error"] = e


def _scan(row: dict):
    if "error" in _W:
        raise RuntimeError(f"worker set-up failed: {_W['error']!r}")
    return _W["det"].analyze(row["text"])


_R: dict = {}


def _restore_job(job):
    """Restore the gated sentences of one document; the learned table leaves out its group."""
    text, spans, group, fingerprints = job
    from unspin.restoration.restorer import Restorer, RestoreConfig, shipped_table

    key = (group, fingerprints)
    r = _R.get(key)
    if r is None:
        table = shipped_table()
        if group and group in table.groups:
            table = table.without(group)
        if len(_R) > 16:
            _R.clear()
        r = _R[key] = Restorer(RestoreConfig(fingerprints=fingerprints), table=table)
    return [ed.confidence for ed in r.restore_spans(text, spans)]


def restore_all(det, analyses, rows, jobs, fingerprints=True, desc=""):
    """Edit confidences per document, restoration on the sentences the detector gates."""
    t = time.time()
    jobs_ = [(a.text, det.gated_sentences(a), r.get("article"), fingerprints) for a, r in zip(analyses, rows)]
    if jobs > 1:
        with mp.get_context("fork").Pool(jobs) as pool:
            out = pool.map(_restore_job, jobs_, chunksize=8)
    else:
        out = [_restore_job(j) for j in jobs_]
    gated = sum(e - s for j in jobs_ for s, e in j[1])
    chars = sum(len(a.text) for a in analyses)
    print(f"  restore {desc}: {len(rows)} docs, {time.time() - t:.0f}s, {gated / max(chars, 1):.0%} of the text gated",
          file=sys.stderr)
    return out


def scan(rows, jobs, fingerprints=True, desc=""):
    t = time.time()
    if jobs > 1:
        with mp.get_context("fork").Pool(jobs, _init, (fingerprints,)) as pool:
            out = pool.map(_scan, rows, chunksize=16)
    else:
        _init(fingerprints)
        out = [_scan(r) for r in rows]
    words = sum(a.words for a in out)
    dt = time.time() - t
    print(f"  scan {desc}: {len(rows)} docs, {words} words, {dt:.0f}s ({words / max(dt, 1e-9) / jobs:.0f} words/s per core)",
          file=sys.stderr)
    return out


def load(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def set_probs(model: Model, analyses) -> None:
    for a in analyses:
        if not a.evidence:
            continue
        X = np.array([token_features(ev) for ev in a.evidence])
        P = model.token.prob(X)
        for ev, p in zip(a.evidence, P.tolist()):
            ev.p = p if counted(ev) else 0.0


def score_all(det: Detector, analyses) -> list[float]:
    return [det.score(det.doc_features(a)) if a.text.strip() else 0.5 for a in analyses]


def by_rate(scores, rows) -> dict:
    """Each spin rate's documents against all clean documents of the split."""
    neg = [s for s, r in zip(scores, rows) if r["label"] == 0]
    out = {}
    for rate in sorted({r.get("rate") for r in rows if r["label"] == 1}):
        pos = [s for s, r in zip(scores, rows) if r["label"] == 1 and r.get("rate") == rate]
        out[str(rate)] = doc_metrics(pos + neg, [1] * len(pos) + [0] * len(neg))
    return out


def by_source(scores, rows) -> dict:
    out = {}
    for src in sorted({r.get("source") for r in rows if r["label"] == 0}):
        v = np.array([s for s, r in zip(scores, rows) if r["label"] == 0 and r.get("source") == src])
        out[src] = {"n": int(len(v)), "mean": round(float(v.mean()), 3), "share_at_0.5": round(float((v >= 0.5).mean()), 3)}
    return out


def span_eval(analyses, rows, scores, threshold, low=None, gap=0) -> dict:
    counts = []
    for a, r, sc in zip(analyses, rows, scores):
        if r["label"] != 1 or not r.get("original"):
            continue
        spans = build_spans(a, threshold, sc, low, gap)
        counts.append(span_scores([(s.start, s.end) for s in spans], gold_spans(r["text"], r["original"]), r["text"]))
    return {k: round(v, 4) for k, v in span_metrics(counts).items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "build", "detect-data"))
    ap.add_argument("--out", default=os.path.join(ROOT, "src", "unspin", "data", "detector.json"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--no-restore", action="store_true", help="do not fit the restoration document model")
    ap.add_argument("--context", action="store_true",
                    help="also fit the token model and spans on the context-fitting spins (context.jsonl)")
    ap.add_argument("--token-data", choices=["spun", "both"], default="spun",
                    help="fit the token model on the words of spun documents only (P(substituted | spun)), "
                         "or of clean documents too")
    args = ap.parse_args()
    t0 = time.time()

    clean = load(os.path.join(args.data, "clean.jsonl"))
    synth = load(os.path.join(args.data, "synthetic.jsonl"))
    short = load(os.path.join(args.data, "short.jsonl"))
    wild = load(os.path.join(args.data, "wild.jsonl"))
    context = load(os.path.join(args.data, "context.jsonl"))
    ctx_train = [r for r in context if r["split"] == "train"] if args.context else []
    ctx_test = [r for r in context if r["split"] == "test"]
    if not clean or not synth:
        sys.exit(f"no data in {args.data}: run tools/datasets/make_detect_data.py first")
    train_long = [r for r in clean + synth if r["split"] == "train"]
    train_short = [r for r in short if r["split"] == "train"]
    test_long = [r for r in clean + synth if r["split"] == "test"]
    test_short = [r for r in short if r["split"] == "test"]
    train = train_long + train_short

    print("scanning", file=sys.stderr)
    A_train = scan(train, args.jobs, desc="train")
    A_test = scan(test_long, args.jobs, desc="test")
    A_short = scan(test_short, args.jobs, desc="test short")
    A_wild = scan(wild, args.jobs, desc="wild") if wild else []
    A_wild_nofp = scan(wild, args.jobs, fingerprints=False, desc="wild, fingerprints off") if wild else []
    A_test_nofp = scan(test_long, args.jobs, fingerprints=False, desc="test, fingerprints off")
    A_ctx = scan(ctx_train, args.jobs, desc="context spins, train") if ctx_train else []
    A_ctx_test = scan(ctx_test, args.jobs, desc="context spins, test") if ctx_test else []

    model = bootstrap_model()
    print("token model", file=sys.stderr)
    X, y = [], []
    for a, r in zip(A_train + A_ctx, train + ctx_train):
        if r["label"] == 1 and r.get("original"):
            mask = gold_token_mask(r["text"], r["original"])
        elif r["label"] == 0 and args.token_data == "both":
            mask = [False] * len(a.evidence)
        else:
            continue
        for ev, m in zip(a.evidence, mask):
            if counted(ev):
                X.append(token_features(ev))
                y.append(int(m))
    X, y = np.array(X), np.array(y)
    model.token = fit_logreg(X, y, TOKEN_FEATURES, l2=args.l2)
    tok_auc = auroc(model.token.prob(X), y)
    model.priors = dict(model.priors, token_base=float(y.mean()))
    print(f"  tokens {len(y)}, substituted {y.mean():.3f}, train AUROC {tok_auc:.3f}", file=sys.stderr)
    for A in (A_train, A_test, A_short, A_wild, A_wild_nofp, A_test_nofp, A_ctx, A_ctx_test):
        set_probs(model, A)

    print("document model", file=sys.stderr)
    det = Detector(model=model)
    long_n = len(train_long)
    raw = [det.raw_rates(a) for a in A_train[:long_n]]
    labels_long = [r["label"] for r in train_long]
    priors = {"token_base": model.priors["token_base"]}
    for k in RATES:
        per = {lab: [x[k] / x["n"] for x, l in zip(raw, labels_long) if l == lab and x["n"]] for lab in (0, 1)}
        priors[k] = float((np.median(per[0]) + np.median(per[1])) / 2)
    model.priors = priors
    feats = [det.doc_features(a) for a in A_train]
    Xd = np.array([[f[k] for k in DOC_FEATURES] for f in feats])
    yd = np.array([r["label"] for r in train])
    model.doc = fit_logreg(Xd, yd, DOC_FEATURES, l2=args.l2)
    # Fingerprint hits: a fixed log-likelihood ratio per hit from hit rates per word (add-0.5),
    # spun vs clean training text; too few hits for the regression to weigh them.
    hw = {lab: [0, 0] for lab in (0, 1)}
    for a, r in zip(A_train, train):
        hw[r["label"]][0] += len(a.hits)
        hw[r["label"]][1] += a.words
    model.fp_llr = float(math.log(((hw[1][0] + 0.5) / hw[1][1]) / ((hw[0][0] + 0.5) / hw[0][1])))
    fp_counts = {"spun_hits": hw[1][0], "spun_words": hw[1][1], "clean_hits": hw[0][0], "clean_words": hw[0][1]}
    print(f"  fingerprint log-likelihood ratio per hit {model.fp_llr:.2f} from {fp_counts}", file=sys.stderr)
    train_scores = score_all(det, A_train)
    print(f"  train AUROC {auroc(train_scores, yd):.4f}", file=sys.stderr)

    # The cascade's second trigger: learned spinner swaps per 100 words beyond what 99% of the
    # clean training documents show (their table never saw these files: it is learned from
    # wild-dev news). Spun training documents are not used: the synthetic spinner does not
    # have real spinners' habits.
    swap_rates = np.array([100.0 * det.learned_swaps(a) / max(a.words, 1)
                           for a, r in zip(A_train[:long_n], train_long) if r["label"] == 0])
    model.swap_rate = round(float(np.percentile(swap_rates, 99)), 3)
    swap_info = {"documents": len(swap_rates), **{f"p{q}": round(float(np.percentile(swap_rates, q)), 3)
                                                  for q in (50, 90, 95, 99)}, "max": round(float(swap_rates.max()), 3)}
    print(f"  learned-swap trigger {model.swap_rate} per 100 words from {swap_info}", file=sys.stderr)

    print("span forming", file=sys.stderr)
    # Threshold, hysteresis floor and function-word bridge chosen together for span F1 on the
    # spun training documents (never on wild-dev).
    span_A = A_train[:long_n] + A_ctx
    span_rows = train_long + ctx_train
    span_scores_ = train_scores[:long_n] + score_all(det, A_ctx)
    best = (-1.0, (0.5, None, 0))
    for thr in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        for low in (None, 0.1, 0.15, 0.2):
            if low is not None and low >= thr:
                continue
            for gap in (0, 1, 2):
                m = span_eval(span_A, span_rows, span_scores_, thr, low, gap)
                print(f"  threshold {thr} low {low} gap {gap}: {m}", file=sys.stderr)
                f1 = m["span_f1"] if m["span_f1"] == m["span_f1"] else 0.0
                if f1 > best[0]:
                    best = (f1, (thr, low, gap))
    model.span_threshold, model.span_low, model.span_gap = best[1]
    print(f"  chosen: threshold {model.span_threshold}, low {model.span_low}, gap {model.span_gap}", file=sys.stderr)

    restore_info = {}
    y_test = [r["label"] for r in test_long]
    y_short = [r["label"] for r in test_short]
    if not args.no_restore:
        print("document model with restoration", file=sys.stderr)
        conf_train = restore_all(det, A_train, train, args.jobs, desc="train")
        raw_rate = {lab: [] for lab in (0, 1)}
        raw_conf = []
        for a, c, r in zip(A_train[:long_n], conf_train, train_long):
            n = sum(1 for ev in a.evidence if counted(ev))
            if n:
                raw_rate[r["label"]].append(len(c) / n)
            raw_conf.extend(c)
        model.priors["edit_rate"] = float((np.median(raw_rate[0]) + np.median(raw_rate[1])) / 2)
        model.priors["edit_conf"] = float(np.mean(raw_conf)) if raw_conf else 0.8
        names = DOC_FEATURES + RESTORE_FEATURES
        feats_r = []
        for a, c, f in zip(A_train, conf_train, feats):
            g = dict(f)
            g.update(det.restore_features(a, c))
            feats_r.append([g[k] for k in names])
        model.doc_restore = fit_logreg(np.array(feats_r), yd, names, l2=args.l2)

        def score_r(analyses, confs):
            out = []
            for a, c in zip(analyses, confs):
                f = det.doc_features(a)
                f.update(det.restore_features(a, c))
                out.append(det.score(f))
            return out

        c_test = restore_all(det, A_test, test_long, args.jobs, desc="test")
        c_short = restore_all(det, A_short, test_short, args.jobs, desc="test short")
        c_wild = restore_all(det, A_wild, wild, args.jobs, desc="wild (table without the article)")
        sr_test, sr_short, sr_wild = score_r(A_test, c_test), score_r(A_short, c_short), score_r(A_wild, c_wild)
        yw = [r["label"] for r in wild]
        ks = [i for i, r in enumerate(wild) if r["kind"] in ("wild-synonym", "wild-original")]
        neg_t = [x for x, r in zip(sr_test, test_long) if r["label"] == 0]
        heavy = [x for x, r in zip(sr_test, test_long) if r.get("rate") == 0.6] + \
            [sr_wild[i] for i in ks if wild[i]["label"] == 1]
        neg_all = neg_t + [sr_wild[i] for i in ks if wild[i]["label"] == 0]
        restore_info = {
            "test": doc_metrics(sr_test, y_test),
            "test_by_rate": by_rate(sr_test, test_long),
            "test_short": doc_metrics(sr_short, y_short),
            "wild_synonym_vs_wild_originals": doc_metrics([sr_wild[i] for i in ks], [yw[i] for i in ks]),
            "wild_synonym_and_rate_0.6_vs_all_clean": doc_metrics(heavy + neg_all, [1] * len(heavy) + [0] * len(neg_all)),
            "calibration_test": calibration(sr_test, y_test),
            "wild_scores": {r["id"]: round(x, 4) for r, x in zip(wild, sr_wild)},
        }
        print(json.dumps({k: v for k, v in restore_info.items() if "calibration" not in k}, indent=1), file=sys.stderr)

    print("evaluation", file=sys.stderr)
    s_test = score_all(det, A_test)
    s_short = score_all(det, A_short)
    s_wild = score_all(det, A_wild)
    s_wild_nofp = score_all(det, A_wild_nofp)
    s_test_nofp = score_all(det, A_test_nofp)
    y_test = [r["label"] for r in test_long]
    y_short = [r["label"] for r in test_short]

    def wsel(kinds, scores):
        idx = [i for i, r in enumerate(wild) if r["kind"] in kinds]
        return [scores[i] for i in idx], [wild[i]["label"] for i in idx], idx

    ws, wy, wi = wsel(("wild-synonym", "wild-original"), s_wild)
    rs, ry, _ = wsel(("wild-rewrite", "wild-original"), s_wild)
    ws_nofp, wy_nofp, _ = wsel(("wild-synonym", "wild-original"), s_wild_nofp)
    syn_idx = [i for i, r in enumerate(wild) if r["kind"] == "wild-synonym"]
    short_words = np.array([a.words for a in A_short])
    info = {
        "fitted": time.strftime("%Y-%m-%d"),
        "data": {"train_long": len(train_long), "train_short": len(train_short), "test_long": len(test_long),
                 "context_train": len(ctx_train), "context_test": len(ctx_test),
                 "test_short": len(test_short), "wild": len(wild)},
        "token_train_auroc": round(tok_auc, 4),
        "fingerprint_counts": fp_counts,
        "test": doc_metrics(s_test, y_test),
        "test_plus_wild_synonym": doc_metrics(s_test + ws, y_test + wy),
        "wild_synonym_vs_wild_originals": doc_metrics(ws, wy),
        "wild_rewrite_vs_wild_originals": doc_metrics(rs, ry),
        "test_short": doc_metrics(s_short, y_short),
        "no_fingerprints": {"test": doc_metrics(s_test_nofp, y_test),
                            "wild_synonym_vs_wild_originals": doc_metrics(ws_nofp, wy_nofp)},
        "spans_wild_synonym": span_eval([A_wild[i] for i in syn_idx], [wild[i] for i in syn_idx],
                                        [s_wild[i] for i in syn_idx], model.span_threshold,
                                        model.span_low, model.span_gap),
        "spans_test": span_eval(A_test, test_long, s_test, model.span_threshold, model.span_low, model.span_gap),
        "context_test": doc_metrics(score_all(det, A_ctx_test) + [x for x, r in zip(s_test, test_long) if r["label"] == 0],
                                    [1] * len(A_ctx_test) + [0] * sum(1 for r in test_long if r["label"] == 0))
        if A_ctx_test else {},
        "spans_context_test": span_eval(A_ctx_test, ctx_test, score_all(det, A_ctx_test), model.span_threshold,
                                        model.span_low, model.span_gap) if A_ctx_test else {},
        "test_by_rate": by_rate(s_test, test_long),
        "test_clean_by_source": by_source(s_test, test_long),
        "calibration_test": calibration(s_test, y_test),
        "calibration_short": calibration(s_short, y_short),
        "short_mean_abs_logit": round(float(np.mean(np.abs([logit(s) for s in s_short]))), 3),
        "long_mean_abs_logit": round(float(np.mean(np.abs([logit(s) for s in s_test]))), 3),
        "short_words_median": int(np.median(short_words)) if len(short_words) else 0,
        "wild_scores": {r["id"]: round(s, 4) for r, s in zip(wild, s_wild)},
        "with_restore": restore_info,
        "learned_swaps_clean_train": swap_info,
        "seconds": round(time.time() - t0),
    }
    model.info = info
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(model.to_dict(), f, indent=1)
        f.write("\n")
    print(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
