#!/usr/bin/env python3
"""Check a screen job's output against its input: every input id exactly once (development tooling).

    python -m tools.analysis.screen_ids INPUT.jsonl OUTPUT.jsonl [MORE_OUTPUT.jsonl ...] [--id-field id]

Streams the files (plain JSONL), keeping only the ids in memory (~100 bytes each: ~0.3 GB for
3 million records). Prints one JSON object (input records, distinct input ids, output records,
duplicated, not in the input, missing) and exits 1 when any of the last three is not 0, or when
the input repeats an id (then "once" cannot be checked).
"""

from __future__ import annotations

import argparse
import json
import re
import sys

# The fast path for the records unspin writes (the id first); anything else is parsed.
_FIRST = re.compile(rb'^\{"(?P<field>[^"\\]+)": "(?P<id>[^"\\]*)"[,}]')


def ids(path: str, field: str):
    key = field.encode()
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            m = _FIRST.match(line)
            if m and m.group("field") == key:
                yield m.group("id").decode()
            else:
                yield str(json.loads(line).get(field))


def check(input_path: str, outputs: list[str], field: str = "id") -> dict:
    seen_in: set[str] = set()
    n_in = 0
    for i in ids(input_path, field):
        seen_in.add(i)
        n_in += 1
    seen_out: set[str] = set()
    n_out = dup = extra = 0
    for path in outputs:
        for i in ids(path, field):
            n_out += 1
            if i in seen_out:
                dup += 1
            else:
                seen_out.add(i)
            extra += i not in seen_in
    return {"input_records": n_in, "input_ids": len(seen_in), "output_records": n_out, "duplicated": dup,
            "not_in_input": extra, "missing": len(seen_in - seen_out)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("outputs", nargs="+")
    ap.add_argument("--id-field", default="id")
    args = ap.parse_args(argv)
    res = check(args.input, args.outputs, args.id_field)
    print(json.dumps(res))
    ok = res["duplicated"] == res["not_in_input"] == res["missing"] == 0 and res["input_ids"] == res["input_records"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
