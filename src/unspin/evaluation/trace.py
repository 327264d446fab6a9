"""Trace quality on labelled spun queries: recall@1, recall@5, MRR and latency.

The originals of the ``--pairs`` files (JSONL: ``id``, ``spun``, ``original``) are indexed under
their ids (an original seen twice is indexed once, and either query's answer is it), together
with any further sources and, optionally, a prebuilt index of distractors (copied, left
unchanged). Each spun text, and each record of the ``--queries`` files (``text`` or ``spun``,
``source_id``), is traced; a query scores by the rank of its true source.

>>> summary([1, 2, 0, 1])
{'queries': 4, 'recall@1': 0.5, 'recall@5': 0.75, 'mrr': 0.625}
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field

from ..errors import UnspinError
from ..inputs.textio import iter_jsonl, progress
from ..tracing.index import Index, build
from ..tracing.search import trace
from ..tracing.sources import Source, iter_sources


@dataclass
class TraceQueries:
    """What an evaluation indexes and asks: the originals (``(where, Source)``), the queries
    ``(query id, text, true source id, family)``, and how many duplicate originals were merged."""
    sources: list[tuple[str, Source]] = field(default_factory=list)
    queries: list[tuple[str, str, str, str]] = field(default_factory=list)
    deduplicated: int = 0


def _norm_text(t: str) -> str:
    return " ".join(t.replace("’", "'").replace("“", '"').replace("”", '"').split())


def load_queries(pair_paths: list[str], query_paths: list[str]) -> TraceQueries:
    """Originals and queries from pair files (id, spun, original) and query files (text or spun,
    source_id), in that order."""
    out = TraceQueries()
    by_text: dict[str, str] = {}
    for path in pair_paths:
        for lineno, obj in iter_jsonl(path):
            where = f"{path}:{lineno}"
            pid = obj.get("id")
            if pid in (None, ""):
                raise UnspinError(f"{where}: pair has no 'id'")
            spun, orig = obj.get("spun"), obj.get("original")
            if not isinstance(spun, str) or not isinstance(orig, str):
                raise UnspinError(f"{where}: pair needs 'spun' and 'original' strings")
            key = _norm_text(orig)
            truth = by_text.get(key)
            if truth is None:
                truth = by_text[key] = str(pid)
                out.sources.append((where, Source(id=str(pid), text=orig, url=obj.get("original_url"))))
            else:
                out.deduplicated += 1
            out.queries.append((str(pid), spun, truth, str(obj.get("family", ""))))
    for path in query_paths:
        for lineno, obj in iter_jsonl(path):
            text = obj.get("text", obj.get("spun"))
            sid = obj.get("source_id")
            if not isinstance(text, str) or sid in (None, ""):
                raise UnspinError(f"{path}:{lineno}: query needs 'text' (or 'spun') and 'source_id'")
            out.queries.append((str(obj.get("id", f"{path}:{lineno}")), text, str(sid), str(obj.get("family", ""))))
    return out


def summary(ranks: list[int]) -> dict:
    """Recall@1, recall@5 and MRR of the ranks of the true sources (0: not found)."""
    n = len(ranks)
    return {
        "queries": n,
        "recall@1": round(sum(r == 1 for r in ranks) / n, 4) if n else None,
        "recall@5": round(sum(0 < r <= 5 for r in ranks) / n, 4) if n else None,
        "mrr": round(sum(1.0 / r for r in ranks if r) / n, 4) if n else None,
    }


def _pct(xs, q):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 2) if xs else None


def evaluate_trace(data: TraceQueries, source_paths=(), *, base_index: str | None = None,
                   k: int = 5, restore: bool = False, limit: int | None = None, misses: bool = False) -> dict:
    """Index ``data.sources`` plus the documents of ``source_paths`` (on a copy of
    ``base_index`` when given), trace every query and report quality and latency."""
    queries = data.queries[:limit] if limit else data.queries
    tmpdir = tempfile.mkdtemp(prefix="unspin-eval-trace-")
    try:
        path = os.path.join(tmpdir, "eval.index")
        extra = list(iter_sources(source_paths)) if source_paths else []
        t0 = time.perf_counter()
        n_built = _build(path, data.sources + extra, base_index)
        build_s = time.perf_counter() - t0
        idx = Index.open(path)
        idx.load()
        known = {d.id for _, d in data.sources + extra}
        for qid, _, sid, _ in queries:
            if sid not in known and idx.doc_number(sid) is None:
                raise UnspinError(f"query {qid}: its source {sid!r} is not among the indexed documents")
        run = _run(idx, queries, k, restore)
        n_docs = idx.n_docs
        idx.close()
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    ranks, lat, lat_ev, fams, missed = run
    report = summary(ranks)
    report.update({
        "latency_ms": {"median": _pct(lat, 0.5), "p90": _pct(lat, 0.9), "max": _pct(lat, 1.0)},
        "latency_with_evidence_ms": {"median": _pct(lat_ev, 0.5), "p90": _pct(lat_ev, 0.9)},
        "index": {"documents": n_docs, "added": n_built, "build_seconds": round(build_s, 2),
                  "deduplicated_originals": data.deduplicated, "base": base_index},
    })
    if len(fams) > 1 or "" not in fams:
        report["by_family"] = {f or "-": summary(r) for f, r in sorted(fams.items())}
    if misses:
        report["misses"] = missed
    return report


def _build(path: str, docs: list[tuple[str, Source]], base_index: str | None) -> int:
    """Write the evaluation index at ``path``; the number of documents added."""
    if not base_index:
        return build(path, docs)["documents"]
    Index.open(base_index).close()  # validate before copying
    shutil.copyfile(base_index, path)
    idx = Index.open(path, writable=True)
    try:
        idx.add(docs)
    finally:
        idx.close()
    return len(docs)


def _run(idx: Index, queries, k: int, restore: bool):
    """Trace each query (without and with evidence, timed): ranks, latencies, ranks per family,
    and the queries whose source was not first."""
    ranks, lat, lat_ev, missed = [], [], [], []
    fams: dict[str, list[int]] = {}
    for qid, text, sid, fam in progress(queries, len(queries), "queries"):
        t = time.perf_counter()
        res = trace(text, idx, max(k, 5), evidence=False, restore=restore)
        lat.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        trace(text, idx, 1, evidence=True, restore=restore)
        lat_ev.append((time.perf_counter() - t) * 1000)
        ids = [m.id for m in res]
        rank = ids.index(sid) + 1 if sid in ids else 0
        ranks.append(rank)
        fams.setdefault(fam, []).append(rank)
        if rank != 1:
            missed.append({"query": qid, "source": sid, "rank": rank or None,
                           "top": [(m.id, round(m.score, 3)) for m in res[:3]]})
    return ranks, lat, lat_ev, fams, missed
