#!/usr/bin/env python3
"""Where restore loses the swaps it does not repair: generation, the plausibility filter, or the decision.

Every aligned swap of the spun side (one word or a phrase unit, :func:`unspin.restoration.table.aligned_units`)
is put in one bucket: its original is never generated; generated but removed by the decoder's
hard channel filter (``Channel.plausible``: too rare, or not more common than the spun form);
among the decoder's candidates but not chosen; or repaired. Learned-table evidence is
leave-one-article-out, as in ``unspin eval restore``.

    python -m tools.analysis.restore_ceiling ../shared/data/wild-dev/pairs.jsonl --family synonym [--min-zipf-gain -0.5]

The "among candidates" share is the ceiling of any better decision rule over today's candidates.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from unspin.evaluation.data import load_pairs
from unspin.restoration.restorer import Restorer, RestoreConfig, shipped_table
from unspin.restoration.table import SubstitutionTable, aligned_units
from unspin.lang.tokenize import tokenize


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs")
    ap.add_argument("--family")
    ap.add_argument("--threshold", type=float, default=0.0)
    ap.add_argument("--min-zipf-gain", type=float,
                    help="override Channel.min_zipf_gain (how much more common a thesaurus original must be)")
    args = ap.parse_args()
    pairs = load_pairs(args.pairs, family=args.family)
    groups = sorted({p.group for p in pairs})
    learned = SubstitutionTable.learn((p.group, p.spun, p.original) for p in pairs)
    base = shipped_table().without(*groups)
    counts: Counter = Counter()
    for g in groups:
        restorer = Restorer(RestoreConfig(threshold=args.threshold), table=base.merged(learned.without(g)))
        channel, gen = restorer.channel, restorer.generator
        if args.min_zipf_gain is not None:
            channel.set_thresholds(min_zipf_gain=args.min_zipf_gain)
        for p in (p for p in pairs if p.group == g):
            toks = tokenize(p.spun)
            edits = restorer.restore(p.spun).edits
            for (i, n), orig in aligned_units([t.lower for t in toks], [t.lower for t in tokenize(p.original)]):
                spun = tuple(t.lower for t in toks[i:i + n])
                kind = "one_word" if n == 1 and len(orig) == 1 else "phrase"
                counts[kind] += 1
                start, end = toks[i].start, toks[i + n - 1].end
                # Repaired: an edit inside the unit whose words end as the original's.
                fixed = any(e.start >= start and e.end <= end and
                            (p.spun[start:e.start] + e.original + p.spun[e.end:end]).lower().split()
                            == list(orig) for e in edits)
                if fixed:
                    bucket = "repaired"
                elif any(c.words == orig for _, c in channel.prior(spun)):
                    bucket = "among_candidates_not_chosen"
                elif any(c.words == orig for c in gen.unfiltered(spun)):
                    c = next(c for c in gen.unfiltered(spun) if c.words == orig)
                    if channel.plausible(spun, c) and all(channel.lm.known(x) for x in c.words):
                        bucket = "cut_by_candidate_limit"
                    else:
                        bucket = "removed_by_plausibility_filter"
                else:
                    bucket = "never_generated"
                counts[f"{kind}:{bucket}"] += 1
                counts[bucket] += 1
    total = counts["one_word"] + counts["phrase"]
    out = {"pairs": len(pairs), "groups": len(groups), "aligned_swaps": total,
           "one_word": counts["one_word"], "phrase": counts["phrase"]}
    for b in ("repaired", "among_candidates_not_chosen", "cut_by_candidate_limit",
              "removed_by_plausibility_filter", "never_generated"):
        out[b] = {"all": counts[b], "one_word": counts[f"one_word:{b}"], "phrase": counts[f"phrase:{b}"],
                  "share": round(counts[b] / total, 3) if total else None}
    json.dump(out, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
