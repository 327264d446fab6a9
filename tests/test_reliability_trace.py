"""Fault injection for trace, the index and the reports: hostile URLs and markup, lone surrogates,
concurrent writers, readers during a write, killed writers, killed builds, empty texts, and what
`index build` reads."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

import unspin
from unspin.errors import UnspinError
from unspin.report.trace import render_html, render_text
from unspin.results import AlignedPassage, Match, Piece
from unspin.tracing import dbfile
from unspin.tracing.index import Index, build
from unspin.tracing.search import compare, trace
from unspin.tracing.signatures import h64, key_hash, replace_surrogates, surface_hash
from unspin.tracing.sources import Source, iter_sources

TEXT = "The death toll from the coronavirus has risen to 80, officials said on Sunday."
SPUN = "The loss of life toll from the coronavirus has risen to 80, officials explained on Sunday."
DOCS = [Source(id="a", text=TEXT, url="http://x/a"),
        Source(id="b", text="Several helicopters landed near the town of Atmeh in Idlib province.")]


def _pairs(docs):
    return [(d.id, d) for d in docs]


def _ids(path) -> list[str]:
    with Index.open(str(path)) as idx:
        return sorted(idx.doc_record(n)[0] for n in range(idx.stats()["documents"]))


# ----------------------------------------------------------------------------- 3: HTML report

HOSTILE = '<img src=x onerror=alert(1)>"\'&'


def test_html_links_only_web_urls_and_escapes_every_field(tmp_path, capsys):
    from unspin.cli.main import main

    rows = [{"id": "js" + HOSTILE, "text": TEXT, "url": "javascript:alert(1)", "date": HOSTILE},
            {"id": "tab", "text": TEXT + " Again.", "url": "java\tscript:alert(2)"},
            {"id": "data", "text": TEXT + " Once more.", "url": "data:text/html,<script>alert(3)</script>"},
            {"id": "web", "text": TEXT + " And again.", "url": "https://example.org/a?b=1&c=<x>"}]
    src = tmp_path / "s.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build(str(tmp_path / "i.db"), iter_sources([str(src)]))
    query = tmp_path / HOSTILE.replace("/", "_")
    query.write_text(SPUN + " <script>alert(4)</script>", encoding="utf-8")
    report = tmp_path / "r.html"
    assert main(["trace", str(query), "--index", str(tmp_path / "i.db"), "--html", str(report)]) == 0
    capsys.readouterr()
    html = report.read_text(encoding="utf-8")
    hrefs = re.findall(r"""href\s*=\s*["']?([^"' >]*)""", html, re.I)
    assert hrefs == ["https://example.org/a?b=1&amp;c=&lt;x&gt;"]
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "javascript:alert(1)" in html  # shown, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the id, the date, the query's name


def test_html_escapes_passages_and_pieces():
    q = "<b>folks</b> came"
    m = Match(id="s", score=0.5, url="ftp://x", date="<i>", passages=[AlignedPassage(
        3, 17, 0, 15, q[3:17], "<u>people</u> ", 0.5,
        [Piece("swap", "folks", "<u>people</u>", 3, 8, 0, 13)])])
    html = render_html("q", q, [m])
    assert "<b>" not in html and "<u>" not in html and "<i>" not in html and "href" not in html


# ----------------------------------------------------------------------------- 4: surrogates

def test_lone_surrogate_compare_index_and_trace(tmp_path):
    t = TEXT.replace("80,", "80,\ud800")
    m = compare(t, t)
    assert m.score > 0.5 and m.passages
    docs = [Source(id="s\udc00", text=t, url="http://x/\ud800", date="\udfff"), DOCS[1]]
    build(str(tmp_path / "i.db"), _pairs(docs))
    with Index.open(str(tmp_path / "i.db"), writable=True) as idx:
        idx.add([("more", Source(id="more", text="\ud800 alone"))])
        assert idx.doc_number("s\udc00") == 0
    res = trace(SPUN.replace("80,", "80,\ud800"), str(tmp_path / "i.db"), k=1)
    assert res[0].id == "s\ufffd" and res[0].url == "http://x/\ufffd" and res[0].date == "\ufffd"
    # stored text keeps its length, so source offsets stay valid
    assert len(replace_surrogates(t)) == len(t)


def test_surrogate_hashing_is_consistent_and_normal_hashes_unchanged():
    import hashlib

    assert h64("death") == int.from_bytes(hashlib.blake2b(b"death", digest_size=8).digest(), "little")
    assert key_hash("ab\ud800") == key_hash("ab\ufffd")
    assert surface_hash("x\udfff") == surface_hash("x\ufffd")


def test_restore_and_detect_accept_a_lone_surrogate():
    t = SPUN.replace("80,", "80,\ud800")
    assert unspin.restore(t).text is not None
    assert 0.0 <= unspin.detect(t).score <= 1.0


# ----------------------------------------------------------------------------- 5: concurrency

def _add_worker(path, ids, me_ready, other_ready):
    """Add ``ids`` to the index at ``path``; inside the transaction, wait until the other worker
    is about to add too, so that the two overlap."""
    from unspin.tracing.index import Index
    from unspin.tracing.sources import Source

    def docs():
        other_ready.wait(60)
        time.sleep(0.5)  # let the other one reach its transaction: overlap, not an assertion
        for i in ids:
            yield i, Source(id=i, text=f"Document {i} about the {i} river flooding the town of {i}.")

    with Index.open(path, writable=True) as idx:
        me_ready.set()
        idx.add(docs())


def test_two_processes_adding_at_once_both_land(tmp_path):
    path = str(tmp_path / "i.db")
    build(path, _pairs(DOCS))
    ctx = multiprocessing.get_context("spawn")
    first, second = ctx.Event(), ctx.Event()
    a = ctx.Process(target=_add_worker, args=(path, ["p1", "p2"], first, second))
    b = ctx.Process(target=_add_worker, args=(path, ["q1", "q2"], second, first))
    a.start()
    b.start()
    a.join(180)
    b.join(180)
    assert (a.exitcode, b.exitcode) == (0, 0)
    assert _ids(path) == ["a", "b", "p1", "p2", "q1", "q2"]


# A writer that holds its transaction open after writing a large segment (large enough that SQLite
# would spill it to the database file under a default page cache), then waits for a file.
_HOLDING_WRITER = textwrap.dedent("""
    import os, sys, time
    import unspin.tracing.index as ti
    from unspin.tracing.index import Index
    from unspin.tracing.sources import Source
    path, ready, go = sys.argv[1:4]
    ti.BATCH = 1  # write each document's segment as soon as it is read
    big = " ".join(f"w{i % 5000} word{i % 777}" for i in range(60000))
    def docs():
        yield "big", Source(id="big", text=big)
        yield "small", Source(id="small", text="a second document")
        open(ready, "w").close()
        while not os.path.exists(go):
            time.sleep(0.05)
    with Index.open(path, writable=True) as idx:
        idx.add(docs())
""")


def _start_holding_writer(tmp_path, path):
    ready, go = str(tmp_path / "ready"), str(tmp_path / "go")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", _HOLDING_WRITER, path, ready, go], env=env)
    deadline = time.monotonic() + 120
    while not os.path.exists(ready):
        assert proc.poll() is None, "writer died"
        assert time.monotonic() < deadline, "writer never got ready"
        time.sleep(0.05)
    return proc, go


def test_reader_reads_committed_state_while_a_writer_holds_a_transaction(tmp_path):
    path = str(tmp_path / "i.db")
    build(path, _pairs(DOCS))
    proc, go = _start_holding_writer(tmp_path, path)
    try:
        with Index.open(path) as idx:
            assert idx.stats()["documents"] == 2
            assert trace(SPUN, idx, k=1)[0].id == "a"
    finally:
        open(go, "w").close()
        assert proc.wait(120) == 0
    assert _ids(path) == ["a", "b", "big", "small"]


def _killed_writer(tmp_path):
    """An index of DOCS and the pid of a writer killed with SIGKILL in the middle of an add."""
    path = str(tmp_path / "i.db")
    build(path, _pairs(DOCS))
    proc, _go = _start_holding_writer(tmp_path, path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)
    return path, proc.pid


def test_killed_writer_leaves_the_index_readable_and_writable(tmp_path):
    path, _ = _killed_writer(tmp_path)
    assert _ids(path) == ["a", "b"]
    assert trace(SPUN, path, k=1)[0].id == "a"
    with Index.open(path, writable=True) as idx:
        idx.add([("c", Source(id="c", text="after the crash"))])
    assert _ids(path) == ["a", "b", "c"]
    assert not os.path.exists(path + "-journal")


def test_a_writer_waiting_for_a_large_add_adds_to_what_it_wrote(tmp_path):
    import threading

    path = str(tmp_path / "i.db")
    build(path, _pairs(DOCS))
    proc, go = _start_holding_writer(tmp_path, path)  # a large add: it writes a copy of the index
    errors = []

    def add_c():
        try:
            with Index.open(path, writable=True) as idx:
                idx.add([("c", Source(id="c", text="a third document, added while another add ran"))])
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    waiter = threading.Thread(target=add_c)
    waiter.start()
    time.sleep(0.5)  # let it reach the write lock (if it has not, it simply goes second)
    open(go, "w").close()
    assert proc.wait(120) == 0
    waiter.join(120)
    assert errors == []
    assert _ids(path) == ["a", "b", "big", "c", "small"]


def test_a_killed_large_add_leaves_a_temporary_file_that_the_next_add_removes(tmp_path):
    path, pid = _killed_writer(tmp_path)
    left = [f.name for f in tmp_path.iterdir() if f.name.startswith(".i.db.tmp-")]
    assert left and all(f".tmp-{pid}-" in name for name in left)
    assert _ids(path) == ["a", "b"]
    with Index.open(path, writable=True) as idx:
        idx.add([("c", Source(id="c", text="after the crash"))])
    assert _ids(path) == ["a", "b", "c"]
    assert not [f.name for f in tmp_path.iterdir() if f.name.startswith(".i.db.tmp-")]


# Modifies every document in place with a one-page cache, so the database file itself holds
# uncommitted pages and only the journal can restore it; then waits to be killed.
_SPILLING_WRITER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA cache_size=1")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE docs SET text = 'overwritten ' || text, id = 'x' || id")
    conn.execute("UPDATE meta SET value = 'garbage'")
    open(sys.argv[2], "w").close()
    time.sleep(600)
""")


def test_read_only_open_recovers_a_hot_journal(tmp_path):
    path = str(tmp_path / "i.db")
    build(path, _pairs(DOCS + [Source(id=f"d{i}", text=f"filler {i} " * 400) for i in range(40)]))
    before = _ids(path)
    ready = str(tmp_path / "ready")
    proc = subprocess.Popen([sys.executable, "-c", _SPILLING_WRITER, path, ready])
    deadline = time.monotonic() + 60
    while not os.path.exists(ready):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)
    assert os.path.exists(path + "-journal")
    assert _ids(path) == before  # a read-only open: recovered, not "not an unspin trace index"
    assert not os.path.exists(path + "-journal")


def test_hot_journal_without_write_access_is_reported_as_such(tmp_path, monkeypatch):
    path = str(tmp_path / "i.db")
    build(path, _pairs(DOCS))
    open(path + "-journal", "wb").close()

    def no_write(*args, **kwargs):
        if "mode=ro" not in str(args[0]):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_connect(*args, **kwargs)

    real_connect = sqlite3.connect
    monkeypatch.setattr(dbfile.sqlite3, "connect", no_write)
    with pytest.raises(UnspinError, match=r"interrupted write .*unspin index stats"):
        Index.open(path)


def test_writer_waits_then_gives_a_clear_message(tmp_path, monkeypatch):
    path = str(tmp_path / "i.db")
    build(path, _pairs(DOCS))
    monkeypatch.setattr(dbfile, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Index.open(path, writable=True) as idx:
            with pytest.raises(UnspinError, match="being written by another process"):
                idx.add([("c", Source(id="c", text="blocked"))])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _ids(path) == ["a", "b"]


def test_add_waiting_while_a_build_replaces_the_index_stops(tmp_path):
    path = str(tmp_path / "i.db")
    build(path, _pairs(DOCS))
    with Index.open(path, writable=True) as idx:
        build(path, _pairs(DOCS[:1]))  # replaced under the open connection
        with pytest.raises(UnspinError, match="rebuilt by another process"):
            idx.add([("c", Source(id="c", text="lost"))])
    assert _ids(path) == ["a"]


# ----------------------------------------------------------------------------- 10: trace details

def test_text_report_keeps_the_query_punctuation_around_swaps():
    q = "Officials explained, on Sunday; rescuers (however) kept digging."
    m = compare(q, "Officials said on Sunday, and rescuers however really kept digging.")
    line = render_text("q", [m]).splitlines()[1]
    assert line == "   query : Officials [explained -> said], on Sunday; [-and] rescuers (however) [-really] kept digging"


@pytest.mark.parametrize("query,source", [(TEXT, ""), (TEXT, " \n\t "), ("", TEXT), ("\n", "\n")])
def test_empty_text_is_no_match_without_warnings(query, source, tmp_path, capsys):
    import warnings

    from unspin.cli.main import main

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compare(query, source).score == 0.0
        (tmp_path / "q.txt").write_text(query, encoding="utf-8")
        (tmp_path / "s.txt").write_text(source, encoding="utf-8")
        assert main(["trace", str(tmp_path / "q.txt"), "--against", str(tmp_path / "s.txt")]) == 0
    out = capsys.readouterr().out
    assert out == f"{tmp_path / 'q.txt'}: no likely source found\n"


def test_index_of_empty_documents_gives_no_match_without_warnings(tmp_path):
    import warnings

    build(str(tmp_path / "i.db"), [("e", Source(id="e", text="")), ("w", Source(id="w", text="  "))])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert trace(TEXT, str(tmp_path / "i.db")) == []


def test_build_removes_temp_files_of_dead_builds(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".i.db.tmp-{dead.pid}"
    stale2 = tmp_path / f".i.db.tmp-{dead.pid}-1234abcd"
    live = tmp_path / f".i.db.tmp-{os.getppid()}"
    other = tmp_path / f".other.db.tmp-{dead.pid}"
    for f in (stale, stale2, live, other):
        f.write_bytes(b"x" * 1000)
    build(str(tmp_path / "i.db"), _pairs(DOCS))
    assert not stale.exists() and not stale2.exists() and live.exists() and other.exists()


def test_index_build_reads_documents_by_type_and_warns_for_skipped_files(tmp_path, capsys):
    from unspin.cli.main import main

    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.txt").write_text(TEXT, encoding="utf-8")
    (d / "b.html").write_text("<html><body><p>Helicopters <b>landed</b> near Atmeh.</p></body></html>",
                              encoding="utf-8")
    (d / "c.pdf").write_bytes(b"%PDF-1.4\n garbage")
    (d / "d.md").write_bytes(b"\xff\xfe bad utf-8")
    out = str(tmp_path / "i.db")
    assert main(["index", "build", str(d), "-o", out]) == 0
    err = capsys.readouterr().err
    assert f"unspin: warning: {d / 'c.pdf'}: cannot read the PDF" in err
    assert f"unspin: warning: {d / 'd.md'}: invalid UTF-8" in err
    with Index.open(out) as idx:
        records = {idx.doc_record(n)[0]: idx.doc_record(n)[3] for n in range(2)}
    assert records == {"a.txt": TEXT, "b.html": "Helicopters landed near Atmeh."}
    # a file named directly is read by its type: a PDF is not JSONL, and a bad one is an error
    assert main(["index", "build", str(d / "c.pdf"), "-o", str(tmp_path / "j.db")]) == 1
    err = capsys.readouterr().err
    assert "cannot read the PDF" in err and "JSON" not in err
    assert main(["index", "build", str(d / "a.txt"), "-o", str(tmp_path / "k.db")]) == 0
    assert _ids(tmp_path / "k.db") == [str(d / "a.txt")]


def test_trace_jsonl_names_stdin_and_the_line_of_a_record_without_text(tmp_path, monkeypatch, capsysbinary):
    import io
    import sys as _sys

    from unspin.cli.main import main as cli_main

    src = tmp_path / "s.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Rescuers pulled twelve bodies from the rubble."}) + "\n")
    idx = str(tmp_path / "i.index")
    assert cli_main(["index", "build", str(src), "-o", idx]) == 0
    capsysbinary.readouterr()
    data = (json.dumps({"text": "Rescuers pulled twelve bodies."}) + "\n" + json.dumps({"body": "x"}) + "\n").encode()
    monkeypatch.setattr(_sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert cli_main(["trace", "-", "--index", idx, "--format", "jsonl"]) == 1
    err = capsysbinary.readouterr().err.decode()
    assert "<stdin>:2:" in err and "'text'" in err and "Traceback" not in err
