#!/usr/bin/env python3
"""How many multi-word swaps each candidate source can reach: wild-dev's (aligned as
``gold_token_mask`` aligns them) and the Problematic Paper Screener's tortured phrases.

    .venv/bin/python -m tools.analysis.phrase_reach ../shared/data/wild-dev/pairs.jsonl \\
        --pps ../shared/data/pps/tortured-phrases.json

A swap is a replaced run of spun words (several words on the spun side) and the original
words it replaced. Reached by:

  * ``thesaurus``: the lexicon's multi-word entries (with the verb-lemma path), as the
    restorer's thesaurus source proposes them, unfiltered;
  * ``periphrase``: the grammar table (``data/periphrases.tsv``, inflected);
  * ``composition``: each spun word has the original word at its position among its own
    single-word thesaurus originals (same length only), counted three ways: at all, when the
    original is a multi-word lexicon term, and when the 3-gram prefers the original phrase by
    more than 3 nats;
  * ``union``: thesaurus or periphrase (the sources the restorer has).

``--clean FILE`` (JSONL, field ``text``: clean held-out prose) also restores each text with
the default restorer and reports the share of its words that edits changed (the false-edit
rate on clean input), and how many of those edits name ``periphrase`` evidence.

Reach is an upper bound: whether the restorer then makes the edit is ``unspin eval restore``'s
question (docs/restore.md).
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import sys

from unspin.errors import UnspinError
from unspin.evaluation.data import load_pairs
from unspin.lang.lexicon import get_lexicon
from unspin.lang.lm import get_lm
from unspin.lang.tokenize import tokenize
from unspin.restoration.sources.phrases import load_periphrases
from unspin.restoration.sources.thesaurus import ThesaurusSource


def swaps(spun: str, original: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(spun words, original words) of each replaced run with several spun words."""
    a = [t.lower for t in tokenize(spun)]
    b = [t.lower for t in tokenize(original)]
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace" and i2 - i1 > 1:
            out.append((tuple(a[i1:i2]), tuple(b[j1:j2])))
    return out


class Reach:
    def __init__(self):
        self.thesaurus = ThesaurusSource(get_lexicon())
        self.lexicon = self.thesaurus.lexicon
        self.table = load_periphrases()
        self.lm = get_lm()

    def words_near(self, w: str) -> set[str]:
        return {o[0] for o, _ in self.thesaurus.originals(w) if len(o) == 1} | {w}

    def reached(self, spun: tuple[str, ...], orig: tuple[str, ...]) -> dict[str, bool]:
        th = orig in {o for o, _ in self.thesaurus.propose(spun)}
        pp = orig in {o for o, _ in self.table.get(spun, ())}
        comp = (len(spun) == len(orig)
                and all(o in self.words_near(s) for s, o in zip(spun, orig)))
        return {
            "thesaurus": th,
            "periphrase": pp,
            "union": th or pp,
            "composition": comp,
            "composition_lexicon_term": comp and " ".join(orig) in self.lexicon,
            "composition_lm_gain3": comp and self.lm.sequence(list(orig)) - self.lm.sequence(list(spun)) > 3,
        }


def tally(reach: Reach, items) -> dict:
    counts = collections.Counter()
    n = 0
    for spun, orig in items:
        n += 1
        for k, v in reach.reached(spun, orig).items():
            counts[k] += v
    return {"swaps": n, **{k: counts[k] for k in
                           ("thesaurus", "periphrase", "union", "composition",
                            "composition_lexicon_term", "composition_lm_gain3")}}


def clean_changes(path: str) -> dict:
    """Words of clean texts that the default restorer changes."""
    from unspin.inputs.textio import iter_jsonl
    from unspin.restoration.restorer import get_restorer

    restorer = get_restorer()
    words = changed = periphrase = 0
    for _, obj in iter_jsonl(path):
        res = restorer.restore(str(obj.get("text", "")))
        words += len(res.input.split())
        for e in res.edits:
            n = len(e.spun.split())
            changed += n
            periphrase += n if "periphrase" in e.evidence else 0
    return {"words": words, "changed": changed, "rate": round(changed / max(words, 1), 4),
            "changed_by_periphrase": periphrase}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs", help="wild-dev pairs.jsonl (fields spun, original, family)")
    ap.add_argument("--pps", help="the PPS tortured-phrases.json")
    ap.add_argument("--clean", help="JSONL of clean texts (field text): words restore changes")
    args = ap.parse_args()
    try:
        fam = {f: [s for p in load_pairs(args.pairs, f) for s in swaps(p.spun, p.original)]
               for f in ("synonym", "rewrite")}
        pps = []
        if args.pps:
            with open(args.pps, encoding="utf-8") as f:
                pps = [(tuple(p["tortured"].lower().split()), tuple(p["correct"].lower().split()))
                       for p in json.load(f)["phrases"]]
    except UnspinError as e:
        print(f"unspin: error: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"unspin: error: {args.pps}: {e}", file=sys.stderr)
        return 1
    reach = Reach()
    out = {name: tally(reach, items) for name, items in sorted(fam.items())}
    if pps:
        out["pps"] = tally(reach, [p for p in pps if len(p[0]) > 1])
    if args.clean:
        try:
            out["clean"] = clean_changes(args.clean)
        except UnspinError as e:
            print(f"unspin: error: {e}", file=sys.stderr)
            return 1
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
