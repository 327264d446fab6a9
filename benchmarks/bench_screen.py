#!/usr/bin/env python3
"""Throughput and peak memory of ``unspin screen --detect``: --workers 1 and 2, and the Ray engine.

    .venv/bin/python benchmarks/bench_screen.py [--source FILE.jsonl] [--sizes 1,3] [--runs w1,w2,ray] [--fast]
    # the 1 GB run: build once (10 % spun copies), then w1 vs w2 on a prefix, then the whole
    .venv/bin/python benchmarks/bench_screen.py --source D.jsonl --sizes 1000 --spun-share 0.1 \
        --corpus /big/corpus-1gb.jsonl --build-only
    .venv/bin/python benchmarks/bench_screen.py --source D.jsonl --sizes 1000 --corpus /big/corpus-1gb.jsonl \
        --runs w1,w2 --limit-mb 50
    .venv/bin/python benchmarks/bench_screen.py --source D.jsonl --sizes 1000 --corpus /big/corpus-1gb.jsonl \
        --runs w2 --timeout 100000

The corpus is ``--source`` (JSONL with a ``text`` field, e.g. the output of
``python -m tools.datasets.make_distractors``) repeated with new ids until it reaches each size in
MB; without ``--source``, it is made from what a fresh clone has: the clean prose of
benchmarks/bench_memory.py and its spins by ``unspin.evaluation.spinners`` (short, repetitive
documents: a smoke corpus, not a realistic one). Each run is a fresh ``unspin screen`` process;
docs/s and MB/s (of text) come from its summary, peak RSS per process (the parent and each worker,
the kernel's ``VmHWM``) from /proc while it runs, with its timeline (the largest worker's peak
every ``--timeline-every`` s: it should level off, not grow with the corpus). Ray's actors are not children of the command, so
for Ray they are found by their command line (``RayAnnotator``). Results are recorded in docs/screen.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def fallback_texts() -> list[str]:
    from bench_memory import PROSE

    from unspin.evaluation.spinners import spin

    out = list(PROSE)
    for p in PROSE:
        for seed in range(3):
            out.append(spin(p, 0.3, seed)[0])
    return out


# WordNet swaps: ~12 ms a document here; moby took ~160 ms a document (15 h for 1 GB), context more.
SPIN_STYLES = ("wordnet",)


def make_corpus(path: str, mb: float, source: str | None, spun_share: float = 0.0, variants: int = 0) -> int:
    """Write ``mb`` MB of JSONL to ``path`` line by line (the corpus is never held in memory,
    only the source's texts): the source repeated with new ids, and a ``spun_share`` of the
    documents replaced by a spun copy of themselves (style, rate 0.1-0.5 and seed varied per
    document, so every repetition's copies differ). ``variants`` > 0: each source text has at
    most that many spun copies (seed = repetition mod ``variants``), kept once made, so 1 GB
    needs minutes of spinning instead of an hour. Returns the number of records."""
    made: dict[tuple[int, int], str] = {}
    import random

    from unspin.evaluation.spinners import spin

    if source:
        with open(source, encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for line in f if line.strip()]
    else:
        texts = fallback_texts()
    rng = random.Random(12)
    n = written = 0
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        while written < mb * 1e6:
            text, spun = texts[n % len(texts)], False
            if spun_share and rng.random() < spun_share:
                style, rate = SPIN_STYLES[n % len(SPIN_STYLES)], rng.uniform(0.1, 0.5)
                if variants:
                    key = (n % len(texts), (n // len(texts)) % variants)
                    if key not in made:
                        made[key] = spin(text, 0.1 + 0.4 * key[1] / max(variants - 1, 1), seed=key[1], style=style)[0]
                    text = made[key]
                else:
                    text = spin(text, rate, seed=n, style=style)[0]
                spun = True
            line = json.dumps({"id": f"b{n:08d}", "text": text, "spun": spun}) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    os.replace(path + ".tmp", path)
    return n


def prefix(path: str, mb: float, out: str) -> int:
    """The first whole lines of ``path`` up to ``mb`` MB, copied to ``out`` (streamed)."""
    n = written = 0
    with open(path, "rb") as f, open(out, "wb") as g:
        for line in f:
            if written + len(line) > mb * 1e6 and n:
                break
            g.write(line)
            written += len(line)
            n += 1
    return n


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc: no psutil needed)."""
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _ray_workers() -> list[int]:
    """Ray's worker processes (its actors are not children of the command)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    if b"RayAnnotator" in f.read():
                        out.append(int(d))
            except OSError:
                pass
    return out


def _hwm(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def _shared(pid: int) -> tuple[int, int] | None:
    """(PSS, USS) in MB: RSS counts pages shared with other processes in full in each; PSS
    divides them among their sharers, USS leaves them out (psutil reads /proc/PID/smaps)."""
    try:
        import psutil

        m = psutil.Process(pid).memory_full_info()
        return m.pss >> 20, m.uss >> 20
    except Exception:  # psutil missing, or the process ended meanwhile
        return None


def run(corpus: str, out: str, extra: list[str], timeout: float, timeline_every: float = 60) -> dict:
    cmd = [sys.executable, "-c", "import sys; from unspin.cli import main; sys.exit(main())",
           "screen", corpus, "-o", out, "--overwrite", *extra]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
    peaks: dict[int, int] = {}
    pss: dict[int, tuple[int, int]] = {}
    timeline: list[tuple[int, int]] = []  # (s, largest peak RSS of a worker so far): does it level off?
    next_mark = 0.0
    while p.poll() is None and time.monotonic() - t0 < timeout:
        for pid in _tree(p.pid) + (_ray_workers() if "ray" in extra else []):
            h = _hwm(pid)
            if h is not None:
                peaks[pid] = max(peaks.get(pid, 0), h)
            m = _shared(pid)
            if m is not None:
                pss[pid] = tuple(max(a, b) for a, b in zip(pss.get(pid, (0, 0)), m))
        elapsed = time.monotonic() - t0
        if elapsed >= next_mark:
            workers = [v for k, v in peaks.items() if k != p.pid] or [peaks.get(p.pid, 0)]
            timeline.append((round(elapsed), max(workers)))
            next_mark += timeline_every
        time.sleep(0.5)
    if p.poll() is None:
        p.kill()
        p.wait()
        return {"timed_out": True}
    wall = time.monotonic() - t0
    summary_path = os.path.join(out, "summary.json") if out.endswith("/") else out + ".summary.json"
    with open(summary_path, encoding="utf-8") as f:
        s = json.load(f)
    parent = peaks.pop(p.pid, None)
    parent_pss = pss.pop(p.pid, None)
    workers_pss = sorted(pss.values(), reverse=True)[:4]
    return {"documents": s["documents"], "text_mb": s["text_mb"], "elapsed_s": s["elapsed_s"], "wall_s": round(wall, 1),
            "docs_per_s": s["docs_per_s"], "mb_per_s": s["mb_per_s"], "peak_rss_mb_parent": parent,
            "peak_rss_mb_workers": sorted(peaks.values(), reverse=True)[:4],
            "peak_pss_uss_mb_parent": parent_pss, "peak_pss_uss_mb_workers": workers_pss,
            "peak_rss_timeline": timeline}


RUNS = {"w1": (["--workers", "1", "--shard-size", "100"], ".jsonl"),
        "w2": (["--workers", "2", "--shard-size", "100"], ".jsonl"),
        "ray": (["--engine", "ray"], "/")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", help="JSONL with a text field (default: prose made here)")
    ap.add_argument("--sizes", default="1,3", help="corpus sizes in MB, comma-separated")
    ap.add_argument("--runs", default="w1,w2,ray", help="which of w1, w2, ray (run on every size)")
    ap.add_argument("--spun-share", type=float, default=0.0,
                    help="share of documents replaced by a spun copy (e.g. 0.1)")
    ap.add_argument("--corpus", help="build the corpus here (or reuse it if it exists) instead of a "
                    "temporary file; one size only")
    ap.add_argument("--build-only", action="store_true", help="build --corpus and stop")
    ap.add_argument("--limit-mb", type=float,
                    help="screen only the corpus's first MB (whole lines): w1 vs w2 on a prefix of a big corpus")
    ap.add_argument("--timeline-every", type=float, default=60, help="seconds between peak-RSS samples")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--spin-variants", type=int, default=0,
                    help="at most this many spun copies per source text, reused (0: a new one for every document)")
    ap.add_argument("--fast", action="store_true", help="screen --fast: the scan alone, no cascade into restoration")
    args = ap.parse_args()
    sizes = [float(x) for x in args.sizes.split(",")]
    if args.corpus and len(sizes) != 1:
        ap.error("--corpus takes one size")
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp:
        for mb in sizes:
            corpus = args.corpus or os.path.join(tmp, f"corpus-{mb:g}mb.jsonl")
            if not os.path.exists(corpus):
                t0 = time.monotonic()
                n = make_corpus(corpus, mb, args.source, args.spun_share, args.spin_variants)
                print(json.dumps({"built": corpus, "records": n, "size_mb": mb, "spun_share": args.spun_share,
                                  "build_s": round(time.monotonic() - t0, 1)}), flush=True)
            if args.build_only:
                continue
            if args.limit_mb:
                screened = os.path.join(tmp, f"prefix-{args.limit_mb:g}mb.jsonl")
                n, size = prefix(corpus, args.limit_mb, screened), args.limit_mb
            else:
                screened, size = corpus, mb
                with open(corpus, "rb") as f:
                    n = sum(1 for _ in f)
            for name in args.runs.split(","):
                extra, suffix = RUNS[name]
                extra = extra + (["--fast"] if args.fast else [])
                out = os.path.join(tmp, f"out-{name}-{size:g}") + suffix
                r = run(screened, out, extra, args.timeout, args.timeline_every)
                print(json.dumps({"size_mb": size, "records": n, "run": name, "fast": args.fast, **r}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
