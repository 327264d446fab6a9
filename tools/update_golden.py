#!/usr/bin/env python3
"""Rewrite tests/golden/atmeh-raid.restored.json from the current restore output.

Run after a deliberate change of behaviour, and read the diff before committing it.
"""
import json
from pathlib import Path

import unspin

ROOT = Path(__file__).resolve().parents[1]
text = (ROOT / "examples" / "atmeh-raid.spun.txt").read_text(encoding="utf-8")
r = unspin.restore(text)
(ROOT / "tests" / "golden" / "atmeh-raid.restored.json").write_text(
    json.dumps(r.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"{len(r.edits)} edits")
