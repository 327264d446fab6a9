#!/usr/bin/env python3
"""Make labelled data for fitting and evaluating the spin detector (development tooling only).

Writes JSONL files (default folder ``build/detect-data``, git-ignored; nothing goes into the package):

* ``clean.jsonl``: clean English prose available on this machine, cut into documents of
  ``--min-words``..``--max-words`` words (whole paragraphs): Python's pydoc topics, the Rust
  books (HTML, where installed), /usr/share/doc READMEs, /usr/share/common-licenses, CMake help.
  Each document has a ``group`` (its source file) and a ``split`` (train/test, by group hash), so
  that nothing fitted on one file's text is tested on the same file.
* ``synthetic.jsonl``: one spin of every clean document by ``unspin.evaluation.spinners`` (rate drawn from
  ``--rates``, style moby or wordnet, seeded), with ``original`` kept for gold spans.
* ``short.jsonl``: single clean paragraphs of 10-99 words and their spins, for checking that short
  texts get less extreme scores.
* ``eval.jsonl``: the evaluation set, i.e. the ``test`` documents of clean.jsonl and synthetic.jsonl
  followed by wild.jsonl (for ``unspin eval detect``).
* ``context.jsonl``: one more spin of every clean document by the ``context`` style of
  ``unspin.evaluation.spinners`` (3-gram-fitted, mostly common synonyms, as commercial spinners write; rate
  drawn from ``--context-rates``), with its own seed so that the files above do not change. The
  fit trains on its ``train`` split with the others; its ``test`` split is reported apart.
  ``--context-only`` makes only this file, from an existing ``clean.jsonl``.
* ``wild.jsonl``: the wild-dev articles (paragraphs ``<article>-pNN`` joined), spun side label 1 and
  original side label 0, with ``family`` and ``article``; only articles of >= ``--min-words`` words
  unless ``--all-wild``. Read from ../shared at run time; for evaluation, never copied into the repo.

Every object has ``text``, ``label`` (1 spun, 0 clean), ``kind``, ``group``, ``split`` and, for spun
text made from an aligned original, ``original``.

Usage::

    python -m tools.datasets.make_detect_data [--out build/detect-data] [--max-docs-per-source 400]
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import hashlib
import json
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from unspin.inputs.extract import html_to_text  # noqa: E402

RUST_DOCS = sorted(glob.glob(os.path.expanduser("~/.rustup/toolchains/stable-*/share/doc/rust/html")))
WILD = os.path.join(ROOT, "..", "shared", "data", "wild-dev", "pairs.jsonl")


def _split_of(group: str) -> str:
    return "train" if int(hashlib.sha256(group.encode()).hexdigest(), 16) % 2 == 0 else "test"


_CODEY = re.compile(r"[{}<>=;_|\\$#@`]|::|->|\(\)")


def is_prose(par: str) -> bool:
    words = par.split()
    if len(words) < 10:
        return False
    alpha = sum(1 for w in words if re.fullmatch(r"[A-Za-z][a-z'’]*[,.;:!?)\"”’]*", w))
    if alpha / len(words) < 0.85:
        return False
    if len(_CODEY.findall(par)) > len(words) * 0.02:
        return False
    if not re.search(r"[a-z][.!?][\"”’)]?$", par.strip()):
        return False
    if sum(ch.isupper() for ch in par) > 0.15 * sum(ch.isalpha() for ch in par):
        return False
    return True


def paragraphs(text: str) -> list[str]:
    out = []
    for p in re.split(r"\n\s*\n", text):
        p = re.sub(r"\s+", " ", p).strip()
        if is_prose(p):
            out.append(p)
    return out


def sources():
    """Yield (source, group, text) for every clean file."""
    import pydoc_data.topics as topics

    for k, v in sorted(topics.topics.items()):
        yield "pydoc", f"pydoc:{k}", v
    for base in RUST_DOCS[:1]:
        for sub in ("book", "reference", "rust-by-example", "nomicon", "edition-guide", "embedded-book",
                    "cargo", "rustc", "style-guide", "rustdoc", "unstable-book"):
            for f in sorted(glob.glob(os.path.join(base, sub, "**", "*.html"), recursive=True)):
                if "print.html" in f or "/searchindex" in f:
                    continue
                try:
                    yield f"rust-{sub}", f, html_to_text(open(f, encoding="utf-8", errors="replace").read())
                except OSError:
                    continue
    for f in sorted(glob.glob("/usr/share/doc/**/*", recursive=True)):
        name = os.path.basename(f).lower()
        if not os.path.isfile(f) or not (name.startswith("readme") or name.endswith((".md", ".md.gz", ".txt", ".txt.gz"))):
            continue
        if "changelog" in name or "copyright" in name or "news" in name:
            continue
        try:
            raw = gzip.open(f).read() if f.endswith(".gz") else open(f, "rb").read()
        except OSError:
            continue
        yield "usr-share-doc", f, raw.decode("utf-8", "replace")
    for f in sorted(glob.glob("/usr/share/common-licenses/*")):
        if os.path.isfile(f):
            yield "licenses", f, open(f, encoding="utf-8", errors="replace").read()
    for f in sorted(glob.glob("/usr/share/cmake-*/Help/**/*.rst", recursive=True)):
        yield "cmake", f, open(f, encoding="utf-8", errors="replace").read()


def repair_artifacts(spun: str, original: str) -> tuple[str, int]:
    """Undo swaps that produced a non-word (the spinner's re-inflection sometimes writes
    "dictateding" or "twinses"): real spinners do not, and a detector must not learn them."""
    import difflib

    from wordfreq import zipf_frequency

    from unspin.lang.lm import get_lm
    from unspin.lang.tokenize import tokenize

    lm = get_lm()
    a, b = tokenize(spun), tokenize(original)
    ops = difflib.SequenceMatcher(None, [t.lower for t in a], [t.lower for t in b], autojunk=False).get_opcodes()
    out, pos, fixed = [], 0, 0
    for op, i1, i2, j1, j2 in ops:
        if op != "replace":
            continue
        junk = any(not lm.known(t.lower) and zipf_frequency(t.lower, "en") == 0 for t in a[i1:i2])
        if not junk:
            continue
        out.append(spun[pos:a[i1].start])
        out.append(original[b[j1].start:b[j2 - 1].end])
        pos = a[i2 - 1].end
        fixed += 1
    out.append(spun[pos:])
    return "".join(out), fixed


def documents(pars: list[str], lo: int, hi: int, rng: random.Random) -> list[str]:
    """Consecutive paragraphs joined into documents of lo..hi words."""
    docs, cur, n = [], [], 0
    target = rng.randint(lo, hi)
    for p in pars:
        w = len(p.split())
        if n + w > hi and n >= lo:
            docs.append("\n\n".join(cur))
            cur, n = [], 0
            target = rng.randint(lo, hi)
        cur.append(p)
        n += w
        if n >= target:
            docs.append("\n\n".join(cur))
            cur, n = [], 0
            target = rng.randint(lo, hi)
    if n >= lo:
        docs.append("\n\n".join(cur))
    return docs


def write_jsonl(path: str, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_context_spins(args, clean: list[dict]) -> None:
    """context.jsonl: each clean document spun by the context-fitting spinner (own seed)."""
    from unspin.evaluation.spinners import spin

    rng = random.Random(args.seed * 7919 + 17)
    rates = [float(r) for r in args.context_rates.split(",")]
    rows = []
    for d in clean:
        rate = rng.choice(rates)
        spun, swaps = spin(d["text"], rate, rng.randrange(1 << 30), "context")
        spun, fixed = repair_artifacts(spun, d["text"])
        rows.append({"id": d["id"] + "-context", "text": spun, "original": d["text"], "label": 1,
                     "kind": "synthetic-context", "rate": rate, "source": d["source"], "group": d["group"],
                     "split": d["split"], "swaps": len(swaps) - fixed, "repaired": fixed})
    write_jsonl(os.path.join(args.out, "context.jsonl"), rows)
    print(f"context.jsonl: {len(rows)} spins", file=sys.stderr)


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "detect-data"))
    ap.add_argument("--min-words", type=int, default=100)
    ap.add_argument("--max-words", type=int, default=400)
    ap.add_argument("--max-docs-per-source", type=int, default=400)
    ap.add_argument("--rates", default="0.1,0.2,0.3,0.45,0.6")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--all-wild", action="store_true", help="keep wild-dev articles shorter than --min-words")
    ap.add_argument("--context-rates", default="0.3,0.45,0.6")
    ap.add_argument("--context-only", action="store_true",
                    help="only (re)make context.jsonl from the clean.jsonl already in --out")
    return ap.parse_args(argv)


def collect_clean(args, rng: random.Random) -> tuple[dict[str, list[dict]], list[dict]]:
    """The clean documents of each source, and about 5% of the paragraphs too short for one."""
    by_source: dict[str, list[dict]] = collections.defaultdict(list)
    shorts: list[dict] = []
    seen_pars: set[str] = set()
    for source, group, text in sources():
        pars = [p for p in paragraphs(text) if p not in seen_pars]
        seen_pars.update(pars)
        if not pars:
            continue
        for d in documents(pars, args.min_words, args.max_words, rng):
            by_source[source].append({"group": group, "text": d, "source": source})
        for p in pars:
            if len(p.split()) < args.min_words and rng.random() < 0.05:
                shorts.append({"group": group, "text": p, "source": source})
    return by_source, shorts


def spin_documents(by_source: dict[str, list[dict]], args, rng: random.Random,
                   rates: list[float]) -> tuple[list[dict], list[dict]]:
    """Up to --max-docs-per-source clean documents of each source and one spin of each."""
    from unspin.evaluation.spinners import spin

    clean, synth = [], []
    for source, docs in sorted(by_source.items()):
        rng.shuffle(docs)
        for i, d in enumerate(docs[: args.max_docs_per_source]):
            did = f"{source}-{i:04d}"
            split = _split_of(d["group"])
            clean.append({"id": did, "text": d["text"], "label": 0, "kind": "clean", "source": source,
                          "group": d["group"], "split": split})
            rate = rng.choice(rates)
            style = rng.choice(["moby", "wordnet"])
            spun, swaps = spin(d["text"], rate, rng.randrange(1 << 30), style)
            spun, fixed = repair_artifacts(spun, d["text"])
            synth.append({"id": did + "-spun", "text": spun, "original": d["text"], "label": 1,
                          "kind": f"synthetic-{style}", "rate": rate, "source": source, "group": d["group"],
                          "split": split, "swaps": len(swaps) - fixed, "repaired": fixed})
    return clean, synth


def spin_shorts(shorts: list[dict], rng: random.Random, rates: list[float]) -> list[dict]:
    """Each short paragraph followed by its spin."""
    from unspin.evaluation.spinners import spin

    short = []
    for i, d in enumerate(shorts):
        split = _split_of(d["group"])
        short.append({"id": f"short-{i:04d}", "text": d["text"], "label": 0, "kind": "clean", "source": d["source"],
                      "group": d["group"], "split": split})
        spun, _ = spin(d["text"], rng.choice(rates), rng.randrange(1 << 30), rng.choice(["moby", "wordnet"]))
        spun, _ = repair_artifacts(spun, d["text"])
        short.append({"id": f"short-{i:04d}-spun", "text": spun, "original": d["text"], "label": 1,
                      "kind": "synthetic", "source": d["source"], "group": d["group"], "split": split})
    return short


def wild_articles(min_words: int, all_wild: bool) -> list[dict]:
    """The wild-dev articles, spun side then original side, from ../shared (none if absent)."""
    if not os.path.exists(WILD):
        print(f"note: {WILD} not found; no wild-dev data", file=sys.stderr)
        return []
    arts = collections.defaultdict(list)
    with open(WILD, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            arts[r["id"].rsplit("-p", 1)[0]].append(r)
    wild = []
    for art, rows in sorted(arts.items()):
        rows.sort(key=lambda r: r["id"])
        spun = "\n\n".join(r["spun"] for r in rows)
        orig = "\n\n".join(r["original"] for r in rows)
        if len(spun.split()) < min_words and not all_wild:
            continue
        fam = rows[0]["family"]
        wild.append({"id": f"{art}-spun", "text": spun, "original": orig, "label": 1, "kind": f"wild-{fam}",
                     "family": fam, "article": art, "group": art, "split": "wild"})
        wild.append({"id": f"{art}-original", "text": orig, "label": 0, "kind": "wild-original",
                     "family": fam, "article": art, "group": art, "split": "wild"})
    return wild


def main() -> int:
    args = parse_args()
    if args.context_only:
        with open(os.path.join(args.out, "clean.jsonl"), encoding="utf-8") as f:
            write_context_spins(args, [json.loads(line) for line in f if line.strip()])
        return 0

    rng = random.Random(args.seed)
    rates = [float(r) for r in args.rates.split(",")]
    os.makedirs(args.out, exist_ok=True)
    by_source, shorts = collect_clean(args, rng)
    clean, synth = spin_documents(by_source, args, rng, rates)
    short = spin_shorts(shorts, rng, rates)
    wild = wild_articles(args.min_words, args.all_wild)

    for name, rows in (("clean", clean), ("synthetic", synth), ("short", short), ("wild", wild)):
        write_jsonl(os.path.join(args.out, f"{name}.jsonl"), rows)
    # The evaluation set: the test split (clean and spun) and the wild-dev articles.
    write_jsonl(os.path.join(args.out, "eval.jsonl"), [r for r in clean + synth if r["split"] == "test"] + wild)
    write_context_spins(args, clean)
    counts = collections.Counter((r["split"], r["kind"]) for r in clean + synth + wild)
    print(json.dumps({"out": args.out, "counts": {f"{a}/{b}": n for (a, b), n in sorted(counts.items())},
                      "sources": {s: min(len(d), args.max_docs_per_source) for s, d in by_source.items()},
                      "short": len(short)}, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
