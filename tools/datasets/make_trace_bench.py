#!/usr/bin/env python3
"""Make the hard trace benchmark of ``benchmarks/bench_trace_peers.py``: news sources, distractors
that share their topic and vocabulary, and spun queries of many kinds (development tooling only).

Sources are the paragraphs of the Lee news corpus (``--lee``, one article a line, e.g.
``gensim/test/test_data/lee_background.cor`` and ``lee.cor`` from the gensim wheel) and the
originals of the wild-dev pairs (``--wild``). Every paragraph of every article is indexed, so the
other paragraphs of a query's own article are distractors on the same story. Added distractors:

* ``twin``: each Lee paragraph with one fact changed (a number, else a name, else a weekday, else
  a content word: a noun, verb or adjective replaced by a frequent non-synonym of the same tags);
* ``spin-other``: spins of the Lee paragraphs that are *not* query sources (``wordnet`` and
  ``ppdb`` styles, 20-60 %), so spun-looking news competes with the right answer;
* ``retold`` (``--retold``, the default since 2026-12-07): for each query source, another
  outlet's version of the same story, simulated because no offline corpus holds several outlets'
  versions of one story: the same facts (names and numbers kept, quotations kept word for word),
  other paragraphing (one sentence of a sibling paragraph added, one sentence dropped from a
  paragraph of three or more, two neighbouring sentences swapped) and other wording (the text
  outside quotations spun at 50 % in a style other than the query's). It is made with its own
  random stream, so the other documents and the queries are those of ``--no-retold``.

Queries (each with ``gold``, the ids that must be found):

* ``spin``: ``--sources`` query paragraphs (one per article at most), each spun at 20, 40, 60, 80
  and 100 % of its content words by :mod:`unspin.evaluation.spinners` (consistent; the style
  cycles moby, wordnet, ppdb, context over the sources);
* ``phrase``: the spinners' phrase table plus multi-word Moby alternatives of half the eligible
  words ("death" -> "loss of life");
* ``partial``: a 40 % spin placed inside a page of 4-6 unrelated paragraphs (``--pages``, JSONL
  documents; their ids are listed in ``page_ids`` so the benchmark keeps them out of its index);
* ``mosaic``: the first half of one 40 % spin followed by the second half of another's (two gold
  ids);
* ``wild``: the real spun paragraphs of wild-dev, gold = their original.

Writes ``DIR/docs.jsonl`` (id, text, kind) and ``DIR/queries.jsonl``. Seeded: the same arguments
give the same files. Spinning is slow (moby ~0.7 s, context ~1.7 s a paragraph), so ``--jobs``
spreads it over processes.

Usage::

    G=/tmp/gs/gensim/test/test_data
    python -m tools.datasets.make_trace_bench --lee $G/lee_background.cor --lee $G/lee.cor \\
        --wild ../shared/data/wild-dev/pairs.jsonl --pages /tmp/unspin-distractors.jsonl -o /tmp/tracebench
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import sys
from multiprocessing import Pool

from tools.datasets.make_distractors import lee_articles

RATES = (0.2, 0.4, 0.6, 0.8, 1.0)
STYLES = ("moby", "wordnet", "ppdb", "context")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}\b")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def read_articles(paths: list[str]) -> list[list[str]]:
    """The Lee articles' paragraphs, a paragraph seen before (in any article) dropped."""
    seen: set[str] = set()
    articles = []
    for path in paths:
        for paragraphs in lee_articles(path):
            kept = [p for p in paragraphs if _norm(p) not in seen]
            seen.update(_norm(p) for p in kept)
            if kept:
                articles.append(kept)
    return articles


def change_fact(text: str, names: list[str], rng: random.Random) -> str:
    """``text`` with one fact changed: a number, else a name, else a weekday, else a content word
    (:func:`change_word`)."""
    nums = list(_NUMBER.finditer(text))
    if nums:
        m = rng.choice(nums)
        digits = [c for c in m.group() if c.isdigit()]
        i = max(j for j, c in enumerate(m.group()) if c.isdigit())
        new = str((int(m.group()[i]) + rng.randint(1, 8)) % 10)
        if len(digits) == 1 and new == "0":
            new = "9"
        return text[:m.start() + i] + new + text[m.start() + i + 1:]
    found = list(_NAME.finditer(text))
    if found:
        m = rng.choice(found)
        other = rng.choice([n for n in names if n != m.group()])
        return text[:m.start()] + other + text[m.end():]
    for day in _DAYS:
        if day in text:
            return text.replace(day, rng.choice([d for d in _DAYS if d != day]), 1)
    # No number, name or weekday: one content word replaced by another of the same kind. The one
    # draw from ``rng`` is the one the older version made (it dropped the word at that position),
    # so the stream, and with it every other twin, the sources picked and the queries, is unchanged.
    at = rng.randrange(len(text.split()))
    return change_word(text, at, random.Random(f"{at} {text}"))


_CORE = re.compile(r"[\"'(\[]*([A-Za-z]+)[^A-Za-z]*")
_CONTENT_TAG = re.compile(r"NN|VB|JJ")  # noun, verb, adjective (adverbs only alongside one)


def _tags(word: str) -> frozenset[str]:
    from unspin.lang.morph import analyses

    return frozenset(tag for _upos, _lemma, tag in analyses(word) if tag[:2] in ("NN", "VB", "JJ", "RB"))


def _is_content(word: str) -> bool:
    from unspin.lang.words import CONTRACTIONS, FUNCTION_WORDS, QUANTIFIERS

    return (len(word) > 2 and word not in FUNCTION_WORDS and word not in QUANTIFIERS
            and word not in CONTRACTIONS and any(_CONTENT_TAG.match(t) for t in _tags(word)))


@functools.lru_cache(maxsize=1)
def _pool() -> dict[frozenset[str], list[str]]:
    """The 20,000 most frequent English words (wordfreq) that are content words, by their set of
    Penn tags, the shipped blocklist's terms left out: the replacements a twin's changed word is
    drawn from."""
    from wordfreq import top_n_list

    from unspin.lang.lexicon import shipped_blocklist

    blocked = shipped_blocklist()
    pool: dict[frozenset[str], list[str]] = {}
    for w in top_n_list("en", 20_000):
        if w.isalpha() and w.isascii() and w not in blocked and _is_content(w):
            pool.setdefault(_tags(w), []).append(w)
    return pool


def _related(a: str, b: str) -> bool:
    """Same lemma, or linked in the thesaurus (either way): a synonym, not a changed fact."""
    from unspin.lang.lexicon import get_lexicon
    from unspin.lang.morph import analyses

    lex = get_lexicon()
    if {lem for _u, lem, _t in analyses(a)} & {lem for _u, lem, _t in analyses(b)}:
        return True
    return any(t == b for t, _f in lex.originals(a)) or any(t == a for t, _f in lex.originals(b))


def change_word(text: str, at: int, rng: random.Random) -> str:
    """``text`` with one content word (a noun, verb or adjective, never a function word) replaced
    by a frequent word with the same parts of speech (the same Penn tags) that is not its synonym:
    the content word nearest the ``at``-th word (lower case preferred, a capitalised one only when
    there is none), the replacement drawn with ``rng``. Unchanged when the text has no content
    word with a replacement."""
    from unspin.lang.words import match_case

    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    found = []
    for i, (a, b) in enumerate(spans):
        m = _CORE.fullmatch(text, a, b)
        if m and _is_content(m.group(1).lower()):
            found.append((not m.group(1).islower(), abs(i - at), i, m.start(1), m.end(1)))
    for _cap, _dist, _i, a, b in sorted(found):
        word = text[a:b].lower()
        options = [w for w in _pool().get(_tags(word), ()) if not _related(word, w)]
        if options:
            return text[:a] + match_case(rng.choice(options), text[a:b]) + text[b:]
    return text


def phrase_swap(text: str, rng: random.Random) -> str:
    """Every phrase of the spinners' table swapped, and half the words that have a multi-word
    Moby alternative replaced by one."""
    from unspin.evaluation.spinners import PHRASES, synonyms
    from unspin.lang.tokenize import tokenize

    tokens = tokenize(text)
    out, pos, i = [], 0, 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.text.lower()
        two = f"{low} {tokens[i + 1].text.lower()}" if i + 1 < len(tokens) else None
        n, options = 1, []
        if two in PHRASES:
            n, options = 2, PHRASES[two]
        elif low in PHRASES:
            options = PHRASES[low]
        elif tok.text.islower() and len(low) > 3 and rng.random() < 0.5:
            options = [s for s in synonyms(low, "moby") if " " in s and s.split()[0] not in ("a", "an", "the")]
        if options:
            out += [text[pos:tok.start], rng.choice(sorted(options))]
            pos = tokens[i + n - 1].end
        i += n
    out.append(text[pos:])
    return "".join(out)


def _spin_job(job: tuple[str, float, str, int]) -> str:
    from unspin.evaluation.spinners import load_ppdb, spin

    text, rate, style, seed = job
    return spin(text, rate, seed, style, memo={}, ppdb=load_ppdb() if style == "ppdb" else None)[0]


def spin_all(jobs: list[tuple[str, float, str, int]], n_proc: int) -> list[str]:
    if n_proc <= 1:
        return [_spin_job(j) for j in jobs]
    with Pool(n_proc) as pool:
        return pool.map(_spin_job, jobs, chunksize=4)


_QUOTE = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d')


def retell_plan(text: str, siblings: list[str], rng: random.Random) -> str:
    """The sentences of another outlet's paragraph on the same facts, before its rewording: one
    sentence of a sibling paragraph added, one dropped when there are three or more, two
    neighbours swapped."""
    from unspin.lang.tokenize import sentence_spans

    sents = [text[a:b].strip() for a, b in sentence_spans(text) if text[a:b].strip()]
    if len(sents) >= 3:
        del sents[rng.randrange(1, len(sents))]
    extra = [s for sib in siblings for a, b in sentence_spans(sib) if len(s := sib[a:b].strip().split()) >= 5]
    if extra:
        sents.insert(rng.randint(0, len(sents)), " ".join(rng.choice(extra)))
    if len(sents) >= 2:
        i = rng.randrange(len(sents) - 1)
        sents[i], sents[i + 1] = sents[i + 1], sents[i]
    return " ".join(sents)


def _retell_job(job: tuple[str, str, int]) -> str:
    """``text`` reworded outside its quotations (kept word for word) at 50 % in ``style``, one
    consistent mapping for the whole text."""
    from unspin.evaluation.spinners import load_ppdb, spin

    text, style, seed = job
    memo: dict = {}
    ppdb = load_ppdb() if style == "ppdb" else None
    out, pos = [], 0
    for k, m in enumerate(list(_QUOTE.finditer(text)) + [None]):
        end = m.start() if m else len(text)
        if end > pos:
            out.append(spin(text[pos:end], 0.5, seed + k, style, memo=memo, ppdb=ppdb)[0])
        if m:
            out.append(m.group())
            pos = m.end()
    return "".join(out)


def make_retold(sources: list[dict], lee_docs: list[dict], seed: int, n_proc: int) -> list[dict]:
    """The ``retold`` distractors: one per query source, from its own random stream."""
    rng = random.Random(f"retold {seed}")
    by_article: dict[int, list[str]] = {}
    for d in lee_docs:
        by_article.setdefault(d["article"], []).append(d["text"])
    jobs = []
    for i, d in enumerate(sources):
        siblings = [t for t in by_article[d["article"]] if t != d["text"]]
        style = rng.choice([s for s in STYLES if s != STYLES[i % len(STYLES)]])
        jobs.append((retell_plan(d["text"], siblings, rng), style, seed * 104_729 + 100 * i))
    if n_proc <= 1:
        out = [_retell_job(j) for j in jobs]
    else:
        with Pool(n_proc) as pool:
            out = pool.map(_retell_job, jobs, chunksize=4)
    return [{"id": d["id"] + "-retold", "text": t, "kind": "retold", "article": d["article"],
             "style": job[1]} for d, t, job in zip(sources, out, jobs)]


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def make_docs(articles: list[list[str]], wild: list[dict], rng: random.Random):
    """Index documents (id, text, kind, article) and the wild-dev originals' ids by pair id."""
    docs = []
    for a, paragraphs in enumerate(articles):
        for p, text in enumerate(paragraphs):
            docs.append({"id": f"lee{a:03d}-p{p:02d}", "text": text, "kind": "source", "article": a})
    names = sorted({m.group() for d in docs for m in _NAME.finditer(d["text"])})
    for d in list(docs):
        docs.append({"id": d["id"] + "-twin", "text": change_fact(d["text"], names, rng), "kind": "twin",
                     "article": d["article"]})
    wild_ids: dict[str, str] = {}
    by_text: dict[str, str] = {}
    for r in wild:
        key = _norm(r["original"])
        if key not in by_text:
            by_text[key] = f"wild-{r['id']}"
            docs.append({"id": by_text[key], "text": r["original"], "kind": "wild-original"})
        wild_ids[r["id"]] = by_text[key]
    return docs, wild_ids


def halves(text: str) -> tuple[str, str]:
    words = text.split()
    return " ".join(words[:len(words) // 2]), " ".join(words[len(words) // 2:])


def make_queries(sources: list[dict], spun: dict, pages: list[dict], wild: list[dict], wild_ids: dict,
                 rng: random.Random, n_extra: int) -> list[dict]:
    queries = []
    for i, d in enumerate(sources):
        for rate in RATES:
            queries.append({"id": f"q-{d['id']}-{STYLES[i % 4]}-{int(rate * 100)}", "kind": "spin",
                            "style": STYLES[i % 4], "rate": rate, "text": spun[d["id"], rate], "gold": [d["id"]]})
    extra = sources[:n_extra]
    for d in extra:
        queries.append({"id": f"q-{d['id']}-phrase", "kind": "phrase", "text": phrase_swap(d["text"], rng),
                        "gold": [d["id"]]})
    for d in extra:
        chosen = rng.sample(pages, rng.randint(4, 6))
        at = rng.randint(1, len(chosen) - 1)
        parts = [p["text"] for p in chosen[:at]] + [spun[d["id"], 0.4]] + [p["text"] for p in chosen[at:]]
        queries.append({"id": f"q-{d['id']}-partial", "kind": "partial", "text": "\n\n".join(parts),
                        "gold": [d["id"]], "page_ids": [p["id"] for p in chosen]})
    for j, d in enumerate(extra):
        other = extra[(j + 1) % len(extra)]
        text = halves(spun[d["id"], 0.4])[0] + " " + halves(spun[other["id"], 0.4])[1]
        queries.append({"id": f"q-{d['id']}-mosaic", "kind": "mosaic", "text": text, "gold": [d["id"], other["id"]]})
    for r in wild:
        queries.append({"id": f"q-wild-{r['id']}", "kind": "wild", "text": r["spun"], "gold": [wild_ids[r["id"]]]})
    return queries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lee", action="append", required=True, help="Lee corpus file (one article a line)")
    ap.add_argument("--wild", required=True, help="wild-dev pairs.jsonl (id, spun, original)")
    ap.add_argument("--pages", required=True,
                    help="JSONL documents (id, text) to build the unrelated pages of partial copies from")
    ap.add_argument("-o", "--output", default="/tmp/tracebench", help="output folder")
    ap.add_argument("--sources", type=int, default=160, help="query sources (spun at every rate)")
    ap.add_argument("--extra", type=int, default=80, help="sources also used for phrase/partial/mosaic queries")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--jobs", type=int, default=2, help="spinning processes")
    ap.add_argument("--retold", action=argparse.BooleanOptionalAction, default=True,
                    help="add another outlet's (simulated) version of each query source (default: yes)")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    articles = read_articles(args.lee)
    wild = read_jsonl(args.wild)
    docs, wild_ids = make_docs(articles, wild, rng)
    lee_docs = [d for d in docs if d["kind"] == "source"]
    # One query source per article, so the other paragraphs of its story stay plain distractors.
    picked = rng.sample(range(len(articles)), min(args.sources, len(articles)))
    sources = [rng.choice([d for d in lee_docs if d["article"] == a]) for a in picked]
    source_ids = {d["id"] for d in sources}
    others = [d for d in lee_docs if d["id"] not in source_ids]

    jobs = [(d["text"], rate, STYLES[i % 4], args.seed * 1_000_003 + i * 10 + k)
            for i, d in enumerate(sources) for k, rate in enumerate(RATES)]
    jobs += [(d["text"], rng.choice((0.2, 0.4, 0.6)), ("wordnet", "ppdb")[k], args.seed * 7919 + 2 * j + k)
             for j, d in enumerate(others) for k in range(2)]
    print(f"spinning {len(jobs)} texts with {args.jobs} processes ...", file=sys.stderr)
    out = spin_all(jobs, args.jobs)
    spun = {(d["id"], rate): out[i * len(RATES) + k] for i, d in enumerate(sources) for k, rate in enumerate(RATES)}
    rest = out[len(sources) * len(RATES):]
    for j, d in enumerate(others):
        for k in range(2):
            docs.append({"id": f"{d['id']}-spin{k}", "text": rest[2 * j + k], "kind": "spin-other",
                         "article": d["article"]})

    if args.retold:
        docs += make_retold(sources, lee_docs, args.seed, args.jobs)

    pages = [r for r in read_jsonl(args.pages) if not str(r.get("source", "")).startswith("lee")]
    pages = rng.sample(pages, min(2000, len(pages)))
    queries = make_queries(sources, spun, pages, wild, wild_ids, rng, args.extra)
    os.makedirs(args.output, exist_ok=True)
    for name, rows in (("docs.jsonl", docs), ("queries.jsonl", queries)):
        with open(os.path.join(args.output, name), "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(docs)} documents and {len(queries)} queries to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
