"""Tracing spun text to its source: retrieval quality on synthetic spins, evidence, CLI."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unspin
from unspin.cli.main import main
from unspin.tracing.search import compare, trace
from unspin.tracing.index import Index, build
from unspin.tracing.sources import Source

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
WILD = SHARED / "data" / "wild-dev" / "pairs.jsonl"


def _spinner():
    return importlib.import_module("unspin.evaluation.spinners")


def stdlib_paragraphs(n: int) -> list[str]:
    """Prose paragraphs from the standard library's docstrings (available wherever Python is)."""
    out, seen = [], set()
    for name in ("argparse", "collections", "json", "logging", "email.message", "http.client", "textwrap",
                 "difflib", "unittest.case", "urllib.request", "zipfile", "tarfile", "pathlib", "shutil",
                 "subprocess", "threading", "asyncio.events", "decimal", "fractions", "calendar"):
        mod = importlib.import_module(name)
        objs = [mod] + [v for _, v in sorted(vars(mod).items()) if inspect.isclass(v) or inspect.isfunction(v)]
        for obj in objs:
            for par in re.split(r"\n\s*\n", inspect.getdoc(obj) or ""):
                par = " ".join(par.split())
                words = par.split()
                if 12 <= len(words) <= 120 and sum(w.isalpha() for w in words) > 0.7 * len(words) and par not in seen:
                    seen.add(par)
                    out.append(par)
                    if len(out) >= n:
                        return out
    return out


@pytest.fixture(scope="module")
def corpus():
    return stdlib_paragraphs(400)


@pytest.fixture(scope="module")
def index_path(tmp_path_factory, corpus):
    path = tmp_path_factory.mktemp("trace") / "corpus.index"
    build(str(path), ((f"p:{i}", Source(id=f"p{i}", text=t, url=f"https://example.org/{i}"))
                      for i, t in enumerate(corpus)))
    return str(path)


def test_spun_copies_are_traced(index_path, corpus):
    spin = _spinner().spin
    assert len(corpus) >= 300
    hits = total = 0
    with Index.open(index_path) as idx:
        for i in range(0, 300, 10):
            spun, swaps = spin(corpus[i], 0.4, seed=i, style="moby" if i % 20 else "wordnet")
            assert swaps  # the query really differs from its source
            res = trace(spun, idx, k=5)
            total += 1
            hits += bool(res) and res[0].id == f"p{i}"
    assert hits / total >= 0.9


def test_match_has_url_score_and_evidence(index_path, corpus):
    spun, swaps = _spinner().spin(corpus[5], 0.4, seed=3, style="wordnet")
    res = trace(spun, index_path, k=3)
    top = res[0]
    assert top.id == "p5" and top.url == "https://example.org/5"
    assert 0.0 < top.score <= 1.0
    assert [m.score for m in res] == sorted((m.score for m in res), reverse=True)
    src = corpus[5]
    for a in top.passages:
        assert spun[a.query_start:a.query_end] == a.query_text
        assert src[a.source_start:a.source_end] == a.source_text
        for p in a.pieces:
            assert spun[p.query_start:p.query_end] == p.query
            assert src[p.source_start:p.source_end] == p.source
    # most single-word swaps the spinner made show up as swaps, spun <-> original
    shown = {(p.query.lower(), p.source.lower()) for p in top.swaps}
    found = sum(any(o.lower() in s and w.lower() in q for q, s in shown) for o, w in swaps)
    assert found >= 0.6 * len(swaps)
    d = top.to_dict()
    assert d["id"] == "p5" and d["swaps"] and d["passages"]


def test_public_function_and_module_both_work(index_path, corpus):
    assert unspin.trace(corpus[7], index_path, k=1)[0].id == "p7"
    import importlib

    module = importlib.import_module("unspin.tracing.search")  # importing the module must not break the function

    assert callable(unspin.trace) and module.trace is trace
    assert unspin.trace(corpus[8], index_path, k=1)[0].id == "p8"


def test_compare_pairwise():
    original = "The death toll from the virus has risen to 80, the national health commission said on Sunday."
    spun = "The loss of life toll from the virus has risen to 80, the nationwide health commission explained on Sunday."
    m = compare(spun, original)
    assert ("loss of life", "death") in [(p.query, p.source) for p in m.swaps]
    assert ("explained", "said") in [(p.query, p.source) for p in m.swaps]
    same = compare(original, original)
    assert same.score > 0.95 and not same.swaps
    unrelated = compare("Preheat the oven and whisk the eggs with sugar until pale.", original)
    assert unrelated.score < 0.2 < m.score


def test_empty_and_unmatched_queries(index_path):
    assert trace("", index_path) == []
    assert trace("   \n ", index_path) == []
    assert trace("zzqx qqvvz", index_path) == []


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(st.sampled_from(
    "river bank flood storm city council vote budget school teacher court judge police fire "
    "rescue hospital doctor virus market price energy wind solar farm crop rain drought".split()),
    min_size=6, max_size=25), min_size=2, max_size=8, unique_by=lambda ws: " ".join(ws)))
def test_exact_copy_ranks_its_document_first(tmp_path_factory, texts):
    texts = [" ".join(ws) + "." for ws in texts]
    path = tmp_path_factory.mktemp("prop") / "p.index"
    build(str(path), ((f"t:{i}", Source(id=str(i), text=t)) for i, t in enumerate(texts)))
    with Index.open(str(path)) as idx:
        for i, t in enumerate(texts):
            res = trace(t, idx, k=len(texts))
            assert res, t
            best = [m for m in res if m.score == res[0].score]
            assert str(i) in [m.id for m in best]


def test_cli_trace_formats(tmp_path, index_path, corpus, capsys):
    spun, _ = _spinner().spin(corpus[12], 0.3, seed=1, style="moby")
    q = tmp_path / "q.txt"
    q.write_text(spun, encoding="utf-8")
    html = tmp_path / "r.html"
    assert main(["trace", str(q), "--index", index_path, "-k", "2", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. p12")
    assert "<mark class='swap'" in html.read_text(encoding="utf-8")
    assert main(["trace", str(q), "--index", index_path, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["matches"][0]["id"] == "p12"
    jl = tmp_path / "q.jsonl"
    jl.write_text(json.dumps({"id": "q1", "text": spun}) + "\n", encoding="utf-8")
    assert main(["trace", str(jl), "--index", index_path, "--format", "jsonl", "-k", "1"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["id"] == "q1" and rec["matches"][0]["id"] == "p12"
    src = tmp_path / "s.txt"
    src.write_text(corpus[12], encoding="utf-8")
    assert main(["trace", str(q), "--against", str(src), "--format", "json"]) == 0
    m = json.loads(capsys.readouterr().out)["matches"][0]
    assert m["score"] > 0.3 and m["passages"]
    assert main(["trace", str(q), "--index", str(tmp_path / "missing.index")]) == 1
    assert "no such index" in capsys.readouterr().err
    assert main(["trace", str(q), "--index", str(q)]) == 1
    assert "not an unspin trace index" in capsys.readouterr().err


def test_cli_eval_trace(tmp_path, corpus, capsys):
    spin = _spinner().spin
    pairs = tmp_path / "pairs.jsonl"
    with open(pairs, "w", encoding="utf-8") as f:
        for i in range(0, 40, 4):
            f.write(json.dumps({"id": f"q{i}", "original": corpus[i], "spun": spin(corpus[i], 0.4, i, "moby")[0]}) + "\n")
    others = tmp_path / "others.jsonl"
    with open(others, "w", encoding="utf-8") as f:
        for i in range(40, 200):
            f.write(json.dumps({"id": f"o{i}", "text": corpus[i]}) + "\n")
    assert main(["eval", "trace", "--pairs", str(pairs), "--sources", str(others)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["queries"] == 10 and rep["index"]["documents"] == 170
    assert rep["recall@1"] >= 0.8 and rep["recall@5"] >= rep["recall@1"] and rep["mrr"] >= rep["recall@1"]
    assert rep["latency_ms"]["median"] > 0


@pytest.mark.skipif(not WILD.exists(), reason="shared wild-dev data not available")
def test_wild_dev_spun_paragraphs(tmp_path, corpus):
    rows = [json.loads(line) for line in WILD.open(encoding="utf-8")]
    by_text: dict[str, str] = {}
    docs = []
    for r in rows:
        key = " ".join(r["original"].split())
        if key not in by_text:
            by_text[key] = r["id"]
            docs.append((r["id"], Source(id=r["id"], text=r["original"])))
    docs += [(f"p{i}", Source(id=f"p{i}", text=t)) for i, t in enumerate(corpus)]
    path = tmp_path / "wild.index"
    build(str(path), docs)
    hits = 0
    with Index.open(str(path)) as idx:
        for r in rows:
            res = trace(r["spun"], idx, k=1, evidence=False)
            hits += bool(res) and res[0].id == by_text[" ".join(r["original"].split())]
    assert hits / len(rows) >= 0.95
