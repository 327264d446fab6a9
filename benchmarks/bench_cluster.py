#!/usr/bin/env python3
"""Spun copies inside a corpus: ``unspin screen --cluster`` against datasketch MinHash-LSH.

The corpus: clean paragraphs (news first: the Lee corpus paragraphs of the distractor file) as
sources, each with 1-3 spun copies made by :mod:`unspin.evaluation.spinners` (styles moby,
wordnet and context, rates 0.2-0.6, consistent: each word type decided once per copy), mixed with
unrelated paragraphs (the rest of the distractor file, its own synthetic spins left out). A
source and its copies are one true group; every other document is alone.

Reported per method and threshold: the share of spun pairs (source-copy and copy-copy pairs of a
group) that end in one cluster, false merges (pairs put together that are not of one group, as a
share of all pairs put together), and time (index + queries; MinHash: signatures + LSH).

False merges are scored twice. ``false_merges``: against the groups as made (a source and its
copies). ``false_merges_dedup``: against those groups joined, transitively, through the pairs of
documents that are near-duplicates of each other (:func:`near_duplicate_labels`): the "unrelated"
data holds copies of its own (template docs differing in a word, one story filed twice) that the
corpus maker's de-duplication on the opening words lets through, and a method that puts two
copies together has not merged falsely. The corpus is not changed (the figures stay comparable
with earlier runs); the same labels score both methods.

Make the distractor file as docs/trace.md says (``python -m tools.datasets.make_distractors
-n 60000 --lee .../lee_background.cor -o /tmp/unspin-distractors.jsonl``), then::

    python benchmarks/bench_cluster.py --distractors /tmp/unspin-distractors.jsonl \\
        --corpus /tmp/cluster-corpus.jsonl          # the corpus is made once and reused

Needs ``pip install datasketch``. Results: docs/screen.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

STYLES = ("moby", "moby", "wordnet", "wordnet", "context")   # context: the LM spinner, slow; 1 in 5


def make_corpus(distractors: str, n_sources: int, n_unrelated: int, seed: int,
                styles: tuple[str, ...] = STYLES) -> list[dict]:
    """Records ``{id, text, group}``: ``group`` is the source's id for a source and its copies,
    None for an unrelated document."""
    from unspin.evaluation.spinners import spin

    rows = [json.loads(line) for line in open(distractors, encoding="utf-8") if line.strip()]
    clean, seen = [], set()
    for r in rows:
        # The source data holds a few real near-duplicates (one Lee story filed twice): they would
        # count as false merges, so a text opening like an earlier one is left out.
        opening = " ".join(r["text"].lower().split()[:10])
        if not r.get("source", "").endswith("-spun") and len(r["text"].split()) >= 8 and opening not in seen:
            seen.add(opening)
            clean.append(r)
    rng = random.Random(seed)
    news = [r for r in clean if r.get("source") == "lee"]
    rest = [r for r in clean if r.get("source") != "lee"]
    rng.shuffle(news)
    rng.shuffle(rest)
    pool = news + rest
    sources, others = pool[:n_sources], news[n_sources:] + rest
    out = []
    for s in sources:
        out.append({"id": s["id"], "text": s["text"], "group": s["id"]})
        for c in range(rng.choice((1, 1, 1, 2, 2, 3))):
            style, rate = rng.choice(styles), round(rng.uniform(0.2, 0.6), 2)
            text, _ = spin(s["text"], rate, rng.randrange(1 << 30), style, memo={})
            out.append({"id": f"{s['id']}-c{c}", "text": text, "group": s["id"], "style": style, "rate": rate})
    out += [{"id": r["id"], "text": r["text"], "group": None} for r in rng.sample(others[:n_unrelated * 3], n_unrelated)]
    rng.shuffle(out)
    return out


#: word 3-shingle Jaccard at or above which two documents are near-duplicates (see
#: :func:`near_duplicate_labels`); stated before the corrected figures were measured
NEAR_DUPLICATE = 0.5


def near_duplicate_pairs(texts: list[str], threshold: float = NEAR_DUPLICATE, n: int = 3) -> list[tuple[int, int]]:
    """``(a, b)``, ``a < b``, for each two texts whose word ``n``-shingle sets have a Jaccard
    similarity of at least ``threshold``.

    Why this definition: shingle resemblance is the usual measure of near-duplicate text (Broder
    1997; it is what MinHash estimates), and 3-word shingles because many documents here are
    8-25 words long, where 5-word shingles leave a handful per text. Why 0.5: more than half of
    the two texts' distinct word trigrams, taken together, are common to both. Two texts of
    ``m`` words that differ by ``k`` scattered substitutions share ``m-2-3k`` trigrams of
    ``m-2+3k``, which is at least half when ``k <= (m-2)/9``: about one word in nine or fewer
    changed (one word in a 12-word text: 7/13 = 0.54). Texts that close are copies by any
    curator's standard (a light spin of a long text can be as close: about a quarter of the
    benchmark's spun pairs are, docs/screen.md). It is the measure MinHash-LSH estimates, so the
    pairs that MinHash joins at 0.5 are mostly near-duplicates by this definition. Two texts of
    one template with different slot words ("Construct a canvas widget ..." / "Construct a
    labelframe widget ...") are not: they share the frame, not the text. Exact, not estimated:
    every two texts that share a shingle are compared."""
    sets = [shingles(t, n) for t in texts]
    postings: dict[bytes, list[int]] = {}
    for i, s in enumerate(sets):
        for sh in s:
            postings.setdefault(sh, []).append(i)
    out = []
    for i, s in enumerate(sets):
        shared: dict[int, int] = {}
        for sh in s:
            for j in postings[sh]:
                if j > i:
                    shared[j] = shared.get(j, 0) + 1
        out += [(i, j) for j, k in shared.items() if k / (len(s) + len(sets[j]) - k) >= threshold]
    return sorted(out)


def near_duplicate_labels(texts: list[str], groups: list, threshold: float = NEAR_DUPLICATE) -> list[int]:
    """For each document, a label shared by the documents of its true group once near-duplicates
    count as copies: a source and its spun copies, joined transitively through
    :func:`near_duplicate_pairs` (an unrelated text that is a near-duplicate of a source belongs
    to the source's group, so its pairs with the spun copies are true pairs too)."""
    from unspin.screening.cluster import UnionFind

    uf = UnionFind(len(texts))
    first: dict = {}
    for i, g in enumerate(groups):
        if g is not None:
            uf.union(first.setdefault(g, i), i)
    for a, b in near_duplicate_pairs(texts, threshold):
        uf.union(a, b)
    return [uf.find(i) for i in range(len(texts))]


def pair_counts(groups: list, clusters: list[int], labels: list[int] | None = None) -> dict:
    """Spun pairs found and false merges, from each document's true group and predicted cluster;
    with ``labels`` (:func:`near_duplicate_labels`), false merges are also counted against them
    (``*_dedup``: pairs of near-duplicates are not false merges)."""
    by_cluster: dict[int, list[int]] = {}
    for i, c in enumerate(clusters):
        by_cluster.setdefault(c, []).append(i)
    predicted = wrong = wrong_dedup = 0
    for members in by_cluster.values():
        for a, b in itertools.combinations(members, 2):
            predicted += 1
            false = groups[a] is None or groups[a] != groups[b]
            wrong += false
            wrong_dedup += false and (labels is None or labels[a] != labels[b])
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        if g is not None:
            by_group.setdefault(g, []).append(i)
    true = found = 0
    for members in by_group.values():
        for a, b in itertools.combinations(members, 2):
            true += 1
            found += clusters[a] == clusters[b]
    out = {"spun_pairs": true, "spun_pairs_together": round(found / true, 4) if true else None,
           "pairs_put_together": predicted, "false_merges": wrong,
           "false_merge_share": round(wrong / predicted, 4) if predicted else 0.0}
    if labels is not None:
        out |= {"false_merges_dedup": wrong_dedup,
                "false_merge_share_dedup": round(wrong_dedup / predicted, 4) if predicted else 0.0}
    return out


def relabelled_pairs(groups: list, labels: list[int]) -> int:
    """Pairs of the corpus that are of one group under ``labels`` but not as made."""
    def pairs(keys):
        count: dict = {}
        for k in keys:
            count[k] = count.get(k, 0) + 1
        return sum(c * (c - 1) // 2 for c in count.values())
    made = pairs(g for g in groups if g is not None)
    return pairs(labels) - made


def run_unspin(texts: list[str], groups: list, thresholds: list[float], labels: list[int] | None = None) -> list[dict]:
    from unspin.screening.cluster import components, joined_pairs, scored_pairs

    t0 = time.perf_counter()
    pairs = scored_pairs(texts, min(thresholds))
    elapsed = time.perf_counter() - t0
    return [{"method": "unspin trace", "threshold": t, "seconds": round(elapsed, 1),
             **pair_counts(groups, components(len(texts), joined_pairs(pairs, t)), labels)}
            for t in thresholds]


def shingles(text: str, n: int) -> set[bytes]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]).encode() for i in range(max(1, len(words) - n + 1))}


def run_minhash(texts: list[str], groups: list, thresholds: list[float], n: int, num_perm: int,
                labels: list[int] | None = None) -> list[dict]:
    from datasketch import MinHash, MinHashLSH

    from unspin.screening.cluster import components

    t0 = time.perf_counter()
    sigs = []
    for t in texts:
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(list(shingles(t, n)))
        sigs.append(m)
    sig_s = time.perf_counter() - t0
    out = []
    for th in thresholds:
        t1 = time.perf_counter()
        lsh = MinHashLSH(threshold=th, num_perm=num_perm)
        for i, m in enumerate(sigs):
            lsh.insert(str(i), m)
        pairs = [(i, int(j)) for i, m in enumerate(sigs) for j in lsh.query(m) if int(j) != i]
        out.append({"method": f"MinHash-LSH {n}-word shingles, {num_perm} perm", "threshold": th,
                    "seconds": round(sig_s + time.perf_counter() - t1, 1),
                    **pair_counts(groups, components(len(texts), pairs), labels)})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--distractors", help="JSONL from tools.datasets.make_distractors (needed to make --corpus)")
    ap.add_argument("--corpus", required=True, help="the benchmark corpus: read if it exists, else made here")
    ap.add_argument("--sources", type=int, default=300)
    ap.add_argument("--unrelated", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--styles", default=",".join(STYLES), help="spinner styles drawn from (repeat one to weight it)")
    ap.add_argument("--thresholds", default="0.3,0.35,0.4", help="unspin trace score thresholds")
    ap.add_argument("--minhash-thresholds", default="0.2,0.3,0.5")
    ap.add_argument("--shingle", type=int, default=3, help="words per MinHash shingle")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--near-duplicate", type=float, default=NEAR_DUPLICATE,
                    help="word 3-shingle Jaccard from which two documents count as copies in the _dedup scoring")
    args = ap.parse_args(argv)
    if os.path.exists(args.corpus):
        corpus = [json.loads(line) for line in open(args.corpus, encoding="utf-8")]
    else:
        if not args.distractors:
            ap.error("--corpus does not exist yet: give --distractors to make it")
        t0 = time.perf_counter()
        corpus = make_corpus(args.distractors, args.sources, args.unrelated, args.seed, tuple(args.styles.split(",")))
        with open(args.corpus, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus)
        print(f"corpus made in {time.perf_counter() - t0:.0f} s: {args.corpus}", file=sys.stderr)
    texts, groups = [r["text"] for r in corpus], [r["group"] for r in corpus]
    labels = near_duplicate_labels(texts, groups, args.near_duplicate)
    results = {"documents": len(texts), "sources": len({g for g in groups if g}),
               "copies": sum(1 for r in corpus if "style" in r),
               "near_duplicate_threshold": args.near_duplicate,
               "near_duplicate_pairs": len(near_duplicate_pairs(texts, args.near_duplicate)),
               "relabelled_pairs": relabelled_pairs(groups, labels),
               "runs": run_unspin(texts, groups, [float(x) for x in args.thresholds.split(",")], labels)
               + run_minhash(texts, groups, [float(x) for x in args.minhash_thresholds.split(",")],
                             args.shingle, args.num_perm, labels)}
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
