#!/usr/bin/env python3
"""Tortured-phrase spotting data: clean documents with their terms replaced by tortured phrases.

The comparable published task (Martel et al. 2024) spots *unlisted* tortured phrases. This takes
the clean documents of the detector's test split (``build/detect-data/eval.jsonl``: technical
prose the model was not fitted on) that contain a term of the shipped fingerprint list's correct
side ("operating system", "command line", "floating point", ...), and writes each as a pair
(``spun``: every occurrence of each such term replaced by one of its tortured phrases,
"working framework", "summon line", "coasting point", the same one throughout a document, as a
paraphrasing tool would; ``original``: the document as it was). Score it with the list switched
off, so that what is measured is spotting, not lookup::

    python -m tools.datasets.make_tortured_data                  # -> build/detect-data/tortured.jsonl
    unspin eval detect build/detect-data/tortured.jsonl --no-fingerprints [--fast | --restore]

Gold spans are the words that differ (the tortured phrase's changed words); span precision
counts every span the detector lists anywhere in the document, not only in the changed sentence.
Seeded: the same input gives the same file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tortured_by_term(path: str) -> dict[str, list[str]]:
    """Correct term (lower case, two words or more) -> its tortured phrases, in list order."""
    with open(path, encoding="utf-8") as f:
        phrases = json.load(f)["phrases"]
    out: dict[str, list[str]] = defaultdict(list)
    for p in phrases:
        correct, tortured = p.get("correct", "").strip(), p.get("tortured", "").strip()
        if len(correct.split()) >= 2 and correct != "???" and tortured and tortured.lower() != correct.lower():
            out[correct.lower()].append(tortured)
    return dict(out)


def torture(text: str, table: dict[str, list[str]], pattern: re.Pattern, rng: random.Random) -> tuple[str, int]:
    """``text`` with every listed term replaced (case of the first letter kept); replacements made."""
    chosen: dict[str, str] = {}
    n = 0

    def repl(m: re.Match) -> str:
        nonlocal n
        term = m.group(0).lower()
        if term not in chosen:
            chosen[term] = rng.choice(table[term])
        new = chosen[term]
        n += 1
        return new[:1].upper() + new[1:] if m.group(0)[:1].isupper() else new

    return pattern.sub(repl, text), n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "build", "detect-data", "eval.jsonl"),
                    help="clean documents: rows with label 0 and kind 'clean' are used")
    ap.add_argument("--fingerprints", default=os.path.join(ROOT, "src", "unspin", "data", "fingerprints.json"),
                    help="the tortured-phrase list (default: the shipped, cleaned one)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "detect-data", "tortured.jsonl"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for p in (args.data, args.fingerprints):
        if not os.path.isfile(p):
            print(f"error: {p}: no such file" + (" (run tools/datasets/make_detect_data.py first)" if p == args.data else ""),
                  file=sys.stderr)
            return 1
    table = tortured_by_term(args.fingerprints)
    # Longest terms first, so that "linux operating system" wins over "operating system".
    alts = "|".join(re.escape(t) for t in sorted(table, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.IGNORECASE)
    written = replaced = 0
    with open(args.data, encoding="utf-8") as f, open(args.out, "w", encoding="utf-8") as out:
        for line in f:
            row = json.loads(line)
            if row.get("label") != 0 or row.get("kind") != "clean":
                continue
            rng = random.Random(f"{args.seed}:{row['id']}")
            spun, n = torture(row["text"], table, pattern, rng)
            if not n:
                continue
            out.write(json.dumps({"id": row["id"], "spun": spun, "original": row["text"], "replaced": n,
                                  "source": row.get("source")}, ensure_ascii=False) + "\n")
            written += 1
            replaced += n
    print(json.dumps({"documents": written, "phrases_replaced": replaced, "terms": len(table), "out": args.out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
