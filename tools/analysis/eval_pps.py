#!/usr/bin/env python3
"""Share of tortured phrases that restore turns back into their expected term, exactly,
when each is placed in a neutral sentence ("We applied profound learning to the data.").

    .venv/bin/python -m tools.analysis.eval_pps ../shared/data/pps/tortured-phrases.json --no-fingerprints

Without ``--no-fingerprints`` the list itself is used, which measures lookup, not restoration.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

from unspin.restoration.restorer import RestoreConfig, get_restorer
from unspin.lang.tokenize import eval_words

TEMPLATES = ["We applied {} to the data.", "In this paper, {} is discussed in detail."]


def load_phrases(path: str, sample: int = 0) -> list[dict]:
    """The PPS entries (``tortured``, ``correct``); ``sample``: a seeded random sample of this size."""
    phrases = json.load(open(path, encoding="utf-8"))["phrases"]
    if sample:
        phrases = random.Random(0).sample(phrases, min(sample, len(phrases)))
    return phrases


def score_phrases(phrases: list[dict], restorer) -> dict:
    """Shares of ``phrases`` restored exactly to their expected term, and changed at all."""
    exact = changed = 0
    for k, p in enumerate(phrases):
        sent = TEMPLATES[k % len(TEMPLATES)].format(p["tortured"])
        want = eval_words(TEMPLATES[k % len(TEMPLATES)].format(p["correct"]))
        got = restorer.restore(sent).text
        exact += eval_words(got) == want
        changed += got != sent
    n = len(phrases)
    return {"phrases": n, "exact": round(exact / n, 4), "changed": round(changed / n, 4)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pps")
    ap.add_argument("--no-fingerprints", action="store_true")
    ap.add_argument("--sample", type=int, default=0, help="score a seeded random sample of this size")
    ap.add_argument("--threshold", type=float, default=0.0)
    ap.add_argument("--backend", default="ngram", help="context model: ngram, or a neural spec (gguf, hf:NAME)")
    args = ap.parse_args()
    phrases = load_phrases(args.pps, args.sample)
    restorer = get_restorer(RestoreConfig(fingerprints=not args.no_fingerprints, threshold=args.threshold,
                                          backend=args.backend))
    print(json.dumps(dict(score_phrases(phrases, restorer), fingerprints=not args.no_fingerprints,
                          backend=args.backend)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
