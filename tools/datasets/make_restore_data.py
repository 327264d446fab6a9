#!/usr/bin/env python3
"""Build the training data of the edit model (``tools/fit/fit_edit_model.py``): synthetic spins
of clean news by several spinner families, with clean copies, and clean technical prose.

Inputs (no real spun text, nothing from wild-dev):
  * news: the Lee corpus shipped in the PyPI wheel of ``gensim`` (``gensim/test/test_data/lee.cor``
    and ``lee_background.cor``; ``unzip -o gensim-*.whl 'gensim/test/test_data/lee*' -d DIR``),
    minus every document holding a paragraph of ``--exclude`` (the held-out clean news the
    restore report measures false edits on);
  * optionally ``--clean-tech``: clean technical prose (``build/detect-data/clean.jsonl`` of
    ``tools/datasets/make_detect_data.py``; its ``train`` split only).

Each news document is spun ``--copies`` times, each time by the next (family, rate) of a fixed
plan: consistent spinners (one replacement per word type per document, as real ones are) of
the styles moby, wordnet, context and ppdb (``unspin.evaluation.spinners``), at rates from 0.3
to 0.9, without the spinners' hand list of real spinners' phrases; every fifth copy is left
clean. Output: JSONL rows ``id``, ``family`` (style or ``clean`` / ``clean-tech``), ``rate``,
``spun``, ``original``. Deterministic for given inputs.

Usage::

    python -m tools.datasets.make_restore_data --lee DIR --exclude lee150.jsonl \\
        [--clean-tech build/detect-data/clean.jsonl] [--ppdb ../shared/data/ppdb/ppdb-1.0-xl-lexical.txt] \\
        [--copies 2] -o build/restore-data/train.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

from unspin.evaluation.spinners import load_ppdb, spin

PLAN = [("moby", 0.5), ("wordnet", 0.7), ("context", 0.5), ("ppdb", 0.5), ("clean", 0.0),
        ("moby", 0.8), ("context", 0.8), ("ppdb", 0.8), ("wordnet", 0.4), ("clean", 0.0),
        ("ppdb", 0.3), ("context", 0.3), ("moby", 0.3), ("wordnet", 0.9), ("clean", 0.0)]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def news(lee_dir: str, exclude: str | None) -> list[tuple[str, str]]:
    held = []
    if exclude:
        with open(exclude, encoding="utf-8") as f:
            held = [_norm(json.loads(line)["text"])[:80] for line in f if line.strip()]
    out = []
    for name, tag in (("lee_background.cor", "bg"), ("lee.cor", "lc")):
        with open(os.path.join(lee_dir, name), encoding="utf-8", errors="replace") as f:
            for k, line in enumerate(f):
                doc = _norm(line)
                if doc and not any(h in doc for h in held):
                    out.append((f"{tag}{k:03d}", doc))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lee", required=True, help="folder holding lee.cor and lee_background.cor")
    ap.add_argument("--exclude", help="JSONL (field text) of held-out clean news to leave out")
    ap.add_argument("--clean-tech", help="clean technical prose JSONL (fields text, split)")
    ap.add_argument("--tech-docs", type=int, default=120)
    ap.add_argument("--ppdb", default=os.path.join("..", "shared", "data", "ppdb", "ppdb-1.0-xl-lexical.txt"))
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    for path in (os.path.join(args.lee, "lee.cor"), args.ppdb, args.exclude, args.clean_tech):
        if path and not os.path.exists(path):
            print(f"make_restore_data: error: not found: {path}", file=sys.stderr)
            return 1
    ppdb = load_ppdb(args.ppdb)
    docs = news(args.lee, args.exclude)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    n = 0
    with open(args.output, "w", encoding="utf-8") as out:
        for copy in range(args.copies):
            for k, (doc_id, text) in enumerate(docs):
                family, rate = PLAN[(k + copy * 7) % len(PLAN)]
                spun = text if family == "clean" else spin(text, rate, 7919 * copy + k, family, memo={},
                                                          ppdb=ppdb, phrases=False)[0]
                out.write(json.dumps({"id": f"{doc_id}-c{copy}", "family": family, "rate": rate,
                                      "spun": spun, "original": text}) + "\n")
                n += 1
        if args.clean_tech:
            with open(args.clean_tech, encoding="utf-8") as f:
                rows = [json.loads(line) for line in f if line.strip()]
            rows = [r for r in rows if r.get("split") == "train"][: args.tech_docs]
            for r in rows:
                out.write(json.dumps({"id": r["id"], "family": "clean-tech", "rate": 0.0,
                                      "spun": r["text"], "original": r["text"]}) + "\n")
                n += 1
    print(f"{n} documents ({len(docs)} news documents x {args.copies}) -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
