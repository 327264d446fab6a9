"""`index build` and `index add` memory does not grow with their input: sources are cut into
bounded parts, batches are written (to disk) while the sources are still being read, and merges
stay bounded (issue 15)."""

from __future__ import annotations

import json
import os
import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unspin.tracing.index as ti
import unspin.tracing.segments as sg
import unspin.tracing.sources as ts
from unspin.errors import UnspinError
from unspin.tracing.index import Index, build
from unspin.tracing.search import trace
from unspin.tracing.sources import Source, iter_sources

_NOUNS = ("river", "senate", "harvest", "glacier", "factory", "orchestra", "bridge", "vaccine", "festival",
          "railway", "harbour", "library", "volcano", "election", "museum", "satellite", "tournament", "forest",
          "pipeline", "courthouse")
_VERBS = ("flooded", "approved", "delayed", "surprised", "damaged", "welcomed", "rebuilt", "funded", "closed",
          "inspected", "praised", "expanded", "moved", "challenged", "reopened", "honoured", "tested")
SENTENCES = [f"The {_NOUNS[i % 20]} {_VERBS[i % 17]} the {_NOUNS[(i * 7 + 3) % 20]} near "
             f"{_NOUNS[(i * 3 + 1) % 20]}ville in year {1900 + i}." for i in range(400)]


def _docs(n):
    return [(f"d{i}", Source(id=f"d{i}", text=" ".join(SENTENCES[i:i + 5]))) for i in range(n)]


def _noisy_docs(n):
    """Like _docs, plus 40 random words each: text that compresses no better than real text."""
    import random

    rng = random.Random(7)
    return [(i, Source(id=d.id, text=d.text + " " + " ".join(f"{rng.getrandbits(40):x}" for _ in range(40))))
            for i, d in _docs(n)]


@pytest.mark.parametrize("workers", [1, 2])
def test_build_writes_batches_before_the_sources_are_read_whole(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(ti, "BATCH_CHARS", 2000, raising=False)
    pulled = 0
    written_at = []

    def sources():
        nonlocal pulled
        for item in _docs(60):
            pulled += 1
            yield item

    real = Index._write_segment

    def spy(self, seg, batch, first_doc, first_pass, packed=None):
        written_at.append(pulled)
        return real(self, seg, batch, first_doc, first_pass, packed)

    monkeypatch.setattr(Index, "_write_segment", spy)
    build(str(tmp_path / "i.db"), sources(), workers=workers)
    assert pulled == 60
    assert written_at and written_at[0] < 60  # the first batch was written long before the last source
    with Index.open(str(tmp_path / "i.db")) as idx:
        assert idx.stats()["documents"] == 60


def test_merges_stay_bounded_and_trace_the_same(tmp_path, monkeypatch):
    whole = str(tmp_path / "whole.db")
    build(whole, iter(_docs(60)))
    monkeypatch.setattr(ti, "BATCH", 5)
    monkeypatch.setattr(ti, "MERGE_WORDS", 700, raising=False)
    bounded = str(tmp_path / "bounded.db")
    build(bounded, iter(_docs(60)))
    with Index.open(whole) as a, Index.open(bounded) as b:
        assert a.stats()["segments"] == 1
        assert b.stats()["segments"] > 1
        conn = sqlite3.connect(bounded)
        sizes = [n for (n,) in conn.execute("SELECT SUM(ntok) FROM docs GROUP BY seg")]
        conn.close()
        assert max(sizes) <= 700
        for q in (SENTENCES[7], SENTENCES[30] + " " + SENTENCES[31], "the glacier damaged a museum in year 1955"):
            ra = [(r.id, round(r.score, 9)) for r in trace(q, a, k=5)]
            rb = [(r.id, round(r.score, 9)) for r in trace(q, b, k=5)]
            assert ra == rb and ra


def test_a_long_source_is_indexed_in_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(ts, "SOURCE_CHARS", 1000, raising=False)
    long_text = "\n\n".join(SENTENCES[:60])
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "long.txt").write_text(long_text, encoding="utf-8")
    (tmp_path / "docs" / "short.txt").write_text(SENTENCES[0], encoding="utf-8")
    jl = tmp_path / "s.jsonl"
    jl.write_text(json.dumps({"id": "j", "text": long_text, "url": "http://x/j"}) + "\n", encoding="utf-8")
    got = [doc for _, doc in iter_sources([str(tmp_path / "docs"), str(jl)])]
    ids = [d.id for d in got]
    n = sum(1 for i in ids if i.startswith("long.txt#"))
    assert n > 1 and ids[:n] == [f"long.txt#{k}" for k in range(1, n + 1)]
    assert "short.txt" in ids
    assert "".join(d.text for d in got if d.id.startswith("long.txt#")) == long_text
    assert all(len(d.text) <= 1000 for d in got)
    jparts = [d for d in got if d.id.startswith("j#")]
    assert len(jparts) == n and "".join(d.text for d in jparts) == long_text
    assert {d.url for d in jparts} == {"http://x/j"}
    out = str(tmp_path / "i.db")
    build(out, iter_sources([str(tmp_path / "docs")]))
    with Index.open(out) as idx:
        assert trace(SENTENCES[45], idx, k=1)[0].id.startswith("long.txt#")


def test_a_bad_byte_late_in_a_long_file_in_a_folder_adds_none_of_it(tmp_path, monkeypatch):
    monkeypatch.setattr(ts, "SOURCE_CHARS", 1000, raising=False)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bad.txt").write_bytes(("\n\n".join(SENTENCES[:60])).encode() + b"\xff end")
    (tmp_path / "docs" / "good.txt").write_text(SENTENCES[0], encoding="utf-8")
    warnings = []
    ids = [doc.id for _, doc in iter_sources([str(tmp_path / "docs")], warn=warnings.append)]
    assert ids == ["good.txt"]
    assert len(warnings) == 1 and "bad.txt" in warnings[0]


def test_add_writes_its_batches_to_disk_while_readers_see_the_committed_index(tmp_path, monkeypatch):
    import unspin.tracing.dbfile as dbfile

    path = str(tmp_path / "i.db")
    build(path, _docs(2))
    size = (tmp_path / "i.db").stat().st_size
    monkeypatch.setattr(ti, "BATCH_CHARS", 2000, raising=False)
    real_private = getattr(dbfile, "connect_private", None)

    def small_cache(p):  # a page cache of 10 pages: what does not fit must be on disk
        conn = real_private(p)
        conn.execute("PRAGMA cache_size=10")
        return conn

    monkeypatch.setattr(ti, "connect_private", small_cache, raising=False)
    seen = {}

    def sources():
        for i, item in enumerate(_noisy_docs(60)[2:]):
            if i == 40:
                with Index.open(path) as reader:
                    seen["documents"] = reader.stats()["documents"]
                seen["beside"] = sum(f.stat().st_size for f in tmp_path.iterdir() if f.name != "i.db")
            yield item

    with Index.open(path, writable=True) as idx:
        assert idx.add(sources()) == 58
        assert idx.stats()["documents"] == 60
    assert seen["documents"] == 2  # a reader during the add reads the last committed index
    assert seen["beside"] > 2 * size, (seen, size)  # the batches written so far are on disk, not held in memory
    assert sorted(f.name for f in tmp_path.iterdir()) == ["i.db"]  # no temporary file left
    whole = str(tmp_path / "whole.db")
    build(whole, iter(_docs(2) + _noisy_docs(60)[2:]))
    for q in (SENTENCES[7], SENTENCES[45]):
        assert [r.id for r in trace(q, path, k=3)] == [r.id for r in trace(q, whole, k=3)]


def test_a_failed_large_add_leaves_the_index_and_no_temporary_file(tmp_path, monkeypatch):
    path = str(tmp_path / "i.db")
    build(path, _docs(2))
    monkeypatch.setattr(ti, "BATCH_CHARS", 2000, raising=False)

    def sources():
        yield from _docs(40)[2:]
        yield "dup", Source(id="d5", text="a duplicate of an id added by this run")

    with Index.open(path, writable=True) as idx:
        with pytest.raises(UnspinError, match="dup: duplicate id 'd5'"):
            idx.add(sources())
        assert idx.stats()["documents"] == 2
        idx.add(_docs(3)[2:])  # and it is still writable
    assert sorted(f.name for f in tmp_path.iterdir()) == ["i.db"]
    with Index.open(path) as idx:
        assert idx.stats()["documents"] == 3


# ------------------------------------------------------------------ parallel build, compact format (format 3)

def test_a_parallel_build_is_the_serial_build(tmp_path, monkeypatch):
    monkeypatch.setattr(ti, "BATCH_CHARS", 1500, raising=False)
    monkeypatch.setattr(ti, "MERGE_WORDS", 900, raising=False)  # merges of segments packed apart, too
    paths = []
    for workers in (1, 2):
        paths.append(str(tmp_path / f"w{workers}.db"))
        build(paths[-1], iter(_noisy_docs(80)), workers=workers)
    conns = [sqlite3.connect(p) for p in paths]
    rows = [c.execute("SELECT * FROM segments ORDER BY seg").fetchall() for c in conns]
    docs = [c.execute("SELECT * FROM docs ORDER BY n").fetchall() for c in conns]
    for c in conns:
        c.close()
    assert len(rows[0]) > 1 and rows[0] == rows[1] and docs[0] == docs[1]
    with Index.open(paths[1]) as idx:
        assert [r.id for r in trace(_noisy_docs(80)[30][1].text, idx, k=1)] == ["d30"]


def test_a_parallel_add_finds_duplicate_ids_in_batches_not_yet_written(tmp_path, monkeypatch):
    monkeypatch.setattr(ti, "BATCH_CHARS", 1500, raising=False)
    docs = _noisy_docs(30)
    with pytest.raises(UnspinError, match="duplicate id 'd3'"):
        build(str(tmp_path / "d.db"), iter(docs + [docs[3]]), workers=2)



@given(st.lists(st.integers(0, 2**64 - 1), max_size=300), st.integers(1, 70000))
@settings(max_examples=80, deadline=None)
def test_hashes_survive_their_encoding(values, spread):
    # few or many distinct values (1-, 2- and 4-byte ids)
    a = np.array([v % (2**64) for v in values] + list(range(spread % 400)), dtype=np.uint64)
    assert np.array_equal(sg.dec_hashes(sg.enc_hashes(a), np.uint64), a)
    b = (a % (2**32)).astype(np.uint32)
    assert np.array_equal(sg.dec_hashes(sg.enc_hashes(b), np.uint32), b)


@given(st.lists(st.lists(st.integers(0, 2**31 - 1), max_size=30, unique=True), max_size=30))
@settings(max_examples=80, deadline=None)
def test_posting_lists_survive_their_encoding(lists):
    lists = [sorted(x) for x in lists]
    starts = np.cumsum([0] + [len(x) for x in lists]).astype(np.int64)
    pids = np.array([p for x in lists for p in x], dtype=np.int32)
    assert np.array_equal(sg.dec_pids(sg.enc_pids(starts, pids), starts), pids)


def test_an_index_is_about_as_large_as_its_text(tmp_path):
    import random

    rng = random.Random(3)
    words = [w for s in SENTENCES for w in s.split()] + [f"{rng.getrandbits(30):x}" for _ in range(3000)]
    texts = [" ".join(rng.choice(words) for _ in range(120)) for _ in range(300)]
    path = str(tmp_path / "s.db")
    build(path, ((f"t{i}", Source(id=f"t{i}", text=t)) for i, t in enumerate(texts)))
    raw = sum(len(t.encode()) for t in texts)
    assert os.path.getsize(path) <= 2 * raw
    with Index.open(path) as idx:
        assert [idx.doc_record(n)[3] for n in (0, 299)] == [texts[0], texts[299]]


def test_segments_are_searched_through_one_key_directory(tmp_path, monkeypatch):
    # A big index keeps many segments (merges are bounded); loaded, they are one inverted index
    # that gives every key the same passages, in ascending order.
    monkeypatch.setattr(ti, "BATCH_CHARS", 1500, raising=False)
    monkeypatch.setattr(ti, "MERGE_WORDS", 600, raising=False)
    path = str(tmp_path / "m.db")
    build(path, iter(_noisy_docs(80)))
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT * FROM segments ORDER BY seg").fetchall()
    conn.close()
    segs = sg.unpack(rows)[0]
    assert len(segs) > 3
    with Index.open(path) as idx:
        idx.load()
        (one,) = idx._segments
    want: dict[int, list[int]] = {}
    for seg in segs:
        for j, k in enumerate(seg.keys.tolist()):
            want.setdefault(k, []).extend(seg.pids[seg.starts[j]:seg.starts[j + 1]].tolist())
    assert one.keys.tolist() == sorted(want)
    for j, k in enumerate(one.keys.tolist()):
        assert one.pids[one.starts[j]:one.starts[j + 1]].tolist() == sorted(want[k]) == want[k]
