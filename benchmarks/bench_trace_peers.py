#!/usr/bin/env python3
"""Trace against its peers on a hard benchmark: same documents, same queries, same run.

Systems: unspin trace (``unspin.tracing``), TF-IDF cosine by brute force (scikit-learn), BM25
(``bm25s``), MinHash of word 3-shingles by brute force and MinHash-LSH at two thresholds
(``datasketch``). Install the peers with ``pip install -e '.[bench]'``.

The data comes from ``tools/datasets/make_trace_bench.py`` (``--data DIR``: ``docs.jsonl`` and
``queries.jsonl``): news sources, distractors on the same stories (other paragraphs of the same
article, a copy with one fact changed, spins of other sources) and queries of many kinds. For each
``--sizes`` value the index is that hard set topped up with ``--filler`` documents (e.g. the
``make_distractors`` output; its ``lee*`` rows, copies of the sources, and the paragraphs used for
the partial-copy pages are skipped).

Scores: recall@1 and recall@5 of the query's source, per query kind and per spin rate; for a
mosaic (two sources) a hit@1 is both sources in the top 2, a hit@5 both in the top 5. Timings
(one CPU core, single-threaded numpy): index build seconds, index size, median and p95 query
ms. Quality figures are exact and seeded; timings depend on the machine's load.

Usage::

    python benchmarks/bench_trace_peers.py --data /tmp/tracebench \\
        --filler /tmp/unspin-distractors.jsonl --sizes 5000,50000 > /tmp/tracebench/result.json

Prints one JSON object (``--markdown`` adds the tables of docs/trace.md on stderr).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import pickle  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

_WORD = re.compile(r"\w+")
NUM_PERM = 128


class Unspin:
    """unspin trace on an index file, opened and loaded once."""

    name = "unspin trace"

    def build(self, ids: list[str], texts: list[str]) -> None:
        from unspin.tracing.index import Index, build
        from unspin.tracing.sources import Source

        self._dir = tempfile.mkdtemp(prefix="bench-peers-")
        self._path = os.path.join(self._dir, "bench.index")
        build(self._path, (("bench", Source(id=i, text=t)) for i, t in zip(ids, texts)), force=True)
        self._idx = Index.open(self._path)
        self._idx.load()
        self._row = {i: n for n, i in enumerate(ids)}

    def size(self) -> int:
        return os.path.getsize(self._path)

    def query(self, text: str, k: int) -> list[int]:
        from unspin.tracing.search import trace

        return [self._row[m.id] for m in trace(text, self._idx, k, evidence=False)]

    def close(self) -> None:
        self._idx.close()
        os.unlink(self._path)
        os.rmdir(self._dir)


def _top(scores: np.ndarray, k: int) -> list[int]:
    """The ``k`` best rows by score, best first; rows scoring 0 are no match."""
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [int(i) for i in top if scores[i] > 0]


class TfIdf:
    name = "TF-IDF cosine (brute force)"

    def build(self, ids, texts) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vec = TfidfVectorizer(sublinear_tf=True, dtype=np.float32)
        self._X = self._vec.fit_transform(texts).tocsr()

    def size(self) -> int:
        X = self._X
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes + len(pickle.dumps(self._vec))

    def query(self, text, k):
        q = self._vec.transform([text])
        return _top((self._X @ q.T).toarray().ravel(), k)


class BM25:
    name = "BM25 (bm25s)"

    def build(self, ids, texts) -> None:
        import bm25s

        self._bm25s = bm25s
        self._r = bm25s.BM25()
        self._r.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)

    def size(self) -> int:
        with tempfile.TemporaryDirectory(prefix="bench-bm25-") as d:
            self._r.save(d)
            return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))

    def query(self, text, k):
        toks = self._bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)
        if not toks[0]:
            return []
        docs, scores = self._r.retrieve(toks, k=k, show_progress=False)
        return [int(d) for d, s in zip(docs[0], scores[0]) if s > 0]


def shingles(text: str) -> list[bytes]:
    """Lower-cased word 3-shingles (the words themselves for a text under three words)."""
    w = _WORD.findall(text.lower())
    grams = [" ".join(w[i:i + 3]) for i in range(len(w) - 2)] or w or [""]
    return [g.encode() for g in grams]


def minhash(text: str):
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch(shingles(text))
    return m


class MinHashBrute:
    name = "MinHash 3-shingles (brute force)"

    def build(self, ids, texts) -> None:
        self._H = np.stack([minhash(t).hashvalues for t in texts])

    def size(self) -> int:
        return self._H.nbytes

    def query(self, text, k):
        q = minhash(text).hashvalues
        return _top((self._H == q).mean(axis=1), k)


class MinHashLSH:
    """LSH candidates, ranked by their estimated Jaccard (the signatures are kept for that)."""

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.name = f"MinHash-LSH threshold {threshold}"

    def build(self, ids, texts) -> None:
        from datasketch import MinHashLSH as LSH

        self._lsh = LSH(threshold=self.threshold, num_perm=NUM_PERM)
        hashes = []
        with self._lsh.insertion_session() as session:
            for n, t in enumerate(texts):
                m = minhash(t)
                session.insert(n, m, check_duplication=False)
                hashes.append(m.hashvalues)
        self._H = np.stack(hashes)

    def size(self) -> int:
        return len(pickle.dumps(self._lsh)) + self._H.nbytes

    def query(self, text, k):
        m = minhash(text)
        cand = np.fromiter(self._lsh.query(m), dtype=np.int64)
        if not len(cand):
            return []
        sims = (self._H[cand] == m.hashvalues).mean(axis=1)
        return [int(cand[i]) for i in _top(sims, k)]


def make_systems(names: list[str], thresholds: list[float]) -> list:
    table = {"unspin": [Unspin], "tfidf": [TfIdf], "bm25": [BM25], "minhash": [MinHashBrute],
             "lsh": [lambda t=t: MinHashLSH(t) for t in thresholds]}
    return [make() for n in names for make in table[n]]


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def originals_of_spun(rows: list[dict], reserved: set[str], min_jaccard: float = 0.5) -> set[str]:
    """Ids of filler rows that a reserved ``*-spun`` page paragraph is a spin of (by the word sets'
    Jaccard similarity): a page holding that spin really copies them, so they stay out of the
    index as the page paragraphs themselves do."""
    spun = [_words(r["text"]) for r in rows if r["id"] in reserved and str(r.get("source", "")).endswith("-spun")]
    if not spun:
        return set()
    by_word: dict[str, list[int]] = {}
    for i, ws in enumerate(spun):
        for w in ws:
            by_word.setdefault(w, []).append(i)
    out = set()
    for r in rows:
        if r["id"] in reserved:
            continue
        ws = _words(r["text"])
        near = {i for w in ws for i in by_word.get(w, ())}
        if any(len(ws & spun[i]) >= min_jaccard * len(ws | spun[i]) for i in near):
            out.add(r["id"])
    return out


def corpus(docs: list[dict], filler_path: str | None, size: int, reserved: set[str]) -> tuple[list[str], list[str]]:
    """The hard documents topped up to ``size`` with filler rows (ids prefixed ``filler:``)."""
    ids = [d["id"] for d in docs]
    texts = [d["text"] for d in docs]
    if filler_path and len(ids) < size:
        rows = read_jsonl(filler_path)
        reserved = reserved | originals_of_spun(rows, reserved)
        for row in rows:
            if str(row.get("source", "")).startswith("lee") or row["id"] in reserved:
                continue
            ids.append(f"filler:{row['id']}")
            texts.append(row["text"])
            if len(ids) >= size:
                break
    return ids, texts


def only_a_word_dropped(source: str, twin: str) -> bool:
    """Whether ``twin`` is ``source`` less one word: what ``make_trace_bench.change_fact`` made of
    a paragraph with no number, name or weekday until 2026-12-07 (it now changes a content word,
    so sets made since have none). Such a twin is a near-copy of its source (often only "the" or
    "and" is gone), so its source's spin queries measure a coin toss more than tracing; the
    results list the spin rates without them too (for sets made before)."""
    a, b = source.split(), twin.split()
    return len(b) == len(a) - 1 and any(a[:i] + a[i + 1:] == b for i in range(len(a)))


def groups_of(q: dict, near_copy_twins: frozenset[str] = frozenset()) -> list[str]:
    """The result rows a query counts in (``near_copy_twins``: the sources whose twin only lost a
    word, see :func:`only_a_word_dropped`)."""
    if q["kind"] == "spin":
        rate = int(q["rate"] * 100)
        out = [f"spin {rate}%", f"spin {rate}% {q['style']}"]
        if q["gold"][0] not in near_copy_twins:
            out.append(f"spin {rate}% fact-twin")
        return out
    return [q["kind"]]


def hits(ranked: list[str], gold: list[str]) -> tuple[bool, bool]:
    """(hit@1, hit@5): every gold id within the top len(gold), resp. the top 5."""
    return set(gold) <= set(ranked[:len(gold)]), set(gold) <= set(ranked[:5])


def miss_label(top: str, gold: list[str], meta: dict[str, dict]) -> str:
    """What a missed query's first result is: the gold source's ``twin`` or ``retold`` version,
    another paragraph of the ``same story`` (or a version of one), another story's ``source``,
    ``twin (other story)``, ``retold (other story)``, ``spin-other`` or ``wild-original``, or
    ``filler``."""
    d = meta.get(top)
    if d is None:
        return "filler"
    kind = d.get("kind", "source")
    if kind in ("twin", "retold") and top.rsplit("-", 1)[0] in gold:
        return kind
    gold_articles = {meta[g].get("article") for g in gold if g in meta} - {None}
    if d.get("article") is not None and d["article"] in gold_articles:
        return "same story"
    return f"{kind} (other story)" if kind in ("twin", "retold") else kind


def run_system(system, ids: list[str], texts: list[str], queries: list[dict],
               near_copy_twins: frozenset[str] = frozenset(), meta: dict[str, dict] | None = None) -> dict:
    t = time.perf_counter()
    system.build(ids, texts)
    build_s = time.perf_counter() - t
    size = system.size()
    per_group: dict[str, list[tuple[bool, bool]]] = {}
    lat = []
    first_on_miss: dict[str, int] = {}
    for q in queries:
        t = time.perf_counter()
        rows = system.query(q["text"], 5)
        lat.append((time.perf_counter() - t) * 1000)
        ranked = [ids[r] for r in rows]
        h = hits(ranked, q["gold"])
        for g in groups_of(q, near_copy_twins) + ["all"]:
            per_group.setdefault(g, []).append(h)
        if q["kind"] == "spin" and not h[0]:
            label = miss_label(ranked[0], q["gold"], meta or {}) if ranked else "nothing"
            first_on_miss[label] = first_on_miss.get(label, 0) + 1
    if hasattr(system, "close"):
        system.close()
    lat.sort()
    return {
        "build_seconds": round(build_s, 2), "index_bytes": size,
        "query_ms_median": round(statistics.median(lat), 2), "query_ms_p95": round(lat[int(0.95 * (len(lat) - 1))], 2),
        "recall": {g: {"n": len(v), "@1": round(sum(a for a, _ in v) / len(v), 4),
                       "@5": round(sum(b for _, b in v) / len(v), 4)} for g, v in sorted(per_group.items())},
        "spin_misses_first": dict(sorted(first_on_miss.items(), key=lambda kv: -kv[1])),
    }


def _group_order(g: str):
    """Spin rows by rate (then style), the other kinds after them."""
    return (0, int(g.split()[1][:-1]), g) if g.startswith("spin") else (1, 0, g)


def target_line(res: dict) -> str:
    """Issue 14's target per spin rate: unspin's recall@1 minus the best peer's."""
    systems = res["systems"]
    if Unspin.name not in systems or len(systems) < 2:
        return "(the target line needs unspin trace and at least one peer in the same run)"
    parts = []
    for g in sorted((g for g in systems[Unspin.name]["recall"] if g.startswith("spin") and g.count(" ") == 1),
                    key=_group_order):
        best = max((s for s in systems if s != Unspin.name), key=lambda s: systems[s]["recall"][g]["@1"])
        delta = systems[Unspin.name]["recall"][g]["@1"] - systems[best]["recall"][g]["@1"]
        parts.append(f"{g.split()[1]} {delta:+.3f} ({best})")
    return "unspin recall@1 minus the best peer's, per spin rate: " + "; ".join(parts)


def markdown(report: dict) -> str:
    """The tables of docs/trace.md: recall per query kind, then cost, per index size."""
    out = []
    for size, res in report["sizes"].items():
        systems = list(res["systems"])
        groups = sorted(res["systems"][systems[0]]["recall"], key=_group_order)
        out.append(f"\n#### {res['documents']:,} documents\n")
        out.append("| queries | n | " + " | ".join(systems) + " |")
        out.append("|---|---|" + "---|" * len(systems))
        for g in groups:
            cells = [res["systems"][s]["recall"][g] for s in systems]
            out.append(f"| {g} | {cells[0]['n']} | " + " | ".join(f"{c['@1']:.3f} ({c['@5']:.3f})" for c in cells) + " |")
        out.append("\n" + target_line(res))
        out.append("\nWhat ranked first when a spin query missed: " + "; ".join(
            f"{s}: " + (", ".join(f"{k} {n}" for k, n in res["systems"][s].get("spin_misses_first", {}).items()) or "none")
            for s in systems))
        out.append("\n| system | build s | index MB | median ms | p95 ms |\n|---|---|---|---|---|")
        for s in systems:
            r = res["systems"][s]
            out.append(f"| {s} | {r['build_seconds']} | {r['index_bytes'] / 1e6:.1f} | {r['query_ms_median']} | {r['query_ms_p95']} |")
    return "\n".join(out)


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="folder written by tools/datasets/make_trace_bench.py")
    ap.add_argument("--filler", help="JSONL documents to top the index up with (make_distractors output)")
    ap.add_argument("--sizes", default="5000", help="comma-separated index sizes (default 5000)")
    ap.add_argument("--systems", default="unspin,tfidf,bm25,minhash,lsh",
                    help="comma-separated, from unspin, tfidf, bm25, minhash, lsh")
    ap.add_argument("--lsh-thresholds", default="0.1,0.3", help="MinHash-LSH Jaccard thresholds")
    ap.add_argument("--core", type=int, default=0, help="CPU core to pin to (default 0; -1: no pinning)")
    ap.add_argument("--markdown", action="store_true", help="also print the markdown tables on stderr")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.core >= 0 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.core})
    docs = read_jsonl(os.path.join(args.data, "docs.jsonl"))
    queries = read_jsonl(os.path.join(args.data, "queries.jsonl"))
    reserved = {p for q in queries for p in q.get("page_ids", ())}
    text_of = {d["id"]: d["text"] for d in docs}
    meta = {d["id"]: d for d in docs}
    near_copy_twins = frozenset(i for i in text_of if i + "-twin" in text_of
                                and only_a_word_dropped(text_of[i], text_of[i + "-twin"]))
    from unspin.tracing.signatures import term_table

    term_table()  # the per-process lexicon table, built or read once, outside every timing
    report = {"data": os.path.abspath(args.data), "queries": len(queries), "sizes": {}}
    for size in (int(s) for s in args.sizes.split(",")):
        ids, texts = corpus(docs, args.filler, size, reserved)
        res = {"documents": len(ids), "systems": {}}
        for system in make_systems(args.systems.split(","), [float(t) for t in args.lsh_thresholds.split(",")]):
            res["systems"][system.name] = run_system(system, ids, texts, queries, near_copy_twins, meta)
            print(f"{len(ids)} docs: {system.name} done", file=sys.stderr)
        report["sizes"][str(size)] = res
    print(json.dumps(report, indent=1))
    if args.markdown:
        print(markdown(report), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
