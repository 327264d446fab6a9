#!/usr/bin/env python3
"""Trace's scale curve on a big prebuilt index: the hard benchmark's queries at each first-pass budget.

    python benchmarks/bench_trace_scale.py INDEX --data /tmp/tracebench [--budgets 64000,125000]

``INDEX`` is an index kept by ``benchmarks/bench_trace.py --keep`` (e.g. 1M documents of
``tools/datasets/make_scale_corpus.py``). The hard benchmark's documents (``--data``: the output of
``tools/datasets/make_trace_bench.py``) are added to it once; then its ``spin``, ``phrase`` and
``wild`` queries are traced (top 5, no evidence) with the first pass reading at most each
``--budgets`` value of postings (``search.FIRST_PASS_BUDGET``; ``0``: no limit). Prints a JSON
line per budget: recall@1 per query kind, median and p95 milliseconds, and the index's load time.
Each query is traced once per budget, its words' expansions cached after the first budget (as in
a process that has answered queries before); ``--repeat`` takes the median of several passes. Single-threaded numpy; pin the process
yourself (``taskset -c 0``) for per-core figures. Results: docs/trace.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index")
    ap.add_argument("--data", required=True, help="folder written by tools/datasets/make_trace_bench.py")
    ap.add_argument("--budgets", default=None,
                    help="comma-separated first-pass budgets in postings (0: none; default: the shipped one)")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the queries per budget (latency: median per query)")
    args = ap.parse_args(argv)

    import unspin.tracing.search as S
    from unspin.tracing.index import Index
    from unspin.tracing.sources import Source

    docs = [json.loads(line) for line in open(os.path.join(args.data, "docs.jsonl"), encoding="utf-8")]
    with Index.open(args.index, writable=True) as idx:
        if idx.doc_number(docs[0]["id"]) is None:
            idx.add(("bench", Source(id=d["id"], text=d["text"])) for d in docs)
    idx = Index.open(args.index)
    t = time.perf_counter()
    idx.load()
    load_s = time.perf_counter() - t
    queries = [json.loads(line) for line in open(os.path.join(args.data, "queries.jsonl"), encoding="utf-8")]
    queries = [q for q in queries if q["kind"] in ("spin", "phrase", "wild")]
    for q in queries:  # bench_trace.py indexes the wild-dev originals as pairs.jsonl#ID: the same texts
        q["gold"] = q["gold"] + ["pairs.jsonl#" + g[5:] for g in q["gold"] if g.startswith("wild-")]
    for q in queries[:5]:
        S.trace(q["text"], idx, 5, evidence=False)
    budgets = [int(b) for b in args.budgets.split(",")] if args.budgets else [S.FIRST_PASS_BUDGET]
    for budget in budgets:
        S.FIRST_PASS_BUDGET = budget or 1 << 62
        hits: dict[str, list[bool]] = {}
        lat = np.zeros((max(args.repeat, 1), len(queries)))
        for r in range(len(lat)):
            for i, q in enumerate(queries):
                t = time.perf_counter()
                res = S.trace(q["text"], idx, 5, evidence=False)
                lat[r, i] = 1000 * (time.perf_counter() - t)
                if r == 0:
                    kind = q["kind"] if q["kind"] != "spin" else f"spin {round(100 * q['rate'])}%"
                    hits.setdefault(kind, []).append(bool(res) and res[0].id in q["gold"])
        per_query = np.median(lat, axis=0)
        recall = {k: round(sum(v) / len(v), 3) for k, v in sorted(hits.items())}
        recall["all"] = round(sum(sum(v) for v in hits.values()) / len(queries), 3)
        print(json.dumps({"budget": budget, "documents": idx.n_docs, "passages": idx.n_passages,
                          "load_seconds": round(load_s, 1), "queries": len(queries), "recall@1": recall,
                          "median_ms": round(float(np.median(per_query)), 1),
                          "p95_ms": round(float(np.percentile(per_query, 95)), 1)}))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
