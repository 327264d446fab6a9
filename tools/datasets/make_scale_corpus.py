#!/usr/bin/env python3
"""Make a large corpus of news-length documents for trace's scale curve (issue 14: 250k and 1M
documents), from clean text already at hand (development tooling only; writes wherever ``-o``
says, never into the repository).

No million-document news corpus is available offline, so documents are recombined: each one takes
a run of consecutive sentences from one input document and a few from others, up to a length
drawn between ``--min-words`` and ``--max-words``. Recombined text alone would repeat every name and
number of the inputs thousands of times (rare words with huge posting lists, unlike real news), so
each document's names (capitalised words inside a sentence) are renamed consistently within the
document to synthetic names drawn from a Zipf law over ``--names`` of them, and its numbers are
redrawn with the same number of digits. Common words keep their real frequencies; rare ones
keep growing with the corpus, as they do in real collections.

Usage::

    python -m tools.datasets.make_scale_corpus /tmp/unspin-distractors.jsonl -n 1000000 \\
        --prefix x -o /tmp/scale-1m.jsonl

Each output line is ``{"id", "text", "source": "scale"}``; seeded (the same arguments give the same
file). Rows of the input whose ``source`` is ``spun`` are skipped (clean text only).
"""

from __future__ import annotations

import argparse
import json
import re
import sys

import numpy as np

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]{2,}")
_NUM = re.compile(r"\d+")
_SYLL = ["ba", "ke", "ri", "to", "lu", "ma", "ne", "so", "di", "va", "ro", "pe", "gu", "li", "za", "mo",
         "te", "ha", "ni", "wo", "ca", "fi", "do", "ye", "ju", "xa", "qi", "bu", "se", "ko", "ra", "vi"]


def synthetic_name(r: int) -> str:
    """A pronounceable capitalised word for rank ``r``, distinct for distinct ranks."""
    parts = []
    r += 32  # at least two syllables
    while r:
        r, s = divmod(r, len(_SYLL))
        parts.append(_SYLL[s])
    return "".join(parts).capitalize()


def load_sentences(path: str, min_sentences: int = 2) -> list[list[str]]:
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            if obj.get("source") == "spun":
                continue
            sents = [s.strip() for s in _SENT.split(" ".join(obj["text"].split())) if s.strip()]
            if len(sents) >= min_sentences:
                docs.append(sents)
    return docs


def make_doc(docs, rng: np.random.Generator, lo: int, hi: int, n_names: int) -> str:
    want = int(rng.integers(lo, hi + 1))
    base = docs[int(rng.integers(len(docs)))]
    i = int(rng.integers(len(base)))
    out, words = [], 0
    while words < want:
        if i >= len(base) or (out and rng.random() < 0.15):
            base = docs[int(rng.integers(len(docs)))]
            i = int(rng.integers(len(base)))
        s = base[i]
        i += 1
        out.append(s)
        words += len(s.split())
    text = " ".join(out)
    names: dict[str, str] = {}

    def rename(m: re.Match) -> str:
        w = m.group(0)
        if w not in names:
            # Zipf over groups of 50 names: a long tail of new names, no one name a large share
            names[w] = synthetic_name((int(rng.zipf(1.1)) * 50 + int(rng.integers(50))) % n_names)
        return names[w]

    text = _NAME.sub(rename, text)
    return _NUM.sub(lambda m: _redraw(m.group(0), rng), text)


def _redraw(digits: str, rng: np.random.Generator) -> str:
    """Another number with as many digits (long digit strings digit by digit)."""
    out = "".join(str(d) for d in rng.integers(0, 10, len(digits)))
    return str(int(rng.integers(1, 10))) + out[1:] if len(digits) > 1 else out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", help="JSONL documents of clean text (id, text[, source])")
    ap.add_argument("-n", type=int, required=True, help="documents to write")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--prefix", default="x", help="id prefix (default x)")
    ap.add_argument("--min-words", type=int, default=60)
    ap.add_argument("--max-words", type=int, default=250)
    ap.add_argument("--names", type=int, default=2_000_000, help="size of the synthetic name space")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    docs = [d for p in args.inputs for d in load_sentences(p)]
    if not docs:
        print("make_scale_corpus: no input document has two sentences", file=sys.stderr)
        return 1
    rng = np.random.default_rng(args.seed)
    width = len(str(args.n))
    with open(args.output, "w", encoding="utf-8") as f:
        for i in range(args.n):
            text = make_doc(docs, rng, args.min_words, args.max_words, args.names)
            f.write(json.dumps({"id": f"{args.prefix}{i:0{width}d}", "text": text, "source": "scale"},
                               ensure_ascii=False) + "\n")
    print(f"{args.n} documents from {len(docs)} input documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
