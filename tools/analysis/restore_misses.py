#!/usr/bin/env python3
"""Where restoration's misses are: each replaced run of the spinner (spun words -> original
words, aligned as the evaluation counts words) classified by what restoration did with it.

    .venv/bin/unspin eval restore ../shared/data/wild-dev/pairs.jsonl --family synonym --by-article \\
        --details /tmp/details.jsonl
    .venv/bin/python -m tools.analysis.restore_misses /tmp/details.jsonl [--examples 20] [--json]

Classes, for one-word swaps and longer runs apart: ``fixed`` (the restored text has exactly the
original words there), ``wrong`` (changed, but not to the original), ``untouched`` (left as
spun); and ``false`` edits: words the spinner did not touch that restoration changed. It reads
the ``--details`` output, so it describes exactly the run that produced the figure
(leave-one-article-out included), whatever the backend or options.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import sys

from unspin.inputs.textio import iter_jsonl
from unspin.lang.tokenize import eval_words


def _restored_of(sw: list[str], rw: list[str]) -> list[list[str]]:
    """For each spun word, the restored words that replace it: word for word where a replaced
    run keeps its length, else the whole run is given to its first word (the others get [])."""
    out: list[list[str]] = [[w] for w in sw]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, sw, rw, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:  # word for word: keep each word's own
            for i in range(i1, i2):
                out[i] = [rw[j1 + i - i1]]
            continue
        for i in range(i1, i2):
            out[i] = []
        if i1 < len(sw):
            out[i1] = rw[j1:j2] if i2 > i1 else rw[j1:j2] + out[i1]
    return out


def classify(spun: str, original: str, restored: str) -> list[tuple[str, str, str, str]]:
    """(class, spun words, original words, restored words) per replaced run and per false edit."""
    sw, ow, rw = eval_words(spun), eval_words(original), eval_words(restored)
    got = _restored_of(sw, rw)
    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, sw, ow, autojunk=False).get_opcodes():
        there = [w for i in range(i1, i2) for w in got[i]]
        if op == "equal":
            rows.extend(("false", sw[i], sw[i], " ".join(got[i])) for i in range(i1, i2) if got[i] != [sw[i]])
            continue
        size = "one-word" if i2 - i1 == 1 and j2 - j1 == 1 else "longer"
        if there == ow[j1:j2]:
            kind = "fixed"
        elif there == sw[i1:i2]:
            kind = "untouched"
        else:
            kind = "wrong"
        rows.append((f"{size} {kind}", " ".join(sw[i1:i2]), " ".join(ow[j1:j2]), " ".join(there)))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("details", help="the JSONL of `unspin eval restore --details`")
    ap.add_argument("--examples", type=int, default=10, help="examples printed per class")
    ap.add_argument("--json", action="store_true", help="counts and examples as JSON")
    args = ap.parse_args(argv)
    counts: collections.Counter = collections.Counter()
    examples: dict = collections.defaultdict(list)
    try:
        for _, obj in iter_jsonl(args.details, text_field="spun"):
            for kind, s, o, r in classify(obj["spun"], obj["original"], obj["restored"]):
                counts[kind] += 1
                if len(examples[kind]) < args.examples:
                    examples[kind].append({"id": obj.get("id"), "spun": s, "original": o, "restored": r})
    except (OSError, KeyError, ValueError) as e:
        print(f"restore_misses: error: {args.details}: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"counts": dict(counts), "examples": examples}, indent=1))
        return 0
    for kind in sorted(counts):
        print(f"{kind:20s} {counts[kind]:6d}")
    for kind in sorted(examples):
        print(f"\n{kind}:")
        for x in examples[kind]:
            print(f"  {x['id']}: {x['spun']!r} -> {x['original']!r}, restored {x['restored']!r}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # piped into head
        sys.exit(0)
