#!/usr/bin/env python3
"""False edits of the term source (or, with ``--pps-words``, the word-swap source) on clean text: restore clean documents with the term source on
and off (everything else as shipped) and count the words each changes, and the edits only the
source's side makes.

    PYTHONPATH=src .venv/bin/python -m tools.analysis.terms_clean lee /tmp/gs/gensim/test/test_data/lee_background.cor
    PYTHONPATH=src .venv/bin/python -m tools.analysis.terms_clean pydoc 400 [term_listed=7 ...] [--every-word]
    PYTHONPATH=src .venv/bin/python -m tools.analysis.terms_clean pydoc 400 --pps-words   # the word-swap source instead

``lee FILE``: one document per line (the Lee corpus of Australian news); ``pydoc N``: the
docstrings of the first N documented objects of the Python standard library's modules (a
technical register close to the papers tortured phrases come from), one document each.
"""

from __future__ import annotations

import json
import sys
import time

from unspin.restoration.restorer import RestoreConfig, Restorer
from unspin.lang.tokenize import tokenize


def lee_docs(path: str) -> list[str]:
    return [line.strip() for line in open(path, encoding="latin-1") if line.strip()]


def pydoc_docs(n: int) -> list[str]:
    import importlib
    import inspect
    import pkgutil

    out = []
    for mod in sorted(m.name for m in pkgutil.iter_modules() if not m.name.startswith("_")):
        if mod in ("antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo"):
            continue  # side effects on import, or a GUI
        try:
            m = importlib.import_module(mod)
        except Exception:
            continue
        if not getattr(m, "__file__", "") or "site-packages" in (m.__file__ or ""):
            continue  # the standard library only
        for _, obj in [(mod, m)] + sorted(inspect.getmembers(m, inspect.isclass) + inspect.getmembers(m, inspect.isfunction),
                                          key=lambda x: x[0]):
            doc = inspect.getdoc(obj)
            if doc and len(doc.split()) >= 20 and getattr(obj, "__module__", mod) in (mod, None):
                out.append(doc)
                if len(out) >= n:
                    return out
    return out


def changed_words(r) -> int:
    return sum(len(tokenize(e.spun)) for e in r.edits)


def main() -> int:
    every_word = "--every-word" in sys.argv
    if every_word:
        sys.argv.remove("--every-word")
    # --pps-words: turn the list's word-swap source on and off instead (the term source stays on)
    flag = "terms"
    if "--pps-words" in sys.argv:
        sys.argv.remove("--pps-words")
        flag = "pps_words"
    kind = sys.argv[1]
    docs = lee_docs(sys.argv[2]) if kind == "lee" else pydoc_docs(int(sys.argv[2]))
    # NAME=VALUE channel weight overrides (both sides)
    weights = tuple((k, float(v)) for k, v in (a.split("=", 1) for a in sys.argv[3:]))
    words = sum(len(tokenize(d)) for d in docs)
    out = {"docs": len(docs), "words": words}
    edits = {}
    for on in (False, True):
        rs = Restorer(RestoreConfig(weights=weights, **{flag: on}))
        rs.generator._by_name["term"].every_word = every_word
        t0 = time.time()
        res = [rs.restore(d) for d in docs]
        dt = time.time() - t0
        n = sum(map(changed_words, res))
        out["on" if on else "off"] = {"words_changed": n, "share": round(n / words, 5), "words_per_s": round(words / dt)}
        edits[on] = {(k, e.start, e.spun, e.original) for k, r in enumerate(res) for e in r.edits}
    out["only_on"] = sorted((e[2], e[3]) for e in edits[True] - edits[False])
    out["only_off"] = sorted((e[2], e[3]) for e in edits[False] - edits[True])
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
