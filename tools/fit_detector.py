#!/usr/bin/env python3
"""Fit the spin detector (token and document logistic regressions) into ``src/unspin/data/detector.json``.

Data: the JSONL files of ``tools/make_detect_data.py`` (default ``build/detect-data``). The model
is fitted on the ``train`` split only (clean prose and its synthetic spins, long documents and
short paragraphs); the figures stored in the model file and printed are on the ``test`` split
(other source files) and on the wild-dev articles, which are never fitted on unless
``--fit-wild`` is given, and then scored leave-one-article-out.

Stages (each is a plain logistic regression, see ``unspin.detect``):

1. token model on the scan features (restoration off); it also gates restoration;
2. token model with the restoration features (restoration on the gated sentences);
3. document model over the smoothed rates; the pseudo-count centres are the midpoints between
   the clean and spun training medians, so that little text means a score near the middle;
4. fingerprint-only document model; 5. the span threshold (best word-level F1 on training spins).

Usage::

    python tools/fit_detector.py [--data build/detect-data] [--jobs 2] [--limit N]
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

import unspin.detect as D  # noqa: E402

PSEUDO = {"tokens": 40.0, "words": 80.0, "fp_words": 300.0}
GATE = 0.35
LONG = 100


def bootstrap_model() -> D.Model:
    def zero(names, b=-2.0):
        return D.LogReg(list(names), np.zeros(len(names)), b, np.zeros(len(names)), np.ones(len(names)))

    priors = {"tok_mean": 0.2, "tok_high": 0.1, "edit_rate": 0.05, "edit_conf": 0.7, "lm_gain": 0.3}
    return D.Model(zero(D.TOKEN_FEATURES_SCAN), zero(D.TOKEN_FEATURES_FULL), zero(D.DOC_FEATURES),
                   zero(D.FP_FEATURES), priors, dict(PSEUDO), 0.5, GATE, {})


# -- worker -----------------------------------------------------------------------------------
_W: dict = {}


def _init(model, restore, fingerprints):
    _W["model"] = model
    _W["restore"] = restore
    _W["fp"] = fingerprints
    _W["dets"] = {}


def _detector(group: str | None):
    key = group if (_W["restore"] != "off" and group) else None
    det = _W["dets"].get(key)
    if det is None:
        restorer = None
        if key is not None:
            from unspin.restore import Restorer, RestoreConfig, shipped_table

            table = shipped_table()
            if key in table.groups():
                restorer = Restorer(RestoreConfig(fingerprints=_W["fp"]), table=table.without(key))
        det = D.Detector(fingerprints=_W["fp"], restore=_W["restore"], model=_W["model"], restorer=restorer)
        if len(_W["dets"]) > 20:
            _W["dets"].clear()
        _W["dets"][key] = det
    return det


def _work(row: dict) -> dict:
    """Token features/labels and document features of one row under the worker's model."""
    det = _detector(row.get("article"))
    a = det.analyze(row["text"])
    P = det.token_probs(a)
    f = det.doc_features(a, P)
    raw = raw_rates(a, P)
    out = {"id": row["id"], "label": row["label"], "words": a.words, "doc": f, "raw": raw,
           "hits": len(a.hits)}
    if row.get("want_tokens"):
        mask = D.gold_token_mask(row["text"], row["original"]) if row.get("original") and row["label"] else [False] * len(a.evidence)
        full = det.restore_mode != "off"
        X, y = [], []
        for ev, m in zip(a.evidence, mask):
            if counted(ev):
                X.append(D.token_features(ev, full))
                y.append(int(m))
        out["X"], out["y"] = X, y
    if row.get("want_spans") and row.get("original"):
        spans = D.build_spans(a, det.model.span_threshold)
        out["spans"] = [(s.start, s.end, s.score) for s in spans]
        out["gold"] = D.gold_spans(row["text"], row["original"])
    out["score"] = float(det.model.doc.prob(np.array([[f[k] for k in det.model.doc.names]]))[0])
    out["fp_score"] = float(det.model.fp_doc.prob(np.array([[f[k] for k in det.model.fp_doc.names]]))[0])
    return out


def counted(ev) -> bool:
    return ev.eligible or ev.edit is not None or ev.fingerprint is not None


def raw_rates(a, P) -> dict:
    idx = [i for i, ev in enumerate(a.evidence) if counted(ev)]
    ps = P[idx] if idx else np.zeros(0)
    n = max(len(idx), 1)
    N = max(a.words, 1)
    return {"tok_mean": float(ps.sum()) / n, "tok_high": float((ps >= 0.5).sum()) / n,
            "edit_rate": len(a.edits) / N,
            "edit_conf": (sum(e.confidence for e in a.edits) / len(a.edits)) if a.edits else float("nan"),
            "lm_gain": a.lm_gain / N}


def run(rows, model, restore, jobs, fingerprints=True, desc=""):
    t = time.time()
    if jobs > 1:
        with mp.get_context("fork").Pool(jobs, _init, (model, restore, fingerprints)) as pool:
            out = pool.map(_work, rows, chunksize=8)
    else:
        _init(model, restore, fingerprints)
        out = [_work(r) for r in rows]
    words = sum(o["words"] for o in out)
    print(f"  {desc}: {len(rows)} docs, {words} words, {time.time() - t:.0f}s", file=sys.stderr)
    return out


def load(path, **extra):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            r.update(extra)
            rows.append(r)
    return rows


# -- metrics ------------------------------------------------------------------------------------
def doc_metrics(outs) -> dict:
    s = [o["score"] for o in outs]
    y = [o["label"] for o in outs]
    tpr, thr = D.tpr_at_fpr(s, y, 0.01)
    pos = [o["score"] for o in outs if o["label"] == 1]
    neg = [o["score"] for o in outs if o["label"] == 0]
    return {"n_spun": len(pos), "n_clean": len(neg), "auroc": round(D.auroc(s, y), 4),
            "tpr_at_1pct_fpr": round(tpr, 4), "threshold_at_1pct_fpr": round(thr, 4),
            "recall_at_0.5": round(float(np.mean(np.array(pos) >= 0.5)), 4) if pos else None,
            "fpr_at_0.5": round(float(np.mean(np.array(neg) >= 0.5)), 4) if neg else None,
            "brier": round(float(np.mean((np.array(s) - np.array(y)) ** 2)), 4)}


def calibration(outs, bins=(0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001)) -> list:
    s = np.array([o["score"] for o in outs])
    y = np.array([o["label"] for o in outs])
    res = []
    for lo, hi in zip(bins, bins[1:]):
        m = (s >= lo) & (s < hi)
        if m.sum():
            res.append({"bin": f"{lo:.1f}-{min(hi, 1):.1f}", "n": int(m.sum()), "mean_score": round(float(s[m].mean()), 3),
                        "spun_share": round(float(y[m].mean()), 3)})
    return res


def spans_metrics(outs, threshold=None, texts=None) -> dict:
    counts = []
    for o in outs:
        if "spans" not in o:
            continue
        pred = [(s, e) for s, e, _ in o["spans"]]
        counts.append(D.span_scores(pred, o["gold"], texts[o["id"]]))
    return {k: round(v, 4) for k, v in D.span_metrics(counts).items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "build", "detect-data"))
    ap.add_argument("--out", default=os.path.join(ROOT, "src", "unspin", "data", "detector.json"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="use at most N training documents per kind (quick runs)")
    ap.add_argument("--l2", type=float, default=1.0)
    args = ap.parse_args()
    t0 = time.time()

    clean = load(os.path.join(args.data, "clean.jsonl"))
    synth = load(os.path.join(args.data, "synthetic.jsonl"))
    short = load(os.path.join(args.data, "short.jsonl"))
    wild = load(os.path.join(args.data, "wild.jsonl"))
    if not clean or not synth:
        sys.exit(f"no data in {args.data}: run tools/make_detect_data.py first")
    texts = {r["id"]: r["text"] for r in clean + synth + short + wild}
    train_long = [r for r in clean + synth if r["split"] == "train"]
    train_short = [r for r in short if r["split"] == "train"]
    test_long = [r for r in clean + synth if r["split"] == "test"]
    test_short = [r for r in short if r["split"] == "test"]
    if args.limit:
        rng = np.random.default_rng(0)
        train_long = [train_long[i] for i in sorted(rng.permutation(len(train_long))[: args.limit])]
        train_short = train_short[: args.limit // 2]
        test_long = [test_long[i] for i in sorted(rng.permutation(len(test_long))[: args.limit])]
    train = train_long + train_short
    for r in train:
        r["want_tokens"] = True
        r["want_spans"] = True

    model = bootstrap_model()
    print("stage 1: token model, scan features", file=sys.stderr)
    outs = run(train, model, "off", args.jobs, desc="train")
    X = np.array([x for o in outs for x in o["X"]])
    y = np.array([v for o in outs for v in o["y"]])
    model.token_scan = D.fit_logreg(X, y, D.TOKEN_FEATURES_SCAN, l2=args.l2)
    tok_auc_scan = D.auroc(model.token_scan.prob(X), y)
    print(f"  token AUROC (train, scan) {tok_auc_scan:.3f}  tokens {len(y)}  spun share {y.mean():.3f}", file=sys.stderr)

    print("stage 2: token model with restoration", file=sys.stderr)
    outs = run(train, model, "auto", args.jobs, desc="train")
    X = np.array([x for o in outs for x in o["X"]])
    y = np.array([v for o in outs for v in o["y"]])
    model.token_full = D.fit_logreg(X, y, D.TOKEN_FEATURES_FULL, l2=args.l2)
    tok_auc_full = D.auroc(model.token_full.prob(X), y)
    print(f"  token AUROC (train, full) {tok_auc_full:.3f}", file=sys.stderr)

    print("stage 3: document model", file=sys.stderr)
    outs = run(train, model, "auto", args.jobs, desc="train")
    long_ids = {r["id"] for r in train_long}
    priors = {}
    for k in ("tok_mean", "tok_high", "edit_rate", "edit_conf", "lm_gain"):
        vals = {lab: [o["raw"][k] for o in outs if o["id"] in long_ids and o["label"] == lab and not math.isnan(o["raw"][k])]
                for lab in (0, 1)}
        priors[k] = float((np.median(vals[0]) + np.median(vals[1])) / 2) if vals[0] and vals[1] else 0.1
    model.priors = priors
    outs = run(train, model, "auto", args.jobs, desc="train (smoothed)")
    Xd = np.array([[o["doc"][k] for k in D.DOC_FEATURES] for o in outs])
    yd = np.array([o["label"] for o in outs])
    model.doc = D.fit_logreg(Xd, yd, D.DOC_FEATURES, l2=args.l2)
    Xf = np.array([[o["doc"][k] for k in D.FP_FEATURES] for o in outs])
    model.fp_doc = D.fit_logreg(Xf, yd, D.FP_FEATURES, l2=args.l2)

    print("stage 4: span threshold", file=sys.stderr)
    best = (-1.0, 0.5)
    spun_train = [r for r in train_long if r["label"] == 1]
    for thr in (0.3, 0.4, 0.5, 0.6, 0.7):
        model.span_threshold = thr
        o = run(spun_train[:300], model, "auto", args.jobs, desc=f"spans @{thr}")
        m = spans_metrics(o, texts=texts)
        f1 = m["word_f1"] if not math.isnan(m["word_f1"]) else 0
        print(f"    threshold {thr}: {m}", file=sys.stderr)
        if f1 > best[0]:
            best = (f1, thr)
    model.span_threshold = best[1]

    print("evaluation", file=sys.stderr)
    for r in test_long + test_short + wild:
        r["want_spans"] = True
    res_test = run(test_long, model, "auto", args.jobs, desc="test")
    res_short = run(test_short, model, "auto", args.jobs, desc="test short")
    res_wild = run(wild, model, "auto", args.jobs, desc="wild (table leave-one-article-out)")
    res_wild_nofp = run(wild, model, "auto", args.jobs, fingerprints=False, desc="wild, no fingerprints")
    res_test_nofp = run(test_long, model, "auto", args.jobs, fingerprints=False, desc="test, no fingerprints")
    kind = {r["id"]: r.get("kind", "") for r in clean + synth + short + wild}

    def sel(outs, *kinds):
        return [o for o in outs if any(kind[o["id"]].startswith(k) for k in kinds)]

    wild_syn = [o for o in res_wild if kind[o["id"]] in ("wild-synonym", "wild-original")]
    # originals of rewrite articles are clean too: keep all originals as negatives
    info = {
        "fitted": time.strftime("%Y-%m-%d"),
        "train": {"long_docs": len(train_long), "short_docs": len(train_short),
                  "token_auroc_scan": round(tok_auc_scan, 4), "token_auroc_full": round(tok_auc_full, 4)},
        "test_synthetic": doc_metrics(res_test),
        "test_short": doc_metrics(res_short),
        "test_combined_with_wild": doc_metrics(res_test + sel(res_wild, "wild-synonym", "wild-original")),
        "wild_synonym_vs_originals": doc_metrics(sel(res_wild, "wild-synonym", "wild-original")),
        "wild_rewrite_vs_originals": doc_metrics(sel(res_wild, "wild-rewrite", "wild-original")),
        "wild_spans": spans_metrics(sel(res_wild, "wild-synonym"), texts=texts),
        "test_spans": spans_metrics([o for o in res_test if o["label"] == 1], texts=texts),
        "no_fingerprints": {"test_synthetic": doc_metrics(res_test_nofp),
                            "wild_synonym_vs_originals": doc_metrics(sel(res_wild_nofp, "wild-synonym", "wild-original"))},
        "calibration_test": calibration(res_test),
        "calibration_short": calibration(res_short),
        "wild_scores": {o["id"]: round(o["score"], 4) for o in res_wild},
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
