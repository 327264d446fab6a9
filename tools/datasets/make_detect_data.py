#!/usr/bin/env python3
"""Make labelled data for fitting and evaluating the spin detector (development tooling only).

Writes JSONL files (default folder ``build/detect-data``, git-ignored; nothing goes into the package):

* ``clean.jsonl``: clean English prose of several genres, cut into documents of
  ``--min-words``..``--max-words`` words (whole paragraphs), at most ``--max-docs-per-source``
  per source. Each document has a ``source``, a ``genre``, a ``group`` (its source file, or for
  one-file corpora a run of ten stories or a page) and a ``split`` (train/test, by group hash), so
  that nothing fitted on one file's text is tested on the same file.
* ``synthetic.jsonl``: one spin of every clean document by ``unspin.evaluation.spinners``, by a
  spinner family drawn in turn from ``FAMILIES`` (moby, wordnet, ppdb, context, phrase), at a rate
  drawn uniformly from ``--rate-range`` (default 0.05-0.6), CONSISTENT per document (one original
  -> one spun form throughout, as real spinners do), without the hand list of real spinners'
  phrases (``spin(..., phrases=False)``: it was written from wild-dev articles); each row has
  ``family``, ``rate``, ``genre`` and ``original`` (for gold spans).
* ``short.jsonl``: single clean paragraphs of 10-99 words and their spins (same families), for
  checking that short texts get less extreme scores.
* ``eval.jsonl``: the evaluation set, i.e. the ``test`` documents of clean.jsonl and synthetic.jsonl
  followed by wild.jsonl (for ``unspin eval detect``).
* ``news-heldout.jsonl``: the ``--exclude`` news (clean, label 0, genre news), which is in no
  training set: the false-flag rate on clean news never fitted on.
* ``wild.jsonl``: the wild-dev articles (paragraphs ``<article>-pNN`` joined), spun side label 1 and
  original side label 0, with ``family`` and ``article``; only articles of >= ``--min-words`` words
  unless ``--all-wild``. Read from ../shared at run time; for evaluation, never copied into the repo.

Sources (each is skipped with a note when absent; genre in brackets):

* [documentation] Python's ``pydoc_data.topics`` (PSF licence); the Rust books and reference
  (rustup's stable toolchain docs, MIT/Apache-2.0); READMEs under /usr/share/doc (each package's
  licence); CMake's help (cmake-data, BSD-3-Clause). [legal] /usr/share/common-licenses.
* [news] the Lee corpus (``lee_background.cor``, ``lee.cor``; Lee, Pincombe and Welsh 2005, Australian
  Broadcasting Corporation news) from gensim 4.4.0's test data (PyPI wheel
  ``gensim-4.4.0-cp311-...whl``, path ``gensim/test/test_data/``, LGPL-2.1): ``--lee DIR``. Every
  story holding a paragraph of ``--exclude`` (the clean news restore's figures use: lee150.jsonl,
  the first 150 news paragraphs of more than 30 words) is left out, by
  ``tools.datasets.make_restore_data.news``; those are written to news-heldout.jsonl instead.
* [encyclopedia] English Wikipedia articles (a 2017 dump, shortened) from the same wheel,
  ``gensim/test/test_data/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2``
  (CC BY-SA 3.0): ``--wiki FILE``; wiki markup stripped by :func:`wiki_pages`.
* [quotations] the Debian package ``fortunes`` 1:1.99.1-7.3 (``/usr/share/games/fortunes``: the
  files in ``FORTUNE_FILES``, among them literature, pratchett and wisdom: quotations from fiction
  and essays; BSD licence): ``--fortunes DIR``. Cookies are joined in file order.

Getting them: ``pip download --no-deps gensim==4.4.0 -d W`` then ``unzip -j W/gensim-4.4.0-*.whl
'gensim/test/test_data/lee*.cor' 'gensim/test/test_data/enwiki-*-shortened.bz2' -d SRC``;
``apt-get install fortunes``.

Every object has ``text``, ``label`` (1 spun, 0 clean), ``kind``, ``group``, ``split`` and, for spun
text made from an aligned original, ``original``.

Usage::

    python -m tools.datasets.make_detect_data [--out build/detect-data] [--max-docs-per-source 400] \\
        [--lee SRC --exclude lee150.jsonl --wiki SRC/enwiki-...-shortened.bz2 --fortunes /usr/share/games/fortunes]
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


FAMILIES = ("moby", "wordnet", "ppdb", "context", "phrase")
FORTUNE_FILES = ("literature", "pratchett", "wisdom", "people", "love", "men-women", "education", "humorists",
                 "miscellaneous", "work", "science", "politics")


def doc_sources():
    """Yield (source, group, text) for every documentation and licence file on this machine."""
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


def genre_of(source: str) -> str:
    return {"licenses": "legal", "news": "news", "wiki": "encyclopedia", "fortunes": "quotations"}.get(
        source, "documentation")


def news_sources(lee: str | None, exclude: str | None):
    """The Lee corpus stories less those holding an --exclude paragraph, ten stories a group (a
    story is one paragraph: a group keeps a run of them on one side of the split)."""
    if not lee:
        return
    from tools.datasets.make_restore_data import news

    stories = news(lee, exclude)
    for k in range(0, len(stories), 10):
        yield "news", f"lee:{stories[k][0]}", "\n\n".join(text for _, text in stories[k:k + 10])


_WIKI_DROP = [re.compile(p, re.S) for p in (r"<ref[^>]*/>", r"<ref.*?</ref>", r"<!--.*?-->", r"<[^>]+>",
                                             r"\[\[(?:File|Image|Category):[^\]]*\]\]")]


def _unwiki(body: str) -> str:
    import html

    body = html.unescape(body)
    for pat in _WIKI_DROP:
        body = pat.sub("", body)
    while True:  # templates nest: drop innermost first
        body, n = re.subn(r"\{\{[^{}]*\}\}|\{\|[^{}]*?\|\}", "", body)
        if not n:
            break
    body = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", body)
    body = re.sub(r"\[https?://\S+ ([^\]]*)\]", r"\1", body)
    body = body.replace("'''", "").replace("''", "")
    return "\n".join(line for line in body.split("\n") if not line.startswith(("=", "*", "#", "|", "!", ":", ";")))


def wiki_pages(path: str | None):
    """(title, plain text) of each article of a bz2 MediaWiki dump."""
    if not path:
        return
    import bz2

    data = bz2.open(path, "rt", encoding="utf-8", errors="replace").read()
    for m in re.finditer(r"<title>(.*?)</title>.*?<text[^>]*>(.*?)</text>", data, re.S):
        if not m.group(2).lstrip().lower().startswith("#redirect"):
            yield m.group(1), _unwiki(m.group(2))


def fortune_sources(folder: str | None):
    """One text per fortunes file: each cookie a paragraph, attributions ("-- Author") dropped."""
    if not folder:
        return
    for name in FORTUNE_FILES:
        f = os.path.join(folder, name)
        if not os.path.isfile(f):
            continue
        cookies = open(f, encoding="utf-8", errors="replace").read().split("\n%\n")
        pars = [" ".join(x.strip() for x in c.split("\n") if x.strip() and not x.strip().startswith("--")) for c in cookies]
        yield "fortunes", f"fortunes:{name}", "\n\n".join(pars)


def sources(args):
    """Yield (source, group, text) for every clean file of every genre that is present."""
    yield from doc_sources()
    yield from news_sources(args.lee, args.exclude)
    for title, text in wiki_pages(args.wiki):
        yield "wiki", f"wiki:{title}", text
    yield from fortune_sources(args.fortunes)


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


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "detect-data"))
    ap.add_argument("--min-words", type=int, default=100)
    ap.add_argument("--max-words", type=int, default=400)
    ap.add_argument("--max-docs-per-source", type=int, default=400)
    ap.add_argument("--rate-range", default="0.05,0.6", help="spin rates are drawn uniformly from LO,HI")
    ap.add_argument("--families", default=",".join(FAMILIES), help="spinner families, drawn in turn")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--short-share", type=float, default=0.05, help="share of short paragraphs kept (default 0.05)")
    ap.add_argument("--jobs", type=int, default=2, help="processes that spin (default 2)")
    ap.add_argument("--all-wild", action="store_true", help="keep wild-dev articles shorter than --min-words")
    ap.add_argument("--lee", help="folder holding lee_background.cor and lee.cor (news)")
    ap.add_argument("--exclude", help="JSONL (field text) of clean news to keep out of every training set")
    ap.add_argument("--wiki", help="bz2 MediaWiki dump (encyclopedia)")
    ap.add_argument("--fortunes", default="/usr/share/games/fortunes" if os.path.isdir("/usr/share/games/fortunes")
                    else None, help="the fortunes package's folder (quotations)")
    ap.add_argument("--ppdb", default=os.path.join(ROOT, "..", "shared", "data", "ppdb", "ppdb-1.0-xl-lexical.txt"))
    args = ap.parse_args(argv)
    for path in (args.lee, args.exclude, args.wiki, args.fortunes):
        if path and not os.path.exists(path):
            ap.error(f"{path}: not found")
    return args


def collect_clean(args, rng: random.Random) -> tuple[dict[str, list[dict]], list[dict]]:
    """The clean documents of each source, and about 5% of the paragraphs too short for one."""
    by_source: dict[str, list[dict]] = collections.defaultdict(list)
    shorts: list[dict] = []
    seen_pars: set[str] = set()
    for source, group, text in sources(args):
        pars = [p for p in paragraphs(text) if p not in seen_pars]
        seen_pars.update(pars)
        if not pars:
            continue
        for d in documents(pars, args.min_words, args.max_words, rng):
            by_source[source].append({"group": group, "text": d, "source": source})
        for p in pars:
            if len(p.split()) < args.min_words and rng.random() < args.short_share:
                shorts.append({"group": group, "text": p, "source": source})
    return by_source, shorts


class Spinner:
    """Families in turn, rates uniform in a range, one consistent mapping per document; the
    draws are made in order here, the spinning (the slow part) in ``--jobs`` processes."""

    def __init__(self, args, rng: random.Random):
        from unspin.evaluation.spinners import load_ppdb

        self.families = args.families.split(",")
        unknown = set(self.families) - set(FAMILIES)
        if unknown:
            sys.exit(f"unknown spinner families {sorted(unknown)}; choose from {FAMILIES}")
        self.lo, self.hi = (float(x) for x in args.rate_range.split(","))
        self.ppdb_path = args.ppdb
        if "ppdb" in self.families:
            load_ppdb(args.ppdb)  # loaded once, before the workers fork
        self.rng = rng
        self.jobs = getattr(args, "jobs", 1)
        self.n = 0

    def plan(self, text: str) -> tuple:
        family = self.families[self.n % len(self.families)]
        self.n += 1
        return text, family, round(self.rng.uniform(self.lo, self.hi), 2), self.rng.randrange(1 << 30), self.ppdb_path

    def __call__(self, text: str) -> tuple[str, dict]:
        return spin_one(self.plan(text))

    def many(self, texts: list[str]) -> list[tuple[str, dict]]:
        plans = [self.plan(t) for t in texts]
        if self.jobs <= 1:
            return [spin_one(p) for p in plans]
        import multiprocessing as mp

        with mp.get_context("fork").Pool(self.jobs) as pool:
            return pool.map(spin_one, plans, chunksize=4)


def spin_one(plan: tuple) -> tuple[str, dict]:
    """One consistent spin of a text by (family, rate, seed); non-words undone."""
    from unspin.evaluation.spinners import load_ppdb, spin

    text, family, rate, seed, ppdb_path = plan
    ppdb = load_ppdb(ppdb_path) if family == "ppdb" else None
    spun, swaps = spin(text, rate, seed, family, memo={}, ppdb=ppdb, phrases=False)
    spun, fixed = repair_artifacts(spun, text)
    return spun, {"family": family, "kind": f"synthetic-{family}", "rate": rate,
                  "swaps": len(swaps) - fixed, "repaired": fixed}


def spin_documents(by_source: dict[str, list[dict]], args, spinner: Spinner) -> tuple[list[dict], list[dict]]:
    """Up to --max-docs-per-source clean documents of each source and one spin of each."""
    clean = []
    for source, docs in sorted(by_source.items()):
        spinner.rng.shuffle(docs)
        for i, d in enumerate(docs[: args.max_docs_per_source]):
            clean.append({"id": f"{source}-{i:04d}", "text": d["text"], "label": 0, "kind": "clean", "source": source,
                          "genre": genre_of(source), "group": d["group"], "split": _split_of(d["group"])})
    print(f"spinning {len(clean)} documents", file=sys.stderr, flush=True)
    synth = [dict(c, id=c["id"] + "-spun", text=spun, original=c["text"], label=1, **tags)
             for c, (spun, tags) in zip(clean, spinner.many([c["text"] for c in clean]))]
    return clean, synth


def spin_shorts(shorts: list[dict], spinner: Spinner) -> list[dict]:
    """Each short paragraph followed by its spin."""
    print(f"spinning {len(shorts)} short paragraphs", file=sys.stderr, flush=True)
    short = []
    for i, (d, (spun, tags)) in enumerate(zip(shorts, spinner.many([d["text"] for d in shorts]))):
        base = {"source": d["source"], "genre": genre_of(d["source"]), "group": d["group"],
                "split": _split_of(d["group"])}
        short.append({"id": f"short-{i:04d}", "text": d["text"], "label": 0, "kind": "clean", **base})
        short.append({"id": f"short-{i:04d}-spun", "text": spun, "original": d["text"], "label": 1, **tags, **base})
    return short


def heldout_news(path: str | None) -> list[dict]:
    """The --exclude news as clean evaluation rows (in no training set)."""
    if not path:
        return []
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [{"id": f"heldout-{r.get('id', k)}", "text": r["text"], "label": 0, "kind": "clean", "source": "news-heldout",
             "genre": "news", "group": "news-heldout", "split": "heldout"} for k, r in enumerate(rows)]


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
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    by_source, shorts = collect_clean(args, rng)
    spinner = Spinner(args, rng)
    clean, synth = spin_documents(by_source, args, spinner)
    short = spin_shorts(shorts, spinner)
    wild = wild_articles(args.min_words, args.all_wild)
    held = heldout_news(args.exclude)

    for name, rows in (("clean", clean), ("synthetic", synth), ("short", short), ("wild", wild),
                       ("news-heldout", held)):
        write_jsonl(os.path.join(args.out, f"{name}.jsonl"), rows)
    # The evaluation set: the test split (clean and spun) and the wild-dev articles.
    write_jsonl(os.path.join(args.out, "eval.jsonl"), [r for r in clean + synth if r["split"] == "test"] + wild)
    counts = collections.Counter((r["split"], r.get("genre", "wild"), r["kind"]) for r in clean + synth + wild)
    print(json.dumps({"out": args.out, "counts": {"/".join(k): n for k, n in sorted(counts.items())},
                      "sources": {s: min(len(d), args.max_docs_per_source) for s, d in by_source.items()},
                      "short": len(short), "news_heldout": len(held)}, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
