#!/usr/bin/env python3
"""How often the detector's scan considers the right original: the share of a spinner's one-word
swaps whose original is among the scan's candidates for the spun word, and how many candidates
the scan scores per word (its cost). Development tooling (docs/detect.md, "PPDB in the scan").

    python -m tools.analysis.scan_coverage [--words 5] [--ppdb 3] [--no-ppdb] \\
        [--set wild=../shared/data/wild-dev/pairs.jsonl:family=synonym] \\
        [--set ppdb=build/detect-data/synthetic.jsonl:family=ppdb,split=test] [--cost build/detect-data/eval.jsonl]

Each ``--set NAME=FILE[:FIELD=VALUE,...]`` is a JSONL of aligned pairs (``spun`` and ``original``,
or ``text`` and ``original``); the swaps are :func:`unspin.restoration.table.aligned_units` of
their LM forms. ``--cost FILE``: the mean number of candidates per word the scan questions, over
the first 400 documents of FILE (``text``). ``--words`` / ``--ppdb`` set the scan's
``WORD_CANDIDATES`` / ``PPDB_CANDIDATES`` for the run (``--no-ppdb``: none from PPDB).
"""

from __future__ import annotations

import argparse
import json
import sys

import unspin.detection.scan as scan_module
from unspin.lang.lm import lm_form
from unspin.lang.tokenize import tokenize
from unspin.restoration.table import aligned_units

DEFAULT_SETS = [
    "wild=../shared/data/wild-dev/pairs.jsonl:family=synonym",
    "ppdb=build/detect-data/synthetic.jsonl:family=ppdb,split=test",
    "wordnet=build/detect-data/synthetic.jsonl:family=wordnet,split=test",
    "moby=build/detect-data/synthetic.jsonl:family=moby,split=test",
]


def parse_set(spec: str) -> tuple[str, str, dict[str, str]]:
    """``NAME=FILE[:FIELD=VALUE,...]`` -> (name, file, filters)."""
    name, _, rest = spec.partition("=")
    path, _, cond = rest.partition(":")
    if not name or not path:
        raise SystemExit(f"--set {spec!r}: expected NAME=FILE[:FIELD=VALUE,...]")
    filters = dict(c.split("=", 1) for c in cond.split(",") if c) if cond else {}
    return name, path, filters


def one_word_swaps(path: str, filters: dict[str, str]) -> list[tuple[str, str]]:
    """(spun word, original word) of every one-word swap in the file's pairs."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if any(str(r.get(k)) != v for k, v in filters.items()) or not r.get("original"):
                continue
            spun = r.get("spun", r.get("text", ""))
            a = [lm_form(t) for t in tokenize(spun)]
            b = [lm_form(t) for t in tokenize(r["original"])]
            out.extend((a[i], o[0]) for (i, n), o in aligned_units(a, b) if n == 1 and len(o) == 1)
    return out


def coverage(scanner, swaps: list[tuple[str, str]]) -> float:
    hit = sum(o in {t for t, _ in scanner.candidates(w)} for w, o in swaps)
    return hit / len(swaps) if swaps else float("nan")


def cost(scanner, path: str, docs: int = 400) -> float:
    """Mean candidates per word the scan questions, over the first ``docs`` documents."""
    n = total = 0
    with open(path, encoding="utf-8") as f:
        for k, line in enumerate(f):
            if k >= docs:
                break
            text = json.loads(line)["text"]
            for ev in scanner.scan(text, tokenize(text)):
                if ev.eligible:
                    n += 1
                    total += len(scanner.candidates(ev.form))
    return total / n if n else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=scan_module.WORD_CANDIDATES)
    ap.add_argument("--ppdb", type=int, default=scan_module.PPDB_CANDIDATES)
    ap.add_argument("--no-ppdb", action="store_true")
    ap.add_argument("--set", action="append", dest="sets", metavar="NAME=FILE[:FIELD=VALUE,...]")
    ap.add_argument("--cost", metavar="FILE", help="JSONL with 'text': candidates per questioned word")
    args = ap.parse_args(argv)
    scan_module.WORD_CANDIDATES = args.words
    scan_module.PPDB_CANDIDATES = args.ppdb
    scanner = scan_module.Scanner()
    scanner.formdata = None  # computed with this run's limits, not read from the shipped form data
    if args.no_ppdb:
        scanner._ppdb_links = lambda w: []
    out = {"word_candidates": args.words, "ppdb_candidates": 0 if args.no_ppdb else args.ppdb}
    for spec in args.sets or DEFAULT_SETS:
        name, path, filters = parse_set(spec)
        try:
            swaps = one_word_swaps(path, filters)
        except FileNotFoundError:
            print(f"{path}: not found, {name} skipped", file=sys.stderr)
            continue
        out[name] = {"swaps": len(swaps), "original_among_candidates": round(coverage(scanner, swaps), 3)}
    if args.cost:
        out["candidates_per_word"] = round(cost(scanner, args.cost), 2)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
