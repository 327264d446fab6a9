#!/usr/bin/env python3
"""The target-set rows of docs/detect.md from ``unspin eval detect ... --details FILE`` output.

``eval.jsonl`` mixes spins of every rate with the wild-dev articles; the issue's target set is
the wild-dev synonym articles plus spins as dense as real ones (rate 0.6), against every clean
document. This selects those rows (by ``kind`` and ``rate`` from the evaluation file) and prints
AUROC, TPR at 1% FPR, recall, false-flag rate and F1 at 0.5 for each set, and the calibration of
all scored documents (score bins), one JSON object per details file. With the ``family`` and
``genre`` fields of the data it also gives, per details file, each spinner family's test spins of
>= 100 words at rate >= 0.2 against the clean test documents (``families``), the share of clean
documents flagged at 0.5 per genre (``clean_flagged_by_genre``) and a 10-bin reliability diagram.

``--lofo F=DETAILS`` (repeatable): the leave-one-family-out row of family F, from the details of
a model fitted without F (``tools/fit/fit_detector.py --exclude-family F --out M.json``, then
``unspin eval detect DATA --model M.json --details DETAILS``)::

    unspin eval detect build/detect-data/eval.jsonl --details /tmp/default.jsonl
    python -m tools.analysis.detect_targets build/detect-data/eval.jsonl /tmp/default.jsonl [/tmp/fast.jsonl ...]
    python -m tools.analysis.detect_targets build/detect-data/eval.jsonl --lofo ppdb=/tmp/no-ppdb.jsonl ...
"""

from __future__ import annotations

import argparse
import json
import sys

from unspin.evaluation.metrics import calibration, doc_metrics

# name -> which spun rows count (clean rows: every label-0 row unless the set says otherwise)
SETS = {
    "wild synonym + rate 0.6 vs all clean": (lambda m: m["kind"] == "wild-synonym" or m.get("rate") == 0.6, None),
    "wild synonym + rate >= 0.5 vs all clean": (
        lambda m: m["kind"] == "wild-synonym" or (m.get("rate") or 0) >= 0.5, None),
    "wild synonym + rate >= 0.45 vs all clean": (
        lambda m: m["kind"] == "wild-synonym" or (m.get("rate") or 0) >= 0.45, None),
    "all spins (rates 0.1-0.6) + wild vs all clean": (lambda m: True, None),
    "wild synonym vs their originals": (lambda m: m["kind"] == "wild-synonym", lambda m: m["kind"] == "wild-original"),
    "wild synonym vs all clean": (lambda m: m["kind"] == "wild-synonym", None),
    "wild rewrite vs wild originals": (lambda m: m["kind"] == "wild-rewrite", lambda m: m["kind"] == "wild-original"),
    # One spinner at a time, every rate (as Wahle et al. 2022 report classifiers per spinner).
    "moby-style spins (rates 0.1-0.6) vs all clean": (lambda m: m["kind"] == "synthetic-moby", None),
    "wordnet-style spins (rates 0.1-0.6) vs all clean": (lambda m: m["kind"] == "synthetic-wordnet", None),
}


MIN_WORDS, MIN_RATE = 100, 0.2
RELIABILITY_BINS = tuple(k / 10 for k in range(10)) + (1.0001,)


def family_row(meta: dict[str, dict], details: dict[str, dict], family: str) -> dict | None:
    """Family F's test spins of >= 100 words at rate >= 0.2 against the clean test documents."""
    def long(i):
        return details[i].get("words", MIN_WORDS) >= MIN_WORDS

    pos = [details[i]["score"] for i, m in meta.items() if i in details and m["label"] == 1
           and m.get("family") == family and (m.get("rate") or 0) >= MIN_RATE and m.get("split") == "test" and long(i)]
    neg = [details[i]["score"] for i, m in meta.items() if i in details and m["label"] == 0
           and m.get("split") == "test" and long(i)]
    return doc_metrics(pos + neg, [1] * len(pos) + [0] * len(neg)) if pos and neg else None


def clean_flagged(meta: dict[str, dict], scores: dict[str, float], field: str = "genre") -> dict:
    """Among clean documents, per value of ``field``: how many and the share scored >= 0.5."""
    per: dict[str, list[float]] = {}
    for i, m in meta.items():
        if i in scores and m["label"] == 0:
            per.setdefault(str(m.get(field, m.get("kind"))), []).append(scores[i])
    return {k: {"n": len(v), "flagged_at_0.5": round(sum(x >= 0.5 for x in v) / len(v), 4)} for k, v in sorted(per.items())}


def f1(pos: list[float], neg: list[float], at: float = 0.5) -> float:
    tp = sum(p >= at for p in pos)
    fp = sum(n >= at for n in neg)
    return 2 * tp / (2 * tp + fp + (len(pos) - tp)) if pos else float("nan")


def rows(meta: dict[str, dict], scores: dict[str, float]) -> dict[str, dict]:
    out = {}
    for name, (spun_ok, clean_ok) in SETS.items():
        pos = [scores[i] for i, m in meta.items() if i in scores and m["label"] == 1 and spun_ok(m)]
        neg = [scores[i] for i, m in meta.items() if i in scores and m["label"] == 0 and (clean_ok is None or clean_ok(m))]
        if not pos or not neg:
            continue
        out[name] = doc_metrics(pos + neg, [1] * len(pos) + [0] * len(neg))
        out[name]["f1_at_0.5"] = round(f1(pos, neg), 4)
    return out


def read_details(path: str, meta: dict[str, dict]) -> dict[str, dict]:
    try:
        with open(path, encoding="utf-8") as f:
            details = {d["id"]: d for d in map(json.loads, filter(str.strip, f))}
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"error: {path}: not a --details file of unspin eval detect ({e})")
    missing = set(details) - set(meta)
    if missing:
        sys.exit(f"error: {path} has {len(missing)} ids not in the data (e.g. {sorted(missing)[0]})")
    return details


def report(meta: dict[str, dict], details: dict[str, dict], path: str) -> dict:
    scores = {i: d["score"] for i, d in details.items()}
    ids = sorted(scores)
    families = sorted({m["family"] for m in meta.values() if m["label"] == 1 and m.get("split") == "test"
                       and m.get("family")})
    return {"details": path, "sets": rows(meta, scores),
            "families": {f: r for f in families if (r := family_row(meta, details, f))},
            "clean_flagged_by_genre": clean_flagged(meta, scores),
            "calibration": calibration([scores[i] for i in ids], [meta[i]["label"] for i in ids]),
            "reliability": calibration([scores[i] for i in ids], [meta[i]["label"] for i in ids], RELIABILITY_BINS)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="the evaluation JSONL (id, label, kind, rate, family, genre, split)")
    ap.add_argument("details", nargs="*", help="--details output of unspin eval detect on it")
    ap.add_argument("--lofo", action="append", default=[], metavar="F=DETAILS",
                    help="details of a model fitted without spinner family F: its leave-one-family-out row")
    args = ap.parse_args()
    if not args.details and not args.lofo:
        ap.error("give details files, --lofo F=DETAILS, or both")
    with open(args.data, encoding="utf-8") as f:
        meta = {d["id"]: d for d in map(json.loads, filter(str.strip, f))}
    for path in args.details:
        print(json.dumps(report(meta, read_details(path, meta), path), indent=2))
    if args.lofo:
        out = {}
        for spec in args.lofo:
            fam, sep, path = spec.partition("=")
            if not sep or not fam or not path:
                ap.error(f"--lofo takes F=DETAILS, not {spec!r}")
            out[fam] = family_row(meta, read_details(path, meta), fam)
        print(json.dumps({"leave_one_family_out": out}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
