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

    python -m tools.fit.fit_detector [--data build/detect-data] [--jobs 2] [--scans build/detect-data/scans.pkl]
    # leave one spinner family out (never overwrite the shipped model with it):
    python -m tools.fit.fit_detector --exclude-family ppdb --out build/lofo/ppdb.json --scans build/detect-data/scans.pkl
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
from unspin.detection.model import (DOC_FEATURES, RATE_OF, RESTORE_FEATURES, TOKEN_FEATURES, LogReg,  # noqa: E402
                                    Model, fit_logreg, logit, shipped_model)
from unspin.detection.scan import counted, token_features  # noqa: E402
from unspin.detection.spans import build_spans, span_phrases  # noqa: E402
from unspin.evaluation.metrics import (auroc, calibration, doc_metrics, gold_spans, gold_token_mask,  # noqa: E402
                                       span_metrics, span_scores)
from tools.fit.detect_data import (Data, Scans, by_family, by_rate, by_source, drop_light_spins,  # noqa: E402,F401
                                   exclude_families, load_data)

PSEUDO = {"tokens": 40.0}
MIN_FP_HITS = 20  # fingerprint hits in the training data below which the shipped weight is kept
RATES = tuple(RATE_OF)


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


def span_eval(analyses, rows, scores, threshold, low=None, gap=0, phrase_p=None) -> dict:
    counts = []
    for a, r, sc in zip(analyses, rows, scores):
        if r["label"] != 1 or not r.get("original"):
            continue
        spans = build_spans(a, threshold, sc, low, gap, phrase_p)
        counts.append(span_scores([(s.start, s.end) for s in spans], gold_spans(r["text"], r["original"]), r["text"]))
    return {k: round(v, 4) for k, v in span_metrics(counts).items()}


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "build", "detect-data"))
    ap.add_argument("--out", default=os.path.join(ROOT, "src", "unspin", "data", "detector.json"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--no-restore", action="store_true", help="do not fit the restoration document model")
    ap.add_argument("--context", action="store_true",
                    help="also fit the token model and spans on the context-fitting spins (context.jsonl)")
    ap.add_argument("--exclude-family", action="append", default=[], metavar="F",
                    help="leave the training spins of spinner family F (the 'family' field) out of every fit "
                         "(repeatable): a leave-one-family-out model; give --out so the shipped model stays")
    ap.add_argument("--min-rate", type=float, default=0.0, metavar="R",
                    help="leave spun training documents of a spin rate under R out of fitting")
    ap.add_argument("--scans", metavar="FILE",
                    help="reuse the scans pickled here (made by a run on the same --data), else scan and save "
                         "them there: the scan does not depend on the fitted weights")
    ap.add_argument("--span-params", metavar="T,LOW,GAP",
                    help="take these span constants instead of choosing them on the training spins (the grid is "
                         "slow; leave-one-family-out document figures do not depend on them); LOW may be none")
    ap.add_argument("--token-data", choices=["spun", "both"], default="spun",
                    help="fit the token model on the words of spun documents only (P(substituted | spun)), "
                         "or of clean documents too")
    return ap.parse_args(argv)


def scan_all(d: Data, jobs: int, cache: str | None = None) -> Scans:
    """Every split scanned (or read from ``cache``, a pickle of an earlier run on the same data)."""
    import pickle

    if cache and os.path.exists(cache):
        with open(cache, "rb") as f:
            S = pickle.load(f)
        if [len(x) for x in S.all()][:4] != [len(d.train), len(d.test_long), len(d.test_short), len(d.wild)]:
            sys.exit(f"{cache}: scans of other data (remove it, or give another --scans)")
        print(f"scans read from {cache}", file=sys.stderr)
        return S
    print("scanning", file=sys.stderr)
    S = Scans(
        train=scan(d.train, jobs, desc="train"),
        test=scan(d.test_long, jobs, desc="test"),
        short=scan(d.test_short, jobs, desc="test short"),
        wild=scan(d.wild, jobs, desc="wild") if d.wild else [],
        wild_nofp=scan(d.wild, jobs, fingerprints=False, desc="wild, fingerprints off") if d.wild else [],
        test_nofp=scan(d.test_long, jobs, fingerprints=False, desc="test, fingerprints off"),
        ctx=scan(d.ctx_train, jobs, desc="context spins, train") if d.ctx_train else [],
        ctx_test=scan(d.ctx_test, jobs, desc="context spins, test") if d.ctx_test else [],
    )
    if cache:
        tmp = cache + ".tmp"
        with open(tmp, "wb") as f:
            pickle.dump(S, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    return S


def fit_token_model(model: Model, analyses, rows, token_data: str, l2: float) -> float:
    """Fit the token model on the counted words; returns its training AUROC."""
    print("token model", file=sys.stderr)
    X, y = [], []
    for a, r in zip(analyses, rows):
        if r["label"] == 1 and r.get("original"):
            mask = gold_token_mask(r["text"], r["original"])
        elif r["label"] == 0 and token_data == "both":
            mask = [False] * len(a.evidence)
        else:
            continue
        for ev, m in zip(a.evidence, mask):
            if counted(ev):
                X.append(token_features(ev))
                y.append(int(m))
    X, y = np.array(X), np.array(y)
    model.token = fit_logreg(X, y, TOKEN_FEATURES, l2=l2)
    tok_auc = auroc(model.token.prob(X), y)
    model.priors = dict(model.priors, token_base=float(y.mean()))
    print(f"  tokens {len(y)}, substituted {y.mean():.3f}, train AUROC {tok_auc:.3f}", file=sys.stderr)
    return tok_auc


def fit_doc_model(det: Detector, model: Model, d: Data, S: Scans, l2: float):
    """Pseudo-count centres from the long training documents, then the document model on all
    training documents; returns the training features and labels."""
    long_n = len(d.train_long)
    raw = [det.raw_rates(a) for a in S.train[:long_n]]
    labels_long = [r["label"] for r in d.train_long]
    priors = {"token_base": model.priors["token_base"]}
    for k in RATES:
        den = RATE_OF[k]
        per = {lab: [x[k] / x[den] for x, l in zip(raw, labels_long) if l == lab and x[den]] for lab in (0, 1)}
        # A floor: a rate whose medians are 0 (few phrases in short texts) still smooths.
        priors[k] = max(float((np.median(per[0]) + np.median(per[1])) / 2), 1e-4)
    model.priors = priors
    feats = [det.doc_features(a) for a in S.train]
    Xd = np.array([[f[k] for k in DOC_FEATURES] for f in feats])
    yd = np.array([r["label"] for r in d.train])
    model.doc = fit_logreg(Xd, yd, DOC_FEATURES, l2=l2)
    return feats, yd


def fit_fingerprint_llr(model: Model, analyses, rows) -> dict:
    """Set the log-likelihood ratio per fingerprint hit; returns the counts it came from."""
    # A fixed ratio from hit rates per word (add-0.5), spun vs clean training text: too few hits
    # for the regression to weigh them.
    hw = {lab: [0, 0] for lab in (0, 1)}
    for a, r in zip(analyses, rows):
        hw[r["label"]][0] += len(a.hits)
        hw[r["label"]][1] += a.words
    fp_counts = {"spun_hits": hw[1][0], "spun_words": hw[1][1], "clean_hits": hw[0][0], "clean_words": hw[0][1]}
    if hw[0][0] + hw[1][0] < MIN_FP_HITS:
        # Synthetic spins rarely write a listed tortured phrase (2 and 1 hits in the second
        # round's data): a ratio from so few hits is noise, so the shipped weight stays.
        model.fp_llr = shipped_model().fp_llr
        fp_counts["kept_shipped_weight"] = True
    else:
        model.fp_llr = float(math.log(((hw[1][0] + 0.5) / hw[1][1]) / ((hw[0][0] + 0.5) / hw[0][1])))
    print(f"  fingerprint log-likelihood ratio per hit {model.fp_llr:.2f} from {fp_counts}", file=sys.stderr)
    return fp_counts


def fit_swap_trigger(det: Detector, model: Model, analyses, rows) -> dict:
    """Set the cascade's second trigger: learned spinner swaps per 100 words beyond what 99% of
    the clean training documents show; returns the distribution it came from."""
    # The learned table never saw these files (it is learned from wild-dev news). Spun training
    # documents are not used: the synthetic spinner does not have real spinners' habits.
    swap_rates = np.array([100.0 * det.learned_swaps(a) / max(a.words, 1)
                           for a, r in zip(analyses, rows) if r["label"] == 0])
    model.swap_rate = round(float(np.percentile(swap_rates, 99)), 3)
    swap_info = {"documents": len(swap_rates), **{f"p{q}": round(float(np.percentile(swap_rates, q)), 3)
                                                  for q in (50, 90, 95, 99)}, "max": round(float(swap_rates.max()), 3)}
    print(f"  learned-swap trigger {model.swap_rate} per 100 words from {swap_info}", file=sys.stderr)
    return swap_info


def fit_phrase_p(model: Model, analyses, rows) -> dict:
    """The share of span-making phrases (spans.PHRASE_SPAN_GAIN) in spun training documents
    that overlap a spinner's swap: the probability of a phrase span."""
    hit = total = 0
    for a, r in zip(analyses, rows):
        if r["label"] != 1 or not r.get("original"):
            continue
        mask = gold_token_mask(r["text"], r["original"])
        for ph in {id(p): p for p in span_phrases(a).values()}.values():
            total += 1
            hit += any(mask[ph.first:ph.first + ph.length])
    model.phrase_p = (hit + 1) / (total + 2)
    print(f"  phrase spans: {hit} of {total} phrases overlap a swap: p {model.phrase_p:.3f}", file=sys.stderr)
    return {"phrases": total, "overlapping_swaps": hit}


def choose_span_params(model: Model, analyses, rows, scores) -> None:
    """Set the threshold, hysteresis floor and function-word bridge that together give the best
    mean of span F1 and word F1 on the given (spun training, never wild-dev) documents. Span F1
    alone (any overlap counts) favours long spans: it once chose constants whose spans were
    mostly clean words (word precision 0.37 on wild-dev), which is not a span a reader can trust."""
    print("span forming", file=sys.stderr)
    best = (-1.0, (0.5, None, 0))
    for thr in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        for low in (None, 0.1, 0.15, 0.2):
            if low is not None and low >= thr:
                continue
            for gap in (0, 1, 2):
                m = span_eval(analyses, rows, scores, thr, low, gap, model.phrase_p)
                print(f"  threshold {thr} low {low} gap {gap}: {m}", file=sys.stderr)
                f1 = (m["span_f1"] + m["word_f1"]) / 2
                f1 = f1 if f1 == f1 else 0.0
                if f1 > best[0]:
                    best = (f1, (thr, low, gap))
    model.span_threshold, model.span_low, model.span_gap = best[1]
    print(f"  chosen: threshold {model.span_threshold}, low {model.span_low}, gap {model.span_gap}", file=sys.stderr)


def fit_restore_model(det: Detector, model: Model, d: Data, S: Scans, conf_train, feats, yd, l2: float) -> None:
    """Edit-rate and edit-confidence priors, then the document model with restoration features."""
    raw_rate = {lab: [] for lab in (0, 1)}
    raw_conf = []
    for a, c, r in zip(S.train[:len(d.train_long)], conf_train, d.train_long):
        n = sum(1 for ev in a.evidence if counted(ev))
        if n:
            raw_rate[r["label"]].append(len(c) / n)
        raw_conf.extend(c)
    model.priors["edit_rate"] = float((np.median(raw_rate[0]) + np.median(raw_rate[1])) / 2)
    model.priors["edit_conf"] = float(np.mean(raw_conf)) if raw_conf else 0.8
    names = DOC_FEATURES + RESTORE_FEATURES
    feats_r = []
    for a, c, f in zip(S.train, conf_train, feats):
        g = dict(f)
        g.update(det.restore_features(a, c))
        feats_r.append([g[k] for k in names])
    model.doc_restore = fit_logreg(np.array(feats_r), yd, names, l2=l2)


def score_with_restore(det: Detector, analyses, confs) -> list[float]:
    out = []
    for a, c in zip(analyses, confs):
        f = det.doc_features(a)
        f.update(det.restore_features(a, c))
        out.append(det.score(f))
    return out


def restore_figures(det: Detector, model: Model, d: Data, S: Scans, feats, yd, args) -> dict:
    """Fit the document model with restoration and return its held-out figures."""
    print("document model with restoration", file=sys.stderr)
    conf_train = restore_all(det, S.train, d.train, args.jobs, desc="train")
    fit_restore_model(det, model, d, S, conf_train, feats, yd, args.l2)
    c_test = restore_all(det, S.test, d.test_long, args.jobs, desc="test")
    c_short = restore_all(det, S.short, d.test_short, args.jobs, desc="test short")
    c_wild = restore_all(det, S.wild, d.wild, args.jobs, desc="wild (table without the article)")
    sr_test = score_with_restore(det, S.test, c_test)
    sr_short = score_with_restore(det, S.short, c_short)
    sr_wild = score_with_restore(det, S.wild, c_wild)
    wild, test_long = d.wild, d.test_long
    y_test = [r["label"] for r in test_long]
    yw = [r["label"] for r in wild]
    ks = [i for i, r in enumerate(wild) if r["kind"] in ("wild-synonym", "wild-original")]
    neg_t = [x for x, r in zip(sr_test, test_long) if r["label"] == 0]
    heavy = [x for x, r in zip(sr_test, test_long) if r.get("rate") == 0.6] + \
        [sr_wild[i] for i in ks if wild[i]["label"] == 1]
    neg_all = neg_t + [sr_wild[i] for i in ks if wild[i]["label"] == 0]
    restore_info = {
        "test": doc_metrics(sr_test, y_test),
        "test_by_rate": by_rate(sr_test, test_long),
        "test_short": doc_metrics(sr_short, [r["label"] for r in d.test_short]),
        "wild_synonym_vs_wild_originals": doc_metrics([sr_wild[i] for i in ks], [yw[i] for i in ks]),
        "wild_synonym_and_rate_0.6_vs_all_clean": doc_metrics(heavy + neg_all, [1] * len(heavy) + [0] * len(neg_all)),
        "calibration_test": calibration(sr_test, y_test),
        "wild_scores": {r["id"]: round(x, 4) for r, x in zip(wild, sr_wild)},
    }
    print(json.dumps({k: v for k, v in restore_info.items() if "calibration" not in k}, indent=1), file=sys.stderr)
    return restore_info


def wild_select(wild, kinds, scores):
    """The scores and labels of the wild-dev documents of the given kinds."""
    idx = [i for i, r in enumerate(wild) if r["kind"] in kinds]
    return [scores[i] for i in idx], [wild[i]["label"] for i in idx]


def evaluate(det: Detector, model: Model, d: Data, S: Scans) -> dict:
    """Held-out figures: the test split, short texts, wild-dev, fingerprints off, context spins."""
    print("evaluation", file=sys.stderr)
    s_test = score_all(det, S.test)
    s_short = score_all(det, S.short)
    s_wild = score_all(det, S.wild)
    s_wild_nofp = score_all(det, S.wild_nofp)
    s_test_nofp = score_all(det, S.test_nofp)
    s_ctx_test = score_all(det, S.ctx_test)
    y_test = [r["label"] for r in d.test_long]
    y_short = [r["label"] for r in d.test_short]
    ws, wy = wild_select(d.wild, ("wild-synonym", "wild-original"), s_wild)
    rs, ry = wild_select(d.wild, ("wild-rewrite", "wild-original"), s_wild)
    ws_nofp, wy_nofp = wild_select(d.wild, ("wild-synonym", "wild-original"), s_wild_nofp)
    syn_idx = [i for i, r in enumerate(d.wild) if r["kind"] == "wild-synonym"]
    neg_test = [x for x, r in zip(s_test, d.test_long) if r["label"] == 0]
    short_words = np.array([a.words for a in S.short])
    span_params = (model.span_threshold, model.span_low, model.span_gap, model.phrase_p)
    return {
        "test": doc_metrics(s_test, y_test),
        "test_plus_wild_synonym": doc_metrics(s_test + ws, y_test + wy),
        "wild_synonym_vs_wild_originals": doc_metrics(ws, wy),
        "wild_rewrite_vs_wild_originals": doc_metrics(rs, ry),
        "test_short": doc_metrics(s_short, y_short),
        "no_fingerprints": {"test": doc_metrics(s_test_nofp, y_test),
                            "wild_synonym_vs_wild_originals": doc_metrics(ws_nofp, wy_nofp)},
        "spans_wild_synonym": span_eval([S.wild[i] for i in syn_idx], [d.wild[i] for i in syn_idx],
                                        [s_wild[i] for i in syn_idx], *span_params),
        "spans_test": span_eval(S.test, d.test_long, s_test, *span_params),
        "context_test": doc_metrics(s_ctx_test + neg_test, [1] * len(s_ctx_test) + [0] * len(neg_test))
        if S.ctx_test else {},
        "spans_context_test": span_eval(S.ctx_test, d.ctx_test, s_ctx_test, *span_params) if S.ctx_test else {},
        "test_by_rate": by_rate(s_test, d.test_long),
        "test_clean_by_source": by_source(s_test, d.test_long),
        "test_clean_by_genre": by_source(s_test, d.test_long, "genre"),
        "test_by_family_rate_0.2_up": by_family(s_test, d.test_long),
        "calibration_test": calibration(s_test, y_test),
        "calibration_short": calibration(s_short, y_short),
        "short_mean_abs_logit": round(float(np.mean(np.abs([logit(s) for s in s_short]))), 3),
        "long_mean_abs_logit": round(float(np.mean(np.abs([logit(s) for s in s_test]))), 3),
        "short_words_median": int(np.median(short_words)) if len(short_words) else 0,
        "wild_scores": {r["id"]: round(s, 4) for r, s in zip(d.wild, s_wild)},
    }


def main() -> int:
    args = parse_args()
    t0 = time.time()
    d = load_data(args.data, args.context)
    S = scan_all(d, args.jobs, args.scans)
    exclude_families(d, S, args.exclude_family)
    drop_light_spins(d, S, args.min_rate)

    model = bootstrap_model()
    tok_auc = fit_token_model(model, S.train + S.ctx, d.train + d.ctx_train, args.token_data, args.l2)
    for A in S.all():
        set_probs(model, A)

    print("document model", file=sys.stderr)
    det = Detector(model=model)
    feats, yd = fit_doc_model(det, model, d, S, args.l2)
    fp_counts = fit_fingerprint_llr(model, S.train, d.train)
    train_scores = score_all(det, S.train)
    print(f"  train AUROC {auroc(train_scores, yd):.4f}", file=sys.stderr)
    long_n = len(d.train_long)
    swap_info = fit_swap_trigger(det, model, S.train[:long_n], d.train_long)
    phrase_info = fit_phrase_p(model, S.train[:long_n], d.train_long)
    if args.span_params:
        t, low, gap = args.span_params.split(",")
        model.span_threshold, model.span_low, model.span_gap = float(t), None if low == "none" else float(low), int(gap)
    else:
        choose_span_params(model, S.train[:long_n] + S.ctx, d.train_long + d.ctx_train,
                           train_scores[:long_n] + score_all(det, S.ctx))
    restore_info = {} if args.no_restore else restore_figures(det, model, d, S, feats, yd, args)

    model.info = {
        "fitted": time.strftime("%Y-%m-%d"),
        "data": d.counts(),
        "excluded_families": args.exclude_family,
        "min_rate": args.min_rate,
        "token_train_auroc": round(tok_auc, 4),
        "fingerprint_counts": fp_counts,
        **evaluate(det, model, d, S),
        "with_restore": restore_info,
        "learned_swaps_clean_train": swap_info,
        "phrase_spans_train": phrase_info,
        "seconds": round(time.time() - t0),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(model.to_dict(), f, indent=1)
        f.write("\n")
    print(json.dumps(model.info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
