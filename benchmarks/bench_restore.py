#!/usr/bin/env python3
"""Restore speed on one core: words per second, cold (first pass) and warm (caches filled).

    .venv/bin/python benchmarks/bench_restore.py [FILE] [--repeat N]
        [--jsonl CORPUS.jsonl --articles 5 --spun-share 0.1]   # a stream of articles, a tenth spun

Pins itself to one CPU where the OS allows. Results are recorded in docs/quality.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(ROOT / "examples" / "atmeh-raid.spun.txt"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--backend", default="ngram")
    ap.add_argument("--jsonl", help="also measure a stream of documents (JSONL with 'text'), e.g. a corpus")
    ap.add_argument("--limit", type=int, default=3000, help="documents to take from --jsonl")
    ap.add_argument("--articles", type=int, default=1,
                    help="join this many consecutive --jsonl documents into one article (restore decodes documents)")
    ap.add_argument("--no-terms", action="store_true", help="without the term source (RestoreConfig.terms)")
    ap.add_argument("--spun-share", type=float, default=0.0,
                    help="spin this share of the articles (consistent moby spinner, rate 0.3): a mixed stream")
    ap.add_argument("--default-gc", action="store_true",
                    help="keep Python's default garbage-collector thresholds (by default the command line's "
                         "batch settings, unspin.runtime, are used: what `unspin` users get)")
    args = ap.parse_args()
    if not args.default_gc:
        from unspin.runtime import set_batch_gc

        set_batch_gc()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from unspin.restoration.restorer import RestoreConfig, get_restorer
    from unspin.lang.tokenize import tokenize

    text = Path(args.file).read_text(encoding="utf-8")
    words = len(tokenize(text))
    t0 = time.perf_counter()
    restorer = get_restorer(RestoreConfig(backend=args.backend, terms=not args.no_terms))
    restorer.restore("warm up the models")
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    restorer.restore(text)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        restorer.restore(text)
    warm = (time.perf_counter() - t0) / args.repeat
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"file={Path(args.file).name} words={words} backend={args.backend} gc thresholds={gc.get_threshold()}")
    print(f"load {load:.2f} s; cold {words / cold:,.0f} words/s; warm {words / warm:,.0f} words/s; max RSS {rss:.0f} MB")
    if args.jsonl:
        import json

        paras = []
        with open(args.jsonl, encoding="utf-8") as f:
            for line in f:
                paras.append(json.loads(line)["text"])
                if len(paras) >= args.limit:
                    break
        docs = ["\n\n".join(paras[k:k + args.articles]) for k in range(0, len(paras), args.articles)]
        if args.spun_share > 0:
            from unspin.evaluation.spinners import spin

            every = max(1, round(1 / args.spun_share))
            docs = [spin(d, 0.3, k, "moby", memo={})[0] if k % every == 0 else d for k, d in enumerate(docs)]
            print(f"stream: {len(docs)} articles of {args.articles} documents, every {every}th spun")
        spun_at = {k for k in range(len(docs)) if args.spun_share > 0 and k % every == 0}
        half = len(docs) // 2
        n_all, t_all = sum(len(tokenize(d)) for d in docs), 0.0
        # words and seconds of the clean and the spun articles, apart ("report spun-only speed")
        by_kind = {"clean": [0, 0.0], "spun": [0, 0.0]}
        for label, lo, hi in (("first half", 0, half), ("second half", half, len(docs))):
            n = sum(len(tokenize(d)) for d in docs[lo:hi])
            dt = 0.0
            for k in range(lo, hi):
                t0 = time.perf_counter()
                restorer.restore(docs[k])
                t = time.perf_counter() - t0
                dt += t
                kind = by_kind["spun" if k in spun_at else "clean"]
                kind[0] += len(tokenize(docs[k]))
                kind[1] += t
            t_all += dt
            print(f"{Path(args.jsonl).name} {label}: {hi - lo} docs, {n} words, {n / dt:,.0f} words/s")
        print(f"{Path(args.jsonl).name} whole stream: {n_all} words, {n_all / t_all:,.0f} words/s")
        for kind, (n, t) in by_kind.items():
            if n:
                print(f"  of which {kind} articles: {n} words, {n / t:,.0f} words/s ({t / t_all:.0%} of the time)")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"max RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
