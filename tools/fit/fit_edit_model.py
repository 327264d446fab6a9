#!/usr/bin/env python3
"""Fit the edit model (``src/unspin/data/edit_model.json``): which of a document's proposed
edits restore (:mod:`unspin.restoration.document`).

Data: JSONL of aligned pairs (``spun``, ``original``, optional ``family`` and ``id``), made by
synthetic spinners from clean text (``unspin.evaluation.spinners``), with clean copies
(``spun`` == ``original``) among them so that clean text is seen as such. Never real spun
articles: wild-dev is what the model is scored on (``unspin eval restore --by-article``).

Each document is proposed on as restore does it (the gate, then the decoder's best candidate at
every position, :meth:`Restorer.propose`), and each proposal is labelled from the word
alignment of the pair: 1 if it gives back exactly the original words of its span, 0 if its span
is unchanged in the spun text (an edit would damage clean words); proposals on spun words with a
wrong original are left out (they cost nothing either way), so the model's probability is
P(right | right or clean) and 0.5 is the repair metric's break-even.

Usage::

    python -m tools.fit.fit_edit_model TRAIN.jsonl [...] [--exclude-family F] [--out PATH]
        [--cache PATH.npz] [--l2 1.0] [--pool 8]

``--exclude-family`` fits without one spinner family (to score that family held out).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import time

import numpy as np

from unspin.detection.model import fit_logreg
from unspin.evaluation.metrics import auroc
from unspin.evaluation.restore import levenshtein
from unspin.lang.lm import lm_form
from unspin.lang.tokenize import tokenize
from unspin.restoration.channel import FEATURES
from unspin.restoration.document import EditModel, candidate_features, position_features
from unspin.restoration.restorer import RestoreConfig, Restorer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "src", "unspin", "data", "edit_model.json")
POS_NAMES = position_features(FEATURES)
CAND_NAMES = candidate_features(FEATURES)


def _alignment(spun: str, original: str):
    """Token index by start offset, both sides' LM forms, and per spun token the alignment
    block holding it: (i1, i2, j1, j2) of difflib's opcodes (equal blocks word by word)."""
    st, ot = tokenize(spun), tokenize(original)
    a, b = [lm_form(t) for t in st], [lm_form(t) for t in ot]
    block: list[tuple[int, int, int, int, bool]] = [None] * len(a)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                block[i1 + k] = (i1 + k, i1 + k + 1, j1 + k, j1 + k + 1, False)
        else:
            for k in range(i1, i2):
                block[k] = (i1, i2, j1, j2, True)
    return {t.start: k for k, t in enumerate(st)}, a, b, block


def labels(spun: str, original: str, found, sents) -> list[tuple[int, list[int]]]:
    """Per position: (1 if the spinner changed a word of its best candidate's span else 0, and
    per option 1 if it brings the span's alignment block closer to the original (word-level
    Levenshtein) else 0). Blocks, not single words, because a spinner's neighbouring swaps
    align as one block ("space close to" / "area near": "space" -> "area" is right)."""
    at, a, b, block = _alignment(spun, original)
    out = []
    for pos in found:
        s = sents[pos.sentence]
        L = at[s.tokens[pos.options[0].start].start]
        rights = []
        for o in pos.options:
            R = min(L + o.n, len(a))
            i1 = min(block[k][0] for k in range(L, R))
            i2 = max(block[k][1] for k in range(L, R))
            j1 = min(block[k][2] for k in range(L, R))
            j2 = max(block[k][3] for k in range(L, R))
            changed = any(block[k][4] for k in range(L, R))
            target = b[j1:j2]
            before = levenshtein(a[i1:i2], target)
            after = levenshtein(a[i1:L] + list(o.words) + a[R:i2], target)
            rights.append(int(changed and after < before))
        best_n = pos.options[0].n
        out.append((int(any(block[k][4] for k in range(L, min(L + best_n, len(a))))), rights))
    return out


def extract(paths: list[str], pool: float):
    """Position rows (features, spun?, family) and candidate rows (features, right?, family)
    of every document; candidates at every spun position (P(right | spun) includes positions
    whose original is none of the candidates)."""
    restorer = Restorer(RestoreConfig(edit_model=""))
    restorer.edit_pool = pool
    P, yp, fp, C, yc, fc = [], [], [], [], [], []
    t0 = time.time()
    n = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                fam = r.get("family", "?")
                sents, found, _ = restorer.propose(r["spun"])
                for pos, (spun, rights) in zip(found, labels(r["spun"], r["original"], found, sents)):
                    P.append([pos.features.get(k, 0.0) for k in POS_NAMES])
                    yp.append(spun)
                    fp.append(fam)
                    if spun:  # every spun position: the right original may not be among its candidates
                        for cf, right in zip(pos.candidate, rights):
                            C.append([cf.get(k, 0.0) for k in CAND_NAMES])
                            yc.append(right)
                            fc.append(fam)
                n += 1
                if n % 50 == 0:
                    print(f"  {n} documents, {len(yp)} positions, {time.time() - t0:.0f} s", file=sys.stderr)
    return (np.array(P, float), np.array(yp, int), np.array(fp), np.array(C, float), np.array(yc, int),
            np.array(fc))


def _report(name, model, X, y, fam, keep) -> dict:
    p = model.prob(X)
    info = {f"{name}_rows": int(keep.sum()), f"{name}_positive": int(y[keep].sum()),
            f"{name}_auroc_fitted": round(auroc(p[keep].tolist(), y[keep].tolist()), 4)}
    for f in sorted(set(fam.tolist())):
        m = fam == f
        if len(set(y[m].tolist())) == 2:
            info[f"{name}_auroc_{f}"] = round(auroc(p[m].tolist(), y[m].tolist()), 4)
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="+")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--cache", help="features of the data (.npz): written if absent, read if present")
    ap.add_argument("--exclude-family", action="append", default=[])
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--pool", type=float, default=EditModel.POOL,
                    help="edit cost removed when the decoder gathers candidates")
    args = ap.parse_args()
    if args.cache and os.path.exists(args.cache):
        z = np.load(args.cache, allow_pickle=False)
        P, yp, fp, C, yc, fc = (z[k] for k in ("P", "yp", "fp", "C", "yc", "fc"))
    else:
        P, yp, fp, C, yc, fc = extract(args.data, args.pool)
        if args.cache:
            np.savez(args.cache, P=P, yp=yp, fp=fp, C=C, yc=yc, fc=fc)
    kp = ~np.isin(fp, args.exclude_family)
    kc = ~np.isin(fc, args.exclude_family)
    pm = fit_logreg(P[kp], yp[kp], POS_NAMES, l2=args.l2)
    cm = fit_logreg(C[kc], yc[kc], CAND_NAMES, l2=args.l2)
    info = {"data": [os.path.basename(d) for d in args.data], "excluded_families": args.exclude_family,
            "l2": args.l2}
    info.update(_report("position", pm, P, yp, fp, kp))
    info.update(_report("candidate", cm, C, yc, fc, kc))
    model = EditModel(pm, cm, args.pool, info)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(model.to_dict(), f, indent=1)
        f.write("\n")
    print(json.dumps(info, indent=1))
    for title, m in (("position", pm), ("candidate", cm)):
        print(title)
        for name, c in sorted(zip(m.names, m.coef), key=lambda x: -abs(x[1]))[:12]:
            print(f"  {name:18s} {c:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
