#!/usr/bin/env python3
"""What PPDB adds for one-word swaps: is the original reachable, and does PPDB's rank pick it?

    python -m tools.analysis.ppdb_reach ../shared/data/wild-dev/pairs.jsonl [--family synonym]
    python -m tools.analysis.ppdb_reach PAIRS --cap 0 2 4   # also other caps (0: none)
    python -m tools.analysis.ppdb_reach PAIRS --grid        # small weight grid, paragraph level

Swaps are the one-word replacements of the word alignment :func:`unspin.evaluation.metrics.gold_token_mask`
uses (difflib over lower-cased tokens), both sides alphabetic. For each swap, with the thesaurus
alone (before) and with the PPDB source (after): is the original generated at all (``raw``), and
admitted by the channel (``admitted``: ``Channel.plausible``, known to the 3-gram, within the
prior's top ``prior_limit``)? Then top-1 of the original among the admitted candidates (the spun
word itself excluded; PPDB at its shipped cap of originals per word) by the 3-gram over the word and its two right neighbours, spun left context,
plus ``-ln(1 + min(rank, 20))`` priors (PPDB's forward rank, its reverse rank, or forward where
present else reverse), and by 3-gram + the channel score. The learned table is left out (it is
learned from these pairs).

``--grid``: ``unspin eval restore`` (leave-one-article-out for the table) over a small grid of the
PPDB weights; prints repair and false-edit rate per setting.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import math
import sys

from unspin.evaluation.data import load_pairs
from unspin.lang.lm import get_lm
from unspin.lang.lexicon import MOBY_HEAD_LISTS_SPUN, WORDNET_SYNONYM, get_lexicon
from unspin.lang.tokenize import tokenize
from unspin.restoration.candidates import CandidateGenerator
from unspin.restoration.channel import Channel, Weights
from unspin.restoration.sources.ppdb import MAX_LINKS, RANKS, PpdbSource
from unspin.restoration.sources.thesaurus import ThesaurusSource


def swaps(pairs):
    """(left context (2 words), spun word, original word, right context (2 words)) per swap."""
    for p in pairs:
        a = [t.lower for t in tokenize(p.spun)]
        b = [t.lower for t in tokenize(p.original)]
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "replace" and i2 - i1 == 1 and j2 - j1 == 1 and a[i1].isalpha() and b[j1].isalpha():
                left = (["<s>", "<s>"] + a[:i1])[-2:]
                yield left, a[i1], b[j1], a[i2:i2 + 2]


def channel(with_ppdb: bool, max_links: int | None = None) -> Channel:
    th = ThesaurusSource(get_lexicon(), min_zipf=Channel.MIN_ZIPF - 1.0,
                         need_flags=MOBY_HEAD_LISTS_SPUN | WORDNET_SYNONYM)
    gen = CandidateGenerator(th, [PpdbSource(max_links=max_links)] if with_ppdb else [])
    ch = Channel(get_lm(), gen, Weights())
    ch.prefilter_generator()
    return ch


def prior(c, which: str) -> float:
    fwd, rev = PpdbSource.ranks(c)
    if which == "both":
        return sum(-math.log1p(RANKS if r is None else r) for r in (fwd, rev))
    rank = {"fwd": fwd, "rev": rev, "either": fwd if fwd is not None else rev}[which]
    return -math.log1p(RANKS if rank is None else rank)


def lm_score(lm, left, word, right) -> float:
    return lm.sequence([word] + right, left[1], left[0])


def reach(pairs, cap=()) -> int:
    lm = get_lm()
    sw = list(swaps(pairs))
    rows = []
    chans = [("thesaurus", channel(False)), ("thesaurus+ppdb", channel(True, MAX_LINKS))]
    chans += [(f"  max_links={n or None}", channel(True, n or None)) for n in cap]
    for label, ch in chans:
        raw = admitted = 0
        top1 = dict.fromkeys(("3-gram", "+fwd", "+rev", "+either", "+both", "+channel"), 0)
        for left, spun, orig, right in sw:
            raw += any(c.words == (orig,) for c in ch.gen.unfiltered((spun,)))
            cands = ch.prior((spun,))
            if not any(c.words == (orig,) for _, c in cands):
                continue
            admitted += 1
            one = [(s, c) for s, c in cands if len(c.words) == 1]
            base = {c.words[0]: lm_score(lm, left, c.words[0], right) for _, c in one}
            for key in top1:
                def total(sc):
                    s, c = sc
                    extra = {"3-gram": 0.0, "+channel": s}.get(key)
                    return base[c.words[0]] + (prior(c, key[1:]) if extra is None else extra)
                top1[key] += max(one, key=total)[1].words[0] == orig
        rows.append((label, raw, admitted, top1))
    n = len(sw)
    print(f"{n} one-word swaps")
    keys = list(rows[0][3])
    print(f"{'candidates':16} {'raw':>6} {'admitted':>9} " + " ".join(f"{k:>9}" for k in keys))
    for label, raw, admitted, top1 in rows:
        print(f"{label:16} {raw / n:6.3f} {admitted / n:9.3f} " + " ".join(f"{top1[k] / n:9.3f}" for k in keys))
    print("(top-1: share of all swaps whose original is the best admitted candidate by that score)")
    return 0


GRID = {"ppdb": (3.0, 4.0, 5.0, 6.0), "rank": (0.5, 1.0, 1.5), "syn": (0.0, 1.0)}


def grid(pairs) -> int:
    from unspin.evaluation.restore import evaluate_restore
    from unspin.restoration.restorer import RestoreConfig

    print(f"{'ppdb':>5} {'ranks':>5} {'syn':>5} {'repair':>7} {'false':>7}")
    for w, r, s in itertools.product(GRID["ppdb"], GRID["rank"], GRID["syn"]):
        # one weight for both rank priors (measured best together, as in the reach table)
        cfg = RestoreConfig(weights=(("ppdb", w), ("ppdb_rank", r), ("ppdb_rev", r), ("ppdb_syn", s)))
        res = evaluate_restore(pairs, cfg)
        print(f"{w:5.1f} {r:5.1f} {s:5.1f} {res['repair']:7.4f} {res['false_edit_rate']:7.4f}", flush=True)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs")
    ap.add_argument("--family")
    ap.add_argument("--cap", type=int, nargs="*", default=(),
                    help="also measure PpdbSource(max_links=N) for these N (0: no cap)")
    ap.add_argument("--grid", action="store_true", help="eval restore over a small grid of the PPDB weights")
    args = ap.parse_args()
    pairs = load_pairs(args.pairs, family=args.family)
    return grid(pairs) if args.grid else reach(pairs, args.cap)


if __name__ == "__main__":
    sys.exit(main())
