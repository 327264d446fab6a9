#!/usr/bin/env python3
"""Fit the decoder's channel weights (``src/unspin/data/weights.json``) by logistic regression.

Every candidate the lattice would consider is a training example: features from
``Channel.features`` plus the local language-model gain; label 1 when the aligned pairs say
the candidate is the original. Candidates on the clean originals are all negatives (every edit
there is a false edit) and are up-weighted, because keeping clean text intact matters more
than one more repair. Learned-table features are computed leave-one-article-out, so the
weights learn how much an *unseen* article's table hits are worth.

    python -m tools.fit.tune_restore ../shared/data/wild-dev/pairs.jsonl --family synonym

Then ``unspin eval restore`` measures the result (the bias is picked by ``--target-fer``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from unspin.evaluation.data import load_pairs
from unspin.evaluation.restore import evaluate_restore
from unspin.lang.lm import lm_form
from unspin.restoration.channel import FEATURES
from unspin.restoration.restorer import Restorer, RestoreConfig, shipped_table
from unspin.restoration.table import SubstitutionTable, aligned_units
from unspin.lang.tokenize import is_sentence_initial, joinable, sentences, tokenize

ROOT = Path(__file__).resolve().parents[2]


def gold_units(spun_tokens, original_text):
    """The aligned swaps of a spun text, as used everywhere else (:func:`unspin.restoration.table.aligned_units`):
    ``{(start, length): original words}``, and every spun token position some swap covers."""
    a = [t.lower for t in spun_tokens]
    b = [t.lower for t in tokenize(original_text)]
    units = dict(aligned_units(a, b))
    covered = {k for (i, n) in units for k in range(i, i + n)}
    return units, covered


def examples(restorer: Restorer, text: str, original: str | None):
    toks = tokenize(text)
    units, covered = gold_units(toks, original) if original is not None else ({}, set())
    dec, channel, gen = restorer.decoder, restorer.channel, restorer.generator
    out = []
    offset = 0
    for sent in sentences(toks, text):
        words = [lm_form(t) for t in sent]
        for i in range(len(sent)):
            for n in range(1, 5):
                if i + n > len(sent):
                    break
                if n > 1 and not joinable(text, sent[i + n - 2], sent[i + n - 1]):
                    break
                spun = tuple(words[i:i + n])
                protected = any(
                    t.is_number or (t.text[:1].isupper() and not is_sentence_initial(text, t.start))
                    or (len(t.text) > 1 and t.text.isupper()) for t in sent[i:i + n])
                cands = [c for c in gen.candidates(spun) if all(dec.lm.known(x) for x in c.words)]
                if protected:
                    cands = [c for c in cands if c.exact]
                if not cands:
                    continue
                base = dec.window_score(words, i, n, spun)
                g = units.get((offset + i, n))
                for c in cands:
                    f = channel.features(spun, c)
                    dlm = dec.window_score(words, i, n, c.words) - base
                    # Last field: keep is wrong here (a swap covers this position).
                    out.append(([dlm] + [f[k] for k in FEATURES], int(c.words == g), original is None, offset + i,
                                offset + i in covered))
        offset += len(sent)
    return out


def fit(X, y, pos, keep_target, sw_pos, l2=0.01, iters=3000, lr=0.1):
    """Conditional logit per input position: the options are "keep" (score 0) and every
    candidate (score w.x); the target is the aligned original, or keep.

    ``pos``: position id of each row; ``keep_target[p]``: whether keep is right at position p;
    ``sw_pos[p]``: weight of position p.
    """
    n_pos = len(keep_target)
    w = np.zeros(X.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, iters + 1):
        z = np.clip(X @ w, -40, 40)
        e = np.exp(z)
        denom = 1.0 + np.bincount(pos, weights=e, minlength=n_pos)  # 1.0 = exp(0) for keep
        p = e / denom[pos]
        # gradient of -log p(target): sum_k p_k x_k - x_target
        coef = (p - y) * sw_pos[pos]
        g = X.T @ coef / sw_pos.sum() + l2 * w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return w


def design(rows, clean_weight):
    """Rows -> matrices for :func:`fit`. Positions where the original is not among the
    candidates (and keep is wrong) teach nothing about choosing, and are dropped."""
    keys = {}
    for r in rows:
        keys.setdefault(r[3], []).append(r)
    X, y, pos, keep_target, sw_pos = [], [], [], [], []
    for key, rs in keys.items():
        has_pos = any(r[1] for r in rs)
        changed = any(r[4] for r in rs)
        if changed and not has_pos:
            continue
        p = len(keep_target)
        keep_target.append(not has_pos)
        sw_pos.append(clean_weight if rs[0][2] else 1.0)
        for r in rs:
            X.append(r[0])
            y.append(r[1])
            pos.append(p)
    return (np.array(X, dtype=float), np.array(y, dtype=float), np.array(pos),
            np.array(keep_target), np.array(sw_pos))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs")
    ap.add_argument("--family", default="synonym")
    ap.add_argument("--clean-weight", type=float, default=3.0)
    ap.add_argument("--target-fer", type=float, default=0.004)
    ap.add_argument("--write", action="store_true", help="write src/unspin/data/weights.json")
    args = ap.parse_args()
    pairs = load_pairs(args.pairs, family=args.family)
    groups = sorted({p.group for p in pairs})
    file_table = SubstitutionTable.learn((p.group, p.spun, p.original) for p in pairs)
    base = shipped_table().without(*groups)
    config = RestoreConfig(fingerprints=False)
    rows = []
    for g in groups:
        r = Restorer(config, table=base.merged(file_table.without(g)))
        for k, p in enumerate(pairs):
            if p.group == g:
                rows += [x[:3] + ((k, 0, x[3]),) + x[4:] for x in examples(r, p.spun, p.original)]
                rows += [x[:3] + ((k, 1, x[3]),) + x[4:] for x in examples(r, p.original, None)]
    X, y, pos, keep_target, sw_pos = design(rows, args.clean_weight)
    print(f"{len(y)} candidates at {len(keep_target)} positions, {int(y.sum())} positive", file=sys.stderr)
    w = fit(X, y, pos, keep_target, sw_pos)
    names = ["lm"] + FEATURES
    weights = {k: round(float(v), 4) for k, v in zip(names, w)}
    print(json.dumps(weights, indent=1), file=sys.stderr)
    # The logistic bias balances classes; the decision bias is set for the false-edit target.
    best = None
    for shift in np.arange(-1.0, 4.01, 0.5):
        wd = dict(weights, bias=weights["bias"] - shift)
        res = evaluate_restore(pairs, RestoreConfig(fingerprints=False, weights=tuple(wd.items())))
        print(f"shift {shift:+.1f}: repair {res['repair']} fer {res['false_edit_rate']}", file=sys.stderr)
        if res["false_edit_rate"] <= args.target_fer and (best is None or res["repair"] > best[0]):
            best = (res["repair"], wd)
    if best is None:
        print("no setting meets the false-edit target", file=sys.stderr)
        return 1
    print(json.dumps(best[1], indent=1))
    if args.write:
        (ROOT / "src/unspin/data/weights.json").write_text(json.dumps(best[1], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
