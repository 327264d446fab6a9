#!/usr/bin/env python3
"""Every detection result of a corpus as JSON lines, to compare two commits byte for byte
(a speed change must not change a score): ``cmp before.jsonl after.jsonl``.

    PYTHONPATH=$PWD/src .venv/bin/python -m tools.analysis.detect_dump OUT.jsonl \\
        [--data FILE.jsonl[:FIELD][:STEP] ...] [--bench-docs 400]

The corpus: ``benchmarks/bench_detect.py``'s (10 % spun) and each ``--data`` file (its ``text``
field, or FIELD; every STEP-th line). Each document is detected in ``--fast`` and in the
default mode (with restoration), in that order, in one process.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def corpus(data: list[str], bench_docs: int) -> list[str]:
    docs: list[str] = []
    if bench_docs:
        sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
        import bench_detect

        docs += bench_detect.corpus(bench_docs, 0.1)
    for spec in data:
        parts = spec.split(":")
        path = parts[0]
        field = parts[1] if len(parts) > 1 and parts[1] else "text"
        step = int(parts[2]) if len(parts) > 2 else 1
        with open(path, encoding="utf-8") as f:
            docs += [json.loads(line)[field] for line in itertools.islice(f, 0, None, step) if line.strip()]
    return docs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--data", action="append", default=[], help="FILE.jsonl[:FIELD][:STEP]")
    ap.add_argument("--bench-docs", type=int, default=400)
    args = ap.parse_args(argv)

    from unspin.detection.detector import Detector
    from unspin.restoration.restorer import Restorer, RestoreConfig

    docs = corpus(args.data, args.bench_docs)
    with open(args.out, "w", encoding="utf-8") as out:
        for mode in ("fast", "default"):
            det = Detector(escalate=None) if mode == "fast" else Detector(restorer=Restorer(RestoreConfig()))
            t = time.process_time()
            for text in docs:
                out.write(json.dumps(det.detect(text).to_dict(), sort_keys=True) + "\n")
            print(f"{mode}: {len(docs)} documents, {time.process_time() - t:.2f} s CPU", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
