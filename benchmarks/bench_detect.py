#!/usr/bin/env python3
"""Detection speed, one process (= one core): fingerprint-only mode in MB/s, full detection in words/s.

The corpus is made on the spot from text every Python has (the pydoc topics) and, where present,
the Rust books: clean paragraphs joined into documents of about 300 words, and a synthetic spin of
each (``unspin.evaluation.spinners``, rate 0.45), so that half the words read are spun text. Or give
``--data FILE.jsonl`` (a ``text`` field per line).

Full detection (``fast``: the scan alone; ``default``: the scan, then restoration for documents
it scores >= 0.5; ``restore``: restoration on every document) is timed twice over the same documents: ``cold`` is the first pass of a fresh
process (every word form seen for the first time: thesaurus look-ups, inflection), ``warm`` the
second (caches filled, as in a long screening run). Start-up (loading the models) is reported
apart.

Usage::

    python benchmarks/bench_detect.py [--docs 400] [--fp-mb 8] [--data FILE.jsonl] [--spun-share 0.1] [--only default]
"""

from __future__ import annotations

import argparse
import gc
import glob
import importlib
import json
import os
import platform
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus(n_docs: int, spun_share: float = 0.5) -> list[str]:
    import pydoc_data.topics as topics

    from unspin.inputs.extract import html_to_text

    texts = list(topics.topics.values())
    for f in sorted(glob.glob(os.path.expanduser("~/.rustup/toolchains/stable-*/share/doc/rust/html/book/ch*.html"))):
        texts.append(html_to_text(open(f, encoding="utf-8", errors="replace").read()))
    paras = []
    for t in texts:
        for p in re.split(r"\n\s*\n", t):
            p = " ".join(p.split())
            words = p.split()
            if len(words) >= 20 and sum(w.isalpha() for w in words) > 0.8 * len(words):
                paras.append(p)
    docs, cur, n = [], [], 0
    for p in paras:
        cur.append(p)
        n += len(p.split())
        if n >= 300:
            docs.append("\n\n".join(cur))
            cur, n = [], 0
        if len(docs) >= (n_docs // 2 if spun_share == 0.5 else n_docs):
            break
    from unspin.evaluation.spinners import spin

    if spun_share != 0.5:
        # Every document once, a share of them spun (evenly spread): a screening mix.
        return [spin(d, 0.45, i, "moby" if i % 2 else "wordnet")[0]
                if int((i + 1) * spun_share) > int(i * spun_share) else d for i, d in enumerate(docs)]
    spun = [spin(d, 0.45, i, "moby" if i % 2 else "wordnet")[0] for i, d in enumerate(docs)]
    out = []
    for a, b in zip(docs, spun):
        out += [a, b]
    return out


def _cold_and_warm(det, docs):
    """Documents flagged, seconds for a first pass (cold caches) and for a second (warm)."""
    t = time.perf_counter()
    flagged = sum(det.detect(d).score >= 0.5 for d in docs)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    for d in docs:
        det.detect(d)
    return flagged, cold, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--fp-mb", type=float, default=8.0, help="megabytes of text for the fingerprint-only run")
    ap.add_argument("--data", help="JSONL with a 'text' field (instead of the built-in corpus)")
    ap.add_argument("--spun-share", type=float, default=0.5,
                    help="share of the built-in corpus that is spun (default 0.5: each document and its spin)")
    ap.add_argument("--only", choices=["fast", "default", "restore"],
                    help="time one mode only (in a fresh process every cache starts cold)")
    ap.add_argument("--default-gc", action="store_true",
                    help="keep Python's default garbage-collector thresholds (by default the command line's "
                         "batch settings, unspin.runtime, are used: what `unspin` users get)")
    args = ap.parse_args()
    if not args.default_gc:
        from unspin.runtime import set_batch_gc

        set_batch_gc()

    if args.data:
        with open(args.data, encoding="utf-8") as f:
            docs = [json.loads(line)["text"] for line in f if line.strip()][: args.docs]
    else:
        docs = corpus(args.docs, args.spun_share)
    D = importlib.import_module("unspin.detection.detector")
    from unspin.lang.tokenize import WORD_RE

    words = sum(len(WORD_RE.findall(d)) for d in docs)
    nbytes = sum(len(d.encode("utf-8")) for d in docs)

    t = time.perf_counter()
    det = D.Detector(escalate=None)
    det.detect("Warm up: load the language model, thesaurus and model weights.")
    startup = time.perf_counter() - t

    # Fingerprint-only: repeat the corpus up to --fp-mb megabytes.
    reps = max(1, int(args.fp_mb * 1e6 / max(nbytes, 1)))
    det.detect_fingerprints(docs[0])
    t = time.perf_counter()
    hits = 0
    for _ in range(reps):
        for d in docs:
            hits += len(det.detect_fingerprints(d).spans)
    fp_secs = time.perf_counter() - t
    fp_mb = reps * nbytes / 1e6

    from unspin.restoration.restorer import RestoreConfig, Restorer

    modes = {}
    # Each mode with a fresh detector (and restorer), in this order; module-level caches
    # (lemmas, inflections) filled by an earlier mode flatter a later one's cold figure: use
    # --only for a strictly cold figure.
    for name in ([args.only] if args.only else ["fast", "default", "restore"]):
        if name == "fast":
            d = D.Detector(escalate=None)
        elif name == "default":
            d = D.Detector(restorer=Restorer(RestoreConfig()))
        else:
            d = D.Detector(restore=True, restorer=Restorer(RestoreConfig()))
        d.detect("Warm up the restoration decoder.")
        flagged, cold, warm = _cold_and_warm(d, docs)
        modes[name] = {"cold_words_per_second": round(words / cold), "warm_words_per_second": round(words / warm),
                       "flagged_at_0.5": int(flagged)}

    res = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count()},
        "corpus": {"documents": len(docs), "words": words, "megabytes": round(nbytes / 1e6, 3),
                   "source": args.data or f"pydoc topics + Rust book, {args.spun_share:.0%} spun at rate 0.45"},
        "gc_thresholds": list(gc.get_threshold()),
        "startup_seconds": round(startup, 2),
        "fingerprint_only": {"megabytes": round(fp_mb, 2), "seconds": round(fp_secs, 3),
                             "mb_per_second": round(fp_mb / fp_secs, 2), "hits": hits},
        **modes,
    }
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
