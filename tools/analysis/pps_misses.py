#!/usr/bin/env python3
"""Why unlisted tortured phrases are not restored: one fold of ``eval_pps --terms-folds``, each
entry classified by what the term source made of it.

    PYTHONPATH=src:. .venv/bin/python -m tools.analysis.pps_misses ../shared/data/pps/tortured-phrases.json \\
        [--fold 0] [--group seen] [--examples 20]

The fold's tables are built as ``eval_pps`` builds them (the term list and the word swaps of the
other folds only), with the fingerprint list off. Classes: ``ok`` (restored exactly);
``length`` (the two sides have a different number of words, brackets in the expected side
included); ``not proposed`` (the term source proposes nothing for the span); ``other term``
(it proposes, but not the expected term); ``proposed, lost`` (the expected term is proposed
and the decoder keeps something else, most often the text as it is).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys

from tools.analysis.eval_pps import TEMPLATES, _fold_tables, fold_of, load_phrases
from unspin.lang.tokenize import eval_words
from unspin.restoration.restorer import RestoreConfig, get_restorer
from unspin.restoration.sources.terms import MAX_WORDS, MIN_WORDS, term_words


def classify(phrases: list[dict], fold: int, folds: int = 5, group: str = "seen", examples: int = 0) -> dict:
    from tools.build.build_terms import build_terms, wordnet_terms
    from unspin.lang.lm import get_lm

    which = fold_of(phrases, folds)
    train = [p for i, p in enumerate(phrases) if which[i] != fold]
    terms = build_terms(train, wordnet_terms(), get_lm().known)
    r = get_restorer(RestoreConfig(fingerprints=False))
    _fold_tables(r, train, terms, None)
    src = r.generator._by_name["term"]
    counts: collections.Counter = collections.Counter()
    shown: dict[str, list] = collections.defaultdict(list)
    for i, p in enumerate(phrases):
        if which[i] != fold:
            continue
        t = term_words(p["correct"])
        g = "seen" if terms.get(t) else "wordnet" if t in terms else "new"
        if group != "all" and g != group:
            continue
        template = TEMPLATES[i % len(TEMPLATES)]
        got = r.restore(template.format(p["tortured"]))
        if eval_words(got.text) == eval_words(template.format(p["correct"])):
            counts["ok"] += 1
            continue
        span = term_words(p["tortured"])
        proposed = [x for x, _ in src.propose(span)] if MIN_WORDS <= len(span) <= MAX_WORDS else []
        if len(span) != len(t) and t not in proposed:
            c = "length"
        elif not proposed:
            c = "not proposed"
        elif t not in proposed:
            c = "other term"
        else:
            c = "proposed, lost"
        counts[c] += 1
        if len(shown[c]) < examples:
            shown[c].append({"tortured": p["tortured"], "correct": p["correct"], "restored": got.text,
                             "edits": [(e.spun, e.original) for e in got.edits]})
    return {"fold": fold, "group": group, "counts": dict(counts.most_common()), "examples": shown}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pps")
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--group", choices=("seen", "wordnet", "new", "all"), default="seen")
    ap.add_argument("--examples", type=int, default=10, help="examples kept per class")
    args = ap.parse_args()
    out = classify(load_phrases(args.pps), args.fold, args.folds, args.group, args.examples)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
