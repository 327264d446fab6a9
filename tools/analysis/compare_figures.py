#!/usr/bin/env python3
"""Compare two runs of ``tools/analysis/figures.py``: per command, ``equal`` or ``different`` with the
figures that differ (development tooling). Timings are not figures and are never compared;
paths of the run (its repository, data, output and scratch folders) are read as placeholders.

    python -m tools.analysis.compare_figures OUT_BEFORE OUT_AFTER [--lines 20]

Exit status 0 when every command present in both runs is equal (and ran), 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

SCRATCH = re.compile(r"/tmp/unspin-figures-[A-Za-z0-9_]+")


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# One definition of "not a figure" (timings, creation stamps); applied here too, for summaries
# written before figures.py learnt a key.
from figures import TIMING  # noqa: E402


def load(folder: str) -> tuple[dict, dict]:
    with open(os.path.join(folder, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    meta = summary.pop("_meta", {})
    out = os.path.abspath(folder)
    paths = [(out, "{out}")] + [(meta[k], "{%s}" % k) for k in ("data", "repo", "shared") if meta.get(k)]

    def norm(v):
        if isinstance(v, str):
            for p, name in paths:
                v = v.replace(p, name)
            return SCRATCH.sub("{tmp}", v)
        return v

    for r in summary.values():
        r["cmd"] = norm(r.get("cmd", ""))
        r["figures"] = {k: norm(v) for k, v in r.get("figures", {}).items()
                        if not TIMING.search(k.rsplit(".", 1)[-1])}
    return meta, summary


def details_diff(a: str, b: str, name: str, limit: int) -> list[str]:
    """First differing lines of a file both runs kept (e.g. --details), by position."""
    pa, pb = os.path.join(a, name), os.path.join(b, name)
    if not (os.path.exists(pa) and os.path.exists(pb)):
        return []
    with open(pa, encoding="utf-8") as fa, open(pb, encoding="utf-8") as fb:
        la, lb = fa.read().splitlines(), fb.read().splitlines()
    out = [f"      {name}: {len(la)} vs {len(lb)} lines"]
    for k, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            out += [f"      line {k + 1}:", f"        A {x[:300]}", f"        B {y[:300]}"]
            if len(out) > limit:
                break
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--lines", type=int, default=20, help="differing figures shown per command")
    args = ap.parse_args()
    ma, sa = load(args.a)
    mb, sb = load(args.b)
    print(f"A: {args.a} ({ma.get('commit', '?')[:9]}{' dirty' if ma.get('dirty') else ''})")
    print(f"B: {args.b} ({mb.get('commit', '?')[:9]}{' dirty' if mb.get('dirty') else ''})")
    da, db = ma.get("data_sha256", {}), mb.get("data_sha256", {})
    bad = sorted(p for p in set(da) & set(db) if da[p] != db[p])
    if bad:
        print(f"note: the two runs read different data: {', '.join(bad)}")
    n_diff = 0
    width = max(len(n) for n in list(sa) + list(sb))
    for name in list(sa) + [n for n in sb if n not in sa]:
        ra, rb = sa.get(name), sb.get(name)
        if ra is None or rb is None:
            print(f"{name:{width}s}  only in {'B' if ra is None else 'A'}")
            continue
        secs = f"{ra['seconds']:7.1f} s {rb['seconds']:7.1f} s"
        lines = []
        if ra["rc"] or rb["rc"]:
            lines.append(f"    exit status A {ra['rc']}, B {rb['rc']}")
        if ra["cmd"] != rb["cmd"]:
            lines += [f"    cmd A {ra['cmd']}", f"    cmd B {rb['cmd']}"]
        fa, fb = ra["figures"], rb["figures"]
        keys = list(fa) + [k for k in fb if k not in fa]
        diffs = [k for k in keys if fa.get(k, "<absent>") != fb.get(k, "<absent>")]
        for k in diffs[: args.lines]:
            lines.append(f"    {k}: A {fa.get(k, '<absent>')!r}  B {fb.get(k, '<absent>')!r}")
            if k.startswith("sha256:"):
                lines += details_diff(args.a, args.b, k[7:], args.lines)
        if len(diffs) > args.lines:
            lines.append(f"    ... {len(diffs) - args.lines} more")
        if lines:
            n_diff += 1
            print(f"{name:{width}s}  DIFFERENT  {secs}  ({len(diffs)} of {len(keys)} figures)")
            print("\n".join(lines))
        else:
            print(f"{name:{width}s}  equal      {secs}  ({len(keys)} figures)")
    print(f"{n_diff} different" if n_diff else "all equal")
    return 1 if n_diff else 0


if __name__ == "__main__":
    sys.exit(main())
