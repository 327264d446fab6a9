#!/usr/bin/env python3
"""Clean the Problematic Paper Screener's tortured-phrase list into ``src/unspin/data/fingerprints.json``.

The PPS list (Cabanac, Labbé, Magazinov; CC BY 4.0) was written as search queries; flattened into
pairs, some entries are ordinary terms that would fire on clean text. Clean-up, in order:

1. normalise (``unspin.lang.fingerprints.clean_entry``): drop parenthesised acronyms and notes, keep the
   first of slash alternatives, drop entries whose tortured side is (part of) the correct term,
   explanations instead of terms, and one-word entries; de-duplicate;
2. drop entries whose tortured side is the correct term of another entry;
3. drop strong collocations of general English: every word of the phrase after the first is at
   least ``--pmi`` nats more likely after its predecessors than alone, by the pocketsphinx 3-gram
   ("search engine", "cloud computing", "benign tumor");
4. drop entries that occur in clean prose (``--clean-corpus``: Python's pydoc topics and, where
   present, /usr/share/common-licenses and /usr/share/doc), e.g. "flag handling", "call tree".

Every dropped entry is kept in the output under ``removed`` with its reason, so the result can be
audited. The input's sha256 and version go into ``data/MANIFEST.json`` (key ``fingerprints.json``)
and the attribution into ``data/ATTRIBUTION.md``.

Usage::

    python -m tools.build.build_fingerprints [--input ../shared/data/pps/tortured-phrases.json]
"""

from __future__ import annotations

import argparse
import glob
import gzip
import hashlib
import json
import os
import re
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from unspin.lang.fingerprints import FingerprintMatcher, clean_entry, normalize_phrase  # noqa: E402
from unspin.lang.lm import get_lm  # noqa: E402
from unspin.lang.tokenize import tokenize  # noqa: E402

DATA = os.path.join(ROOT, "src", "unspin", "data")
DEFAULT_CORPUS = ["pydoc", "/usr/share/common-licenses", "/usr/share/doc"]

ATTRIBUTION = """\
<!-- fingerprints:begin -->
## fingerprints.json

Built by `tools/build/build_fingerprints.py` from the tortured-phrase list of the
**Problematic Paper Screener** by Guillaume Cabanac, Cyril Labbé and Alexander Magazinov
(https://dbrech.irit.fr/pls/apex/f?p=9999:5:::NO:::), version {version} dated {date},
licensed under **CC BY 4.0** (https://creativecommons.org/licenses/by/4.0/), as bundled by the
open-source project giladfeldman/torturedcheck (MIT).

Changes made: entries normalised (parenthesised acronyms and notes removed, first of slash
alternatives kept), and entries that are ordinary terms removed ({removed} of {total}; each is
listed with its reason under `removed` in the file). {kept} entries remain.
<!-- fingerprints:end -->
"""


def collocation_strength(phrase: str, lm) -> float | None:
    """min over words 2..n of ln P(w | preceding words) - ln P(w): high for fixed expressions."""
    words = [t.lower for t in tokenize(phrase)]
    if len(words) < 2:
        return None
    vals = []
    p1 = p2 = "<s>"
    for i, w in enumerate(words):
        if i:
            vals.append(lm.logp(w, p1, p2) - lm.unigram(w))
        p2, p1 = p1, w
    return min(vals)


def corpus_texts(specs: list[str]):
    """Yield (name, text) for the clean-prose corpus."""
    for spec in specs:
        if spec == "pydoc":
            import pydoc_data.topics as topics

            for k, v in topics.topics.items():
                yield f"pydoc:{k}", v
            continue
        if not os.path.exists(spec):
            continue
        files = [spec] if os.path.isfile(spec) else sorted(glob.glob(os.path.join(spec, "**", "*"), recursive=True))
        for f in files:
            if not os.path.isfile(f) or os.path.islink(f):
                continue
            try:
                raw = gzip.open(f).read() if f.endswith(".gz") else open(f, "rb").read()
            except OSError:
                continue
            if b"\x00" in raw[:4096]:
                continue
            yield f, raw.decode("utf-8", "replace")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=os.path.join(ROOT, "..", "shared", "data", "pps", "tortured-phrases.json"))
    ap.add_argument("--out", default=os.path.join(DATA, "fingerprints.json"))
    ap.add_argument("--pmi", type=float, default=4.0, help="collocation strength (nats) above which a phrase is ordinary")
    ap.add_argument("--clean-corpus", nargs="*", default=DEFAULT_CORPUS,
                    help="'pydoc', files or folders of clean prose; entries found there are dropped")
    return ap.parse_args(argv)


def normalised_entries(phrases: list[dict], removed: list[dict]) -> list[tuple[str, str]]:
    """Step 1: the usable (tortured, correct) pairs, de-duplicated; the unusable go to ``removed``."""
    kept: list[tuple[str, str]] = []
    seen: set[str] = set()
    for p in phrases:
        e = clean_entry(p["tortured"], p["correct"])
        if e is None:
            removed.append({"tortured": p["tortured"], "correct": p["correct"], "reason": "not a usable term pair"})
            continue
        key = normalize_phrase(e[0])
        if key in seen:
            continue  # duplicate after normalisation: not a removal worth listing
        seen.add(key)
        kept.append(e)
    return kept


def drop_correct_terms(kept: list[tuple[str, str]], removed: list[dict]) -> list[tuple[str, str]]:
    """Step 2: entries whose tortured side is the correct term of another entry."""
    corrects = {normalize_phrase(c) for _, c in kept}
    step = []
    for t, c in kept:
        if normalize_phrase(t) in corrects:
            removed.append({"tortured": t, "correct": c, "reason": "correct term of another entry"})
        else:
            step.append((t, c))
    return step


def drop_collocations(kept: list[tuple[str, str]], removed: list[dict], pmi: float) -> list[tuple[str, str]]:
    """Step 3: strong collocations of general English."""
    lm = get_lm()
    step = []
    for t, c in kept:
        s = collocation_strength(t, lm)
        if s is not None and s >= pmi:
            removed.append({"tortured": t, "correct": c, "reason": f"common English collocation (3-gram strength {s:.1f})"})
        else:
            step.append((t, c))
    return step


def drop_found_in_corpus(kept: list[tuple[str, str]], removed: list[dict], specs: list[str]):
    """Step 4: entries found in the clean-prose corpus; returns the rest and the corpus size
    (documents, characters)."""
    matcher = FingerprintMatcher(kept)
    found: Counter = Counter()
    where: dict[str, str] = {}
    n_docs = n_chars = 0
    for name, text in corpus_texts(specs):
        n_docs += 1
        n_chars += len(text)
        for h in matcher.find(text):
            found[h.entry] += 1
            where.setdefault(h.entry, name)
    step = []
    for t, c in kept:
        k = normalize_phrase(t)
        if found[k]:
            removed.append({"tortured": t, "correct": c,
                            "reason": f"found {found[k]}x in clean prose (e.g. {os.path.basename(where[k])})"})
        else:
            step.append((t, c))
    return step, n_docs, n_chars


def output_text(src: dict, kept: list[tuple[str, str]], removed: list[dict]) -> str:
    out = {
        "source": src.get("source"),
        "sourceUrl": src.get("sourceUrl"),
        "license": src.get("license"),
        "version": src.get("version"),
        "lastUpdated": src.get("lastUpdated"),
        "attribution": "Problematic Paper Screener by Guillaume Cabanac, Cyril Labbé and Alexander Magazinov "
                       "(CC BY 4.0); cleaned by unspin tools/build/build_fingerprints.py",
        "phrases": [{"tortured": t, "correct": c} for t, c in kept],
        "removed": removed,
    }
    return json.dumps(out, ensure_ascii=False, indent=0) + "\n"


def update_manifest(entry: dict) -> None:
    """Set the ``fingerprints.json`` key of data/MANIFEST.json, keeping the other keys."""
    manifest_path = os.path.join(DATA, "MANIFEST.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    manifest["fingerprints.json"] = entry
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


def manifest_entry(args, raw: bytes, src: dict, corpus: dict, kept: int, removed: int, text: str) -> dict:
    import pocketsphinx

    return {
        "built_by": "tools/build/build_fingerprints.py",
        "inputs": {
            "pps": {
                "file": "shared/data/pps/tortured-phrases.json",
                "licence": "CC BY 4.0 (Problematic Paper Screener: Cabanac, Labbé, Magazinov)",
                "sha256": hashlib.sha256(raw).hexdigest(),
                "version": src.get("version"),
                "lastUpdated": src.get("lastUpdated"),
                "entries": len(src["phrases"]),
            },
            "pocketsphinx": {"version": pocketsphinx.__version__ if hasattr(pocketsphinx, "__version__") else None},
            "clean_corpus": {"specs": args.clean_corpus, **corpus},
        },
        "pmi_threshold": args.pmi,
        "entries": kept,
        "removed": removed,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


def update_attribution(block: str) -> None:
    """Replace the fingerprints block of data/ATTRIBUTION.md, or append it."""
    attr_path = os.path.join(DATA, "ATTRIBUTION.md")
    old = ""
    if os.path.exists(attr_path):
        with open(attr_path, encoding="utf-8") as f:
            old = f.read()
    if "<!-- fingerprints:begin -->" in old:
        new = re.sub(r"<!-- fingerprints:begin -->.*?<!-- fingerprints:end -->\n?", lambda m: block, old, flags=re.S)
    else:
        new = (old.rstrip() + "\n\n" if old.strip() else "# Attribution of shipped data\n\n") + block
    with open(attr_path, "w", encoding="utf-8") as f:
        f.write(new)


def main() -> int:
    args = parse_args()
    with open(args.input, "rb") as f:
        raw = f.read()
    src = json.loads(raw)
    phrases = src["phrases"]
    removed: list[dict] = []
    kept = normalised_entries(phrases, removed)
    kept = drop_correct_terms(kept, removed)
    kept = drop_collocations(kept, removed, args.pmi)
    kept, n_docs, n_chars = drop_found_in_corpus(kept, removed, args.clean_corpus)

    text = output_text(src, kept, removed)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    update_manifest(manifest_entry(args, raw, src, {"documents": n_docs, "characters": n_chars},
                                   len(kept), len(removed), text))
    update_attribution(ATTRIBUTION.format(version=src.get("version"), date=src.get("lastUpdated"),
                                          removed=len(removed), total=len(phrases), kept=len(kept)))
    reasons = Counter(re.sub(r"\d+x|\s*\(.*", "", r["reason"]) for r in removed)
    print(f"{len(phrases)} entries in, {len(kept)} kept; removed: {dict(reasons)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
