"""The data side of ``tools/fit/fit_detector.py``: the rows of each split, their scans, leaving
spinner families out, and figures per rate band, family and source (development tooling only)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

import numpy as np

from unspin.evaluation.metrics import doc_metrics


def load(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


RATE_BANDS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.61))


def by_rate(scores, rows) -> dict:
    """Each band of spin rates (rates are drawn from a range) against all clean documents of the split."""
    neg = [s for s, r in zip(scores, rows) if r["label"] == 0]
    out = {}
    for lo, hi in RATE_BANDS:
        pos = [s for s, r in zip(scores, rows) if r["label"] == 1 and lo <= (r.get("rate") or 0) < hi]
        if pos:
            out[f"{lo:.2f}-{min(hi, 0.6):.2f}"] = doc_metrics(pos + neg, [1] * len(pos) + [0] * len(neg))
    return out


def by_family(scores, rows, min_rate: float = 0.2) -> dict:
    """Each spinner family's spins at rate >= ``min_rate`` against all clean documents of the split."""
    neg = [s for s, r in zip(scores, rows) if r["label"] == 0]
    out = {}
    for fam in sorted({r.get("family") for r in rows if r["label"] == 1 and r.get("family")}):
        pos = [s for s, r in zip(scores, rows) if r.get("family") == fam and (r.get("rate") or 0) >= min_rate]
        if pos:
            out[fam] = doc_metrics(pos + neg, [1] * len(pos) + [0] * len(neg))
    return out


def by_source(scores, rows, field: str = "source") -> dict:
    out = {}
    for src in sorted({str(r.get(field)) for r in rows if r["label"] == 0}):
        v = np.array([s for s, r in zip(scores, rows) if r["label"] == 0 and str(r.get(field)) == src])
        out[src] = {"n": int(len(v)), "mean": round(float(v.mean()), 3), "share_at_0.5": round(float((v >= 0.5).mean()), 3)}
    return out


@dataclass
class Data:
    """The rows of each split; the context spins' train split only with ``--context``."""

    train_long: list
    train_short: list
    test_long: list
    test_short: list
    wild: list
    ctx_train: list
    ctx_test: list

    @property
    def train(self) -> list:
        return self.train_long + self.train_short

    def counts(self) -> dict:
        return {"train_long": len(self.train_long), "train_short": len(self.train_short),
                "test_long": len(self.test_long), "context_train": len(self.ctx_train),
                "context_test": len(self.ctx_test), "test_short": len(self.test_short), "wild": len(self.wild)}


@dataclass
class Scans:
    """The detector's analyses of each split, in the order of its rows."""

    train: list
    test: list
    short: list
    wild: list
    wild_nofp: list
    test_nofp: list
    ctx: list
    ctx_test: list

    def all(self) -> list:
        return [self.train, self.test, self.short, self.wild, self.wild_nofp, self.test_nofp, self.ctx, self.ctx_test]


def of_split(rows: list, split: str) -> list:
    return [r for r in rows if r["split"] == split]


def load_data(folder: str, context: bool) -> Data:
    clean, synth, short, wild, ctx = (load(os.path.join(folder, f"{name}.jsonl"))
                                      for name in ("clean", "synthetic", "short", "wild", "context"))
    if not clean or not synth:
        sys.exit(f"no data in {folder}: run tools/datasets/make_detect_data.py first")
    return Data(train_long=of_split(clean + synth, "train"), train_short=of_split(short, "train"),
                test_long=of_split(clean + synth, "test"), test_short=of_split(short, "test"), wild=wild,
                ctx_train=of_split(ctx, "train") if context else [], ctx_test=of_split(ctx, "test"))


def drop_light_spins(d: Data, S: Scans, min_rate: float) -> None:
    """Drop the spun training rows (and their scans) spun at a rate under ``min_rate``, in
    place: a spin that changes one word in fifty reads as clean prose, and as a positive it
    teaches the models that clean-looking text is often spun (clean documents then score about
    0.3 and many cross 0.5). Test rows stay: the figures keep every rate."""
    if not min_rate:
        return
    rows, n_long = d.train, len(d.train_long)
    keep = [i for i, r in enumerate(rows) if r["label"] == 0 or r.get("rate") is None or r["rate"] >= min_rate]
    d.train_long = [rows[i] for i in keep if i < n_long]
    d.train_short = [rows[i] for i in keep if i >= n_long]
    S.train = [S.train[i] for i in keep]
    print(f"spins under rate {min_rate} left out of fitting; {len(keep)} training documents remain", file=sys.stderr)


def exclude_families(d: Data, S: Scans, families: list[str]) -> None:
    """Drop the training rows (and their scans) of the given spinner families, in place; test
    rows stay, so the left-out family is scored by a model that never saw it."""
    if not families:
        return
    rows, n_long = d.train, len(d.train_long)
    keep = [i for i, r in enumerate(rows) if r.get("family") not in families]
    d.train_long = [rows[i] for i in keep if i < n_long]
    d.train_short = [rows[i] for i in keep if i >= n_long]
    S.train = [S.train[i] for i in keep]
    d.ctx_train = [r for r in d.ctx_train if r.get("family", "context") not in families]
    if "context" in families:
        S.ctx = []
    print(f"left out of fitting: families {families}; {len(keep)} training documents remain", file=sys.stderr)


