#!/usr/bin/env python3
"""Learn the spinner substitution table shipped as ``src/unspin/data/table.json``.

Input: JSONL of aligned pairs with ``id`` (``<article>-pNN``), ``spun``, ``original`` and
optionally ``family`` (only ``synonym`` pairs teach word swaps). Counts are kept per article,
so ``unspin eval restore`` can leave the scored article out of what was learned.

    python -m tools.fit.learn_table ../shared/data/wild-dev/pairs.jsonl --exclude s01
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from unspin.evaluation.data import group_of
from unspin.restoration.table import SubstitutionTable

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs", nargs="+")
    ap.add_argument("-o", "--output", default=str(ROOT / "src/unspin/data/table.json"))
    ap.add_argument("--family", default="synonym")
    ap.add_argument("--exclude", action="append", default=[],
                    help="leave this article (id prefix) out; the shipped table leaves out s01, the "
                         "article of the bundled example, so the demo shows an unseen article")
    args = ap.parse_args()
    rows, inputs = [], {}
    for path in args.pairs:
        data = Path(path).read_bytes()
        inputs[Path(path).name] = hashlib.sha256(data).hexdigest()
        for line in data.decode("utf-8").splitlines():
            if line.strip():
                o = json.loads(line)
                if args.family and o.get("family", args.family) != args.family:
                    continue
                group = group_of(o, o["id"])  # o["id"]: a pair without an id is an error here
                if group in args.exclude:
                    continue
                rows.append((group, o["spun"], o["original"]))
    table = SubstitutionTable.learn(rows)
    table.save(args.output)
    manifest_path = ROOT / "src/unspin/data/MANIFEST.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest["table.json"] = {
        "built_by": "tools/fit/learn_table.py",
        "inputs": inputs,
        "family": args.family,
        "excluded": args.exclude,
        "pairs": len(rows),
        "entries": len(table),
        "groups": sorted(table.groups),
        "sha256": hashlib.sha256(Path(args.output).read_bytes()).hexdigest(),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"{len(table)} substitutions from {len(rows)} pairs -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
