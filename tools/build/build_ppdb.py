#!/usr/bin/env python3
"""Build ``src/unspin/data/ppdb.npz``: the originals PPDB links to a spun word, with PPDB's ranks.

Inputs (``../shared/data/ppdb``, see its README; CC BY 3.0):
  * ``ppdb-1.0-xl-lexical.txt``: one head word, then its paraphrases, best first (PPDB 1.0 XL);
  * ``ppdb-2.0-synonym-pairs.txt``: ``word paraphrase`` pairs PPDB 2.0 labels as equivalence.

Output, indexed by the SPUN form P (a sorted term list and CSR rows, like ``lexicon.npz``): the
originals O of P, each with
  * ``fwd``: the rank of P in O's XL line (0 = first): the spinner's direction, it replaced O by a
    paraphrase from O's line; ``NONE`` if P is not in O's line;
  * ``rev``: the rank of O in P's line (``NONE`` if absent);
  * ``syn``: 1 if PPDB 2.0 labels the pair a synonym.
Single lower-case words only (internal hyphen or apostrophe allowed); pairs that are only
inflections or spelling variants of each other are dropped, as are originals the 3-gram does not
know or that are rare (the thesaurus's own filter, ``build_lexicon.UsableOriginal``) and blocked
originals (``data/blocklist.txt``).

Run ``python -m tools.build.build_ppdb [--ppdb DIR]``; it rewrites the data file and its entry
in ``src/unspin/data/MANIFEST.json``.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from wordfreq import zipf_frequency

from tools.build.build_lexicon import OUT, ROOT, UsableOriginal, set_manifest_entry, sha256
from unspin.lang.ppdb import NONE, link_order

XL = "ppdb-1.0-xl-lexical.txt"
SYN = "ppdb-2.0-synonym-pairs.txt"
MAX_RANK = 254   # ranks past it are stored as it
_WORD_RE = re.compile(r"^[a-z](?:[a-z'-]*[a-z])?$")

# British/American and other spelling alternations (a spinner does not swap these; it swaps words).
_SPELLING = [(re.compile(p), r) for p, r in (
    (r"[-']", ""), (r"is(e|es|ed|ing|ation|ations|er|ers)$", r"iz\1"), (r"our", "or"),
    (r"ll(ed|ing|er|ers)$", r"l\1"), (r"tre(s?)$", r"ter\1"), (r"ae", "e"), (r"oe", "e"),
    (r"ogue(s?)$", r"og\1"), (r"ence(s?)$", r"ense\1"), (r"yse(s|d)?$", r"yze\1"),
)]


def spelling_key(word: str) -> str:
    """A form shared by spelling variants (modelling/modeling, colour/color, re-use/reuse)."""
    for pat, rep in _SPELLING:
        word = pat.sub(rep, word)
    return word


_SUFFIX_RE = re.compile(r"(?:'s|s|es|ies|ed|d|ing)$")


def _bare(word: str) -> str:
    """``word`` without one regular inflectional ending (for words lemminflect does not know,
    such as names: muslims/muslim)."""
    bare = _SUFFIX_RE.sub("", word)
    return bare if len(bare) >= 3 else word


def same_word(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are inflections or spelling variants of one word."""
    from unspin.lang.morph import lemmas

    ka, kb = spelling_key(a), spelling_key(b)
    if ka == kb or _bare(ka) in (kb, _bare(kb)) or _bare(kb) == ka:
        return True
    la = {a}.union(*lemmas(a).values())
    lb = {b}.union(*lemmas(b).values())
    return bool(la & lb)


def read_lines(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f if line.strip()]


def links(xl: list[list[str]], syn: list[list[str]]) -> dict[tuple[str, str], list[int]]:
    """(spun, original) -> [fwd, rev, syn] over every pair of the inputs (lower-cased, unfiltered)."""
    out: dict[tuple[str, str], list[int]] = {}

    def get(p: str, o: str) -> list[int]:
        v = out.get((p, o))
        if v is None:
            v = out[(p, o)] = [NONE, NONE, 0]
        return v

    for parts in xl:
        head = parts[0].lower()
        for rank, para in enumerate(parts[1:]):
            para = para.lower()
            r = min(rank, MAX_RANK)
            fwd = get(para, head)   # the spinner turned head into para
            fwd[0] = min(fwd[0], r)
            rev = get(head, para)   # ... or para into head: head's line lists its original
            rev[1] = min(rev[1], r)
    for parts in syn:
        a, b = (w.lower() for w in parts[:2])
        get(a, b)[2] = 1
        get(b, a)[2] = 1
    return out


def table(pairs: dict[tuple[str, str], list[int]], usable_original: Callable[[str], bool] | None,
          blocked: frozenset[str]):
    """Keep the usable pairs; (terms, offsets, dst, fwd, rev, syn) as CSR arrays by spun term,
    rows sorted, each row best link first (deterministic)."""
    kept = [(p, o, v) for (p, o), v in pairs.items()
            if p != o and _WORD_RE.match(p) and _WORD_RE.match(o) and o not in blocked
            and (usable_original is None or usable_original(o)) and not same_word(p, o)]
    terms = sorted({t for p, o, _ in kept for t in (p, o)})
    index = {t: i for i, t in enumerate(terms)}
    zipf = {o: zipf_frequency(o, "en") for o in {o for _, o, _ in kept}}
    kept.sort(key=lambda x: (index[x[0]], link_order(x[2][0], x[2][1], zipf[x[1]]), x[1]))
    src = np.array([index[p] for p, _, _ in kept], dtype=np.int64)
    offsets = np.zeros(len(terms) + 1, dtype=np.int64)
    np.add.at(offsets, src + 1, 1)
    return (terms, np.cumsum(offsets),
            np.array([index[o] for _, o, _ in kept], dtype=np.int32),
            np.array([v[0] for *_, v in kept], dtype=np.uint8),
            np.array([v[1] for *_, v in kept], dtype=np.uint8),
            np.array([v[2] for *_, v in kept], dtype=np.uint8))


def build(ppdb: Path, out_path: Path, usable_original: Callable[[str], bool] | None = None,
          blocked: frozenset[str] = frozenset()) -> dict:
    """Write ``out_path`` from the two files in ``ppdb``; returns the counts and input records."""
    xl, syn = read_lines(ppdb / XL), read_lines(ppdb / SYN)
    terms, offsets, dst, fwd, rev, is_syn = table(links(xl, syn), usable_original, blocked)
    # np.savez_compressed stamps no time: the same arrays give the same bytes.
    np.savez_compressed(out_path, terms=np.array("\n".join(terms)), offsets=offsets, dst=dst,
                        fwd=fwd, rev=rev, syn=is_syn)
    return {
        "inputs": {name: {"file": f"shared/data/ppdb/{name}", "sha256": sha256(ppdb / name), "lines": n}
                   for name, n in ((XL, len(xl)), (SYN, len(syn)))},
        "terms": len(terms),
        "links": int(len(dst)),
        "forward_links": int((fwd != NONE).sum()),
        "synonym_links": int(is_syn.sum()),
        "sha256": sha256(out_path),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.build.build_ppdb", description=__doc__.split("\n")[0])
    ap.add_argument("--ppdb", type=Path, default=ROOT.parent / "shared" / "data" / "ppdb",
                    help="folder with the two PPDB files (default ../shared/data/ppdb)")
    args = ap.parse_args(argv)
    if not all((args.ppdb / n).is_file() for n in (XL, SYN)):
        print(f"build_ppdb: error: {args.ppdb} lacks {XL} or {SYN}", file=sys.stderr)
        return 1
    import pocketsphinx

    from unspin.lang.lexicon import shipped_blocklist

    lm_path = Path(pocketsphinx.__file__).parent / "model" / "en-us" / "en-us.lm.bin"
    usable = UsableOriginal(pocketsphinx.NGramModel.readfile(str(lm_path)))
    out_path = OUT / "ppdb.npz"
    record = build(args.ppdb, out_path, usable, shipped_blocklist())
    record["inputs"]["blocklist.txt"] = {"sha256": sha256(OUT / "blocklist.txt")}
    record["inputs"]["pocketsphinx"] = {"file": "model/en-us/en-us.lm.bin", "sha256": sha256(lm_path)}
    for pkg in ("wordfreq", "lemminflect"):
        record["inputs"][pkg] = {"version": md.version(pkg)}
    record = {"built_by": "tools/build/build_ppdb.py",
              "licence": "CC BY 3.0 (PPDB: Ganitkevitch et al. 2013; Pavlick et al. 2015)", **record}
    set_manifest_entry("ppdb.npz", record)
    print(f"{record['terms']} terms, {record['links']} links -> {out_path} "
          f"({os.path.getsize(out_path) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
