#!/usr/bin/env python3
"""Trace's scale curve on a big prebuilt index: the hard benchmark's queries at each first-pass cap.

    python benchmarks/bench_trace_scale.py INDEX --data /tmp/tracebench [--caps 4096,8192]

``INDEX`` is an index kept by ``benchmarks/bench_trace.py --keep`` (e.g. 1M documents of
``tools/datasets/make_scale_corpus.py``). The hard benchmark's documents (``--data``: the output of
``tools/datasets/make_trace_bench.py``) are added to it once; then its ``spin``, ``phrase`` and
``wild`` queries are traced (top 5, no evidence) with the first pass reading posting lists of at
most each ``--caps`` value (``0``: no cap). Prints a JSON line per cap: recall@1 per query kind,
median and p95 milliseconds, and the index's load time. Single-threaded numpy; pin the process
yourself (``taskset -c 0``) for per-core figures. Results: docs/trace.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index")
    ap.add_argument("--data", required=True, help="folder written by tools/datasets/make_trace_bench.py")
    ap.add_argument("--caps", default="8192", help="comma-separated first-pass caps (0: none)")
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
    for cap in (int(c) for c in args.caps.split(",")):
        S.FIRST_PASS_MAX_DF = cap or 1 << 62
        S.FIRST_PASS_DEAR_BUDGET = 4 * S.FIRST_PASS_MAX_DF
        hits: dict[str, list[bool]] = {}
        lat = []
        for q in queries:
            t = time.perf_counter()
            res = S.trace(q["text"], idx, 5, evidence=False)
            lat.append(1000 * (time.perf_counter() - t))
            kind = q["kind"] if q["kind"] != "spin" else f"spin {round(100 * q['rate'])}%"
            hits.setdefault(kind, []).append(bool(res) and res[0].id in q["gold"])
        recall = {k: round(sum(v) / len(v), 3) for k, v in sorted(hits.items())}
        recall["all"] = round(sum(sum(v) for v in hits.values()) / len(queries), 3)
        print(json.dumps({"cap": cap, "documents": idx.n_docs, "passages": idx.n_passages,
                          "load_seconds": round(load_s, 1), "queries": len(queries), "recall@1": recall,
                          "median_ms": round(statistics.median(lat), 1),
                          "p95_ms": round(float(np.percentile(lat, 95)), 1)}))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
