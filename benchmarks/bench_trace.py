#!/usr/bin/env python3
"""Benchmark ``unspin trace``: index build speed, query latency and retrieval quality at scale.

Pinned to one CPU core (``os.sched_setaffinity``) with single-threaded numpy, so the numbers are
per core. Steps:

1. build an index of the distractor documents (JSONL, e.g. from ``tools/datasets/make_distractors.py``):
   documents per second;
2. add the originals of each ``--pairs`` file (JSONL with ``id``, ``spun``, ``original``; e.g.
   wild-dev pairs, or ``unspin.evaluation.spinners`` output) and trace every spun text: recall@1, recall@5,
   MRR, and median / p90 latency with and without the evidence alignment.

Usage::

    python benchmarks/bench_trace.py --distractors /tmp/unspin-distractors.jsonl \\
        --pairs ../shared/data/wild-dev/pairs.jsonl --pairs /tmp/unspin-synth-moby.jsonl

Prints one JSON object. Results and the exact commands are recorded in docs/trace.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--distractors", required=True, help="JSONL documents (id, text)")
    ap.add_argument("--pairs", action="append", default=[], help="JSONL pairs: id, spun, original")
    ap.add_argument("--limit", type=int, help="use at most this many distractors")
    ap.add_argument("--core", type=int, default=0, help="CPU core to pin to (default 0; -1: no pinning)")
    ap.add_argument("--workers", type=int, default=1,
                    help="processes packing the index build's batches (default 1; needs --core -1 to help)")
    ap.add_argument("--keep", help="keep the built index at this path")
    return ap.parse_args(argv)


def build_distractor_index(path: str, distractors: str, limit: int | None, workers: int = 1) -> dict:
    """Index the distractor documents at ``path``: the build figures."""
    from unspin.tracing.index import build
    from unspin.tracing.sources import iter_sources

    raw = 0

    def items():
        nonlocal raw
        for n, item in enumerate(iter_sources([distractors])):
            if limit and n >= limit:
                break
            raw += len(item[1].text.encode("utf-8"))
            yield item

    t = time.perf_counter()
    n_docs = build(path, items(), force=True, workers=workers)["documents"]
    build_s = time.perf_counter() - t
    return {"documents": n_docs, "workers": workers, "seconds": round(build_s, 2),
            "docs_per_s": round(n_docs / build_s, 1),
            "raw_text_mb": round(raw / 1e6, 1), "index_mb": round(os.path.getsize(path) / 1e6, 1),
            "index_to_text": round(os.path.getsize(path) / max(raw, 1), 2)}


def add_originals(path: str, pairs: str, rows: list[dict], by_text: dict[str, str]) -> None:
    """Index the originals of ``rows`` not indexed yet; ``by_text`` maps each to its index id."""
    from unspin.tracing.index import Index
    from unspin.tracing.sources import Source

    docs = []
    for r in rows:
        key = " ".join(r["original"].split())
        if key not in by_text:
            by_text[key] = f"{os.path.basename(pairs)}#{r['id']}"
            docs.append((pairs, Source(id=by_text[key], text=r["original"])))
    with Index.open(path, writable=True) as idx:
        idx.add(docs)


def trace_set(path: str, rows: list[dict], by_text: dict[str, str]) -> dict:
    """Trace every spun text of one pairs file: retrieval quality and latency."""
    from unspin.tracing.index import Index
    from unspin.tracing.search import trace

    idx = Index.open(path)
    t = time.perf_counter()
    idx.load()
    load_s = time.perf_counter() - t
    ranks, lat, lat_ev = [], [], []
    for r in rows:
        truth = by_text[" ".join(r["original"].split())]
        t = time.perf_counter()
        res = trace(r["spun"], idx, 5, evidence=False)
        lat.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        trace(r["spun"], idx, 5, evidence=True)
        lat_ev.append((time.perf_counter() - t) * 1000)
        ids = [m.id for m in res]
        ranks.append(ids.index(truth) + 1 if truth in ids else 0)
    n = len(ranks)
    figures = {
        "queries": n,
        "index_documents": idx.n_docs,
        "index_load_seconds": round(load_s, 3),
        "recall@1": round(sum(r == 1 for r in ranks) / n, 4),
        "recall@5": round(sum(0 < r <= 5 for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
        "latency_ms_median": round(statistics.median(lat), 2),
        "latency_ms_p90": round(sorted(lat)[int(0.9 * n)], 2),
        "latency_ms_p95": round(sorted(lat)[int(0.95 * n)], 2),
        "latency_with_evidence_ms_median": round(statistics.median(lat_ev), 2),
    }
    idx.close()
    return figures


def main() -> int:
    args = parse_args()
    if hasattr(os, "sched_setaffinity") and args.core >= 0:
        os.sched_setaffinity(0, {args.core})
    from unspin.tracing.signatures import term_table

    t = time.perf_counter()
    term_table()  # the per-process lexicon table (cached on disk after the first run)
    table_s = time.perf_counter() - t

    tmp = tempfile.mkdtemp(prefix="bench-trace-")
    path = args.keep or os.path.join(tmp, "bench.index")
    report = {
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                    "cores_used": 1 if args.core >= 0 else os.cpu_count()},
        "lexicon_table_seconds": round(table_s, 2),
        "build": build_distractor_index(path, args.distractors, args.limit, args.workers),
        "sets": {},
    }
    by_text: dict[str, str] = {}  # an original indexed once, whichever set brought it
    for pairs in args.pairs:
        rows = [json.loads(line) for line in open(pairs, encoding="utf-8") if line.strip()]
        add_originals(path, pairs, rows, by_text)
        report["sets"][pairs] = trace_set(path, rows, by_text)
    if not args.keep:
        os.unlink(path)
        os.rmdir(tmp)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
