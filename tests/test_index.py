"""The trace index: building, adding, stats, bad input, atomicity."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from unspin.cli.main import main
from unspin.errors import UnspinError
from unspin.tracing.search import trace
from unspin.tracing.index import Index, build
from unspin.tracing.segments import passages_of
from unspin.tracing.sources import Source, iter_sources

DOCS = [
    {"id": "a", "text": "The death toll from the coronavirus has risen to 80, officials said.", "url": "http://x/a"},
    {"id": "b", "text": "Several helicopters landed near the town of Atmeh in Idlib province.", "date": "2023-02-16"},
    {"id": "c", "text": "The senate passed the bill after the vice president broke a tie."},
]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return str(path)


@pytest.fixture()
def src(tmp_path):
    return write_jsonl(tmp_path / "src.jsonl", DOCS)


def test_build_stats_and_search(tmp_path, src):
    out = str(tmp_path / "i.db")
    summary = build(out, iter_sources([src]))
    assert summary["documents"] == 3
    with Index.open(out) as idx:
        st = idx.stats()
        assert st["documents"] == 3 and st["documents_with_url"] == 1 and st["segments"] == 1
        res = trace("Helicopters landed near Atmeh town in Idlib.", idx, k=2)
    assert res[0].id == "b" and res[0].date == "2023-02-16"


def test_directory_source(tmp_path):
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    (d / "one.txt").write_text("Wildfires forced hundreds of residents to leave their homes.", encoding="utf-8")
    (d / "sub" / "two.md").write_text("The central bank raised interest rates again.", encoding="utf-8")
    (d / "image.png").write_bytes(b"\x89PNG\x00\x00")
    (d / ".hidden.txt").write_text("not this", encoding="utf-8")
    ids = [doc.id for _, doc in iter_sources([str(d)])]
    assert ids == ["one.txt", "sub/two.md"]


def test_add_is_incremental_and_merges_segments(tmp_path, src, monkeypatch):
    import unspin.tracing.index as ti

    out = str(tmp_path / "i.db")
    build(out, iter_sources([src]))
    monkeypatch.setattr(ti, "MAX_SEGMENTS", 3)
    for n in range(4):
        with Index.open(out, writable=True) as idx:
            idx.add([("t", Source(id=f"extra{n}", text=f"Extra document number {n} about river floods {n}."))])
    with Index.open(out) as idx:
        st = idx.stats()
        assert st["documents"] == 7
        assert st["segments"] <= 3
        assert trace(DOCS[2]["text"], idx, k=1)[0].id == "c"
        assert trace("Extra document number 3 about river floods 3.", idx, k=1)[0].id == "extra3"


def test_missing_id_rejected_with_line_number(tmp_path):
    bad = write_jsonl(tmp_path / "bad.jsonl", [DOCS[0], "", {"text": "no id here"}])
    out = tmp_path / "i.db"
    with pytest.raises(UnspinError, match=r"bad\.jsonl:3: document has no 'id'"):
        build(str(out), iter_sources([bad]))
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if "tmp" in p]


def test_duplicate_id_rejected(tmp_path, src):
    out = str(tmp_path / "i.db")
    build(out, iter_sources([src]))
    dup = write_jsonl(tmp_path / "dup.jsonl", [{"id": "z", "text": "new"}, {"id": "a", "text": "again"}])
    with Index.open(out, writable=True) as idx:
        with pytest.raises(UnspinError, match=r"dup\.jsonl:2: duplicate id 'a'"):
            idx.add(iter_sources([dup]))
    with Index.open(out) as idx:  # the failed add left nothing behind
        assert idx.stats()["documents"] == 3


def test_unknown_foreign_and_corrupt_index(tmp_path):
    with pytest.raises(UnspinError, match="no such index"):
        Index.open(str(tmp_path / "nope.db"))
    text = tmp_path / "notes.txt"
    text.write_text("just some notes", encoding="utf-8")
    with pytest.raises(UnspinError, match="not an unspin trace index"):
        Index.open(str(text))
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(UnspinError, match="not an unspin trace index"):
        Index.open(str(other))
    # building over a foreign file is refused and leaves it alone
    before = other.read_bytes()
    with pytest.raises(UnspinError, match="not overwriting"):
        build(str(other), iter_sources([write_jsonl(tmp_path / "s.jsonl", DOCS)]))
    assert other.read_bytes() == before


def test_corrupt_segment_is_reported(tmp_path, src):
    out = str(tmp_path / "i.db")
    build(out, iter_sources([src]))
    conn = sqlite3.connect(out)
    conn.execute("UPDATE segments SET pids = x'0102'")
    conn.commit()
    conn.close()
    with pytest.raises(UnspinError, match="corrupt index"):
        Index.open(out).load()


def test_interrupted_build_keeps_old_index(tmp_path, src):
    out = str(tmp_path / "i.db")
    build(out, iter_sources([src]))
    before = open(out, "rb").read()

    def docs():
        yield "x:1", Source(id="new1", text="a new document")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(out, docs())
    assert open(out, "rb").read() == before
    assert sorted(os.listdir(tmp_path)) == ["i.db", "src.jsonl"]


def test_interrupted_add_keeps_old_index(tmp_path, src):
    out = str(tmp_path / "i.db")
    build(out, iter_sources([src]))

    def docs():
        yield "x:1", Source(id="new1", text="a new document")
        raise KeyboardInterrupt

    with Index.open(out, writable=True) as idx:
        with pytest.raises(KeyboardInterrupt):
            idx.add(docs())
    with Index.open(out) as idx:
        assert idx.stats()["documents"] == 3


OTHER_DOCS = [
    {"id": "a", "text": "Floods cut off the town of Atmeh after the river burst its banks on Monday."},
    {"id": "x", "text": "The coronavirus death toll has risen to 80, health officials said on Sunday.", "url": "http://y/x"},
    {"id": "y", "text": "The vice president broke a tie as the senate passed the spending bill."},
]


def test_two_open_indexes_do_not_share_state(tmp_path):
    """A server may hold several indexes at once: tracing them in turn gives what each gives alone."""
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    build(a, iter_sources([write_jsonl(tmp_path / "a.jsonl", DOCS)]))
    build(b, iter_sources([write_jsonl(tmp_path / "b.jsonl", OTHER_DOCS)]))
    queries = ["The loss of life toll from the coronavirus rose to 80, officials explained.",
               "Helicopters landed near Atmeh town in Idlib.",
               "The senate handed the bill after the vice president broke a tie."]

    def run(idx, q):
        return [m.to_dict() for m in trace(q, idx, k=3)]

    with Index.open(a) as ia:
        alone_a = [run(ia, q) for q in queries]
    with Index.open(b) as ib:
        alone_b = [run(ib, q) for q in queries]
    assert alone_a != alone_b
    with Index.open(a) as ia, Index.open(b) as ib:
        for q, want_a, want_b in zip(queries, alone_a, alone_b):
            assert run(ib, q) == want_b
            assert run(ia, q) == want_a
    for q, want_a, want_b in zip(queries, alone_a, alone_b):  # opened per call, by path
        assert run(a, q) == want_a
        assert run(b, q) == want_b


def test_passages_cover_long_documents():
    for n in (0, 1, 160, 161, 500, 1000):
        ps = passages_of(n)
        covered = set()
        for start, length in ps:
            covered.update(range(start, start + length))
        assert covered == set(range(n))


def test_cli_index_build_add_stats(tmp_path, src, capsys):
    out = str(tmp_path / "i.db")
    assert main(["index", "build", src, "-o", out]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 3
    more = write_jsonl(tmp_path / "more.jsonl", [{"id": "d", "text": "Another story entirely."}])
    assert main(["index", "add", out, more]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 4
    assert main(["index", "stats", out]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 4
    assert main(["index", "stats", str(tmp_path / "missing.db")]) == 1
    assert "no such index" in capsys.readouterr().err
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": "x"}])
    assert main(["index", "add", out, bad]) == 1
    assert "bad.jsonl:1" in capsys.readouterr().err
