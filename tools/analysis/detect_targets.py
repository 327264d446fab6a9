#!/usr/bin/env python3
"""The target-set rows of docs/detect.md from ``unspin eval detect ... --details FILE`` output.

``eval.jsonl`` mixes spins of every rate with the wild-dev articles; the issue's target set is
the wild-dev synonym articles plus spins as dense as real ones (rate 0.6), against every clean
document. This selects those rows (by ``kind`` and ``rate`` from the evaluation file) and prints
AUROC, TPR at 1% FPR, recall, false-flag rate and F1 at 0.5 for each set, and the calibration of
all scored documents (score bins), one JSON object per details file::

    unspin eval detect build/detect-data/eval.jsonl --details /tmp/default.jsonl
    python -m tools.analysis.detect_targets build/detect-data/eval.jsonl /tmp/default.jsonl [/tmp/fast.jsonl ...]
"""

from __future__ import annotations

import argparse
import json
import sys

from unspin.evaluation.metrics import calibration, doc_metrics

# name -> which spun rows count (clean rows: every label-0 row unless the set says otherwise)
SETS = {
    "wild synonym + rate 0.6 vs all clean": (lambda m: m["kind"] == "wild-synonym" or m.get("rate") == 0.6, None),
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="the evaluation JSONL (id, label, kind, rate)")
    ap.add_argument("details", nargs="+", help="--details output of unspin eval detect on it")
    args = ap.parse_args()
    with open(args.data, encoding="utf-8") as f:
        meta = {d["id"]: d for d in map(json.loads, filter(str.strip, f))}
    for path in args.details:
        with open(path, encoding="utf-8") as f:
            scores = {d["id"]: d["score"] for d in map(json.loads, filter(str.strip, f))}
        missing = set(scores) - set(meta)
        if missing:
            print(f"error: {path} has {len(missing)} ids not in {args.data} (e.g. {sorted(missing)[0]})", file=sys.stderr)
            return 1
        ids = sorted(scores)
        print(json.dumps({"details": path, "sets": rows(meta, scores),
                          "calibration": calibration([scores[i] for i in ids], [meta[i]["label"] for i in ids])},
                         indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
