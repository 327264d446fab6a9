"""Reliability of input and output (issue 15, items 1, 4, 6, 8, 9, 11), by fault injection:
outputs are replaced only on success (an error, an interrupt, a kill -9 or a full disk leaves the
old file), an output that is an input is refused, special files are never read, lone surrogates
and BOMs are handled, and every bad JSONL line is named ``FILE:LINE: reason``."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unspin.errors import UnspinError
from unspin.inputs.extract import expand_inputs, walk
from unspin.inputs.textio import iter_jsonl, open_output

ROOT = Path(__file__).resolve().parents[1]
SPUN = (ROOT / "examples" / "atmeh-raid.spun.txt").read_text(encoding="utf-8")
CLI = "import sys; from unspin.cli import main; sys.exit(main())"


def _cli(args, *, stdin=None, stdout=subprocess.PIPE, timeout=120, **kw):
    """The CLI in a child process (real file descriptors: /dev/full, FIFOs, signals)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-c", CLI, *args], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, env=env, timeout=timeout, **kw)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


# ----------------------------------------------------------------------------- 1: -o never destroys

@pytest.mark.parametrize("args", [
    ["restore", "{src}", "-o", "{src}"],
    ["restore", "--format", "jsonl", "{jsonl}", "-o", "{jsonl}"],
    ["detect", "--fast", "--json", "{src}", "-o", "{src}"],
    ["detect", "--fast", "{src}", "--html", "{src}"],
    ["detect", "--fast", "{folder}", "-o", "{folder}/a.txt"],
    ["detect", "--fast", "{src}", "-o", "{link}"],
    ["trace", "--against", "{other}", "{src}", "-o", "{src}"],
])
def test_output_that_is_an_input_is_refused(run_cli, tmp_path, args):
    src = tmp_path / "s.txt"
    src.write_text(SPUN, encoding="utf-8")
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text('{"text": "folks have been killed"}\n', encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(SPUN, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(src)
    other = tmp_path / "o.txt"
    other.write_text(SPUN, encoding="utf-8")
    names = dict(src=src, jsonl=jsonl, folder=folder, link=tmp_path / "link.txt", other=other)
    before = {p: p.read_bytes() for p in (src, jsonl, folder / "a.txt")}
    code, out, err = run_cli([a.format(**names) for a in args])
    assert code == 2, err
    assert "is also an input" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in before} == before


def test_new_output_beside_inputs_is_fine(run_cli, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(SPUN, encoding="utf-8")
    code, out, err = run_cli(["detect", "--fast", str(folder), "-o", str(folder / "report.tsv")])
    assert code == 0, err
    assert "a.txt" in (folder / "report.tsv").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,stdin", [
    (["restore", "{missing}"], b""),
    (["restore", "-"], b"abc \xff def\n"),
    (["restore", "--json", "-"], b"abc \xff def\n"),
    (["detect", "--fast", "--json", "-"], b"\x00binary"),
    # two good records, then a bad line: nothing of the run may replace the old file
    (["restore", "--format", "jsonl", "-"], b'{"text": "a"}\n{"text": "b"}\n{bad\n'),
    (["detect", "--fast", "--format", "jsonl", "-"], b'{"text": "a"}\n{"text": "b"}\n{bad\n'),
])
def test_failed_run_keeps_the_old_output(run_cli, tmp_path, args, stdin):
    keep = tmp_path / "keep.txt"
    keep.write_text("previous result\n", encoding="utf-8")
    args = [a.format(missing=tmp_path / "missing.txt") for a in args]
    code, out, err = run_cli([*args, "-o", str(keep)], stdin)
    assert code == 1, err
    assert keep.read_text(encoding="utf-8") == "previous result\n"
    assert _leftovers(tmp_path) == []


def test_interrupt_during_a_run_keeps_the_old_output(run_cli, tmp_path, monkeypatch):
    from unspin.annotate import Annotator

    calls = []
    real = Annotator.fields

    def fields(self, text):
        calls.append(text)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, text)

    monkeypatch.setattr(Annotator, "fields", fields)
    keep = tmp_path / "out.jsonl"
    keep.write_text("old\n", encoding="utf-8")
    code, out, err = run_cli(["restore", "--format", "jsonl", "-o", str(keep)],
                             b'{"text": "a"}\n{"text": "b"}\n{"text": "c"}\n')
    assert code == 130
    assert keep.read_text(encoding="utf-8") == "old\n" and _leftovers(tmp_path) == []


def test_output_is_replaced_only_on_success(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    with pytest.raises(RuntimeError):
        with open_output(str(target)) as f:
            f.write("half of the new")
            assert _leftovers(tmp_path) != []  # the new content goes to a temporary file
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old" and _leftovers(tmp_path) == []
    with open_output(str(target)) as f:
        f.write("new")
    assert target.read_text(encoding="utf-8") == "new" and _leftovers(tmp_path) == []
    assert target.stat().st_mode & 0o777 == 0o640  # the old file's permissions are kept


def test_output_through_a_symlink_replaces_the_file_not_the_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with open_output(str(link)) as f:
        f.write("new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_output_to_a_device_is_written_directly():
    with open_output(os.devnull) as f:
        f.write("discarded")
    assert os.path.exists(os.devnull) and not Path(os.devnull).is_file()


def test_output_to_dev_stdout_appends_to_what_the_shell_opened(tmp_path):
    log = tmp_path / "log.txt"
    log.write_text("first\n", encoding="utf-8")
    with open(log, "a") as f:  # `unspin restore -o /dev/stdout >> log.txt`
        r = _cli(["restore", "-o", "/dev/stdout"], input=b"Folks have been killed.\n", stdout=f)
    assert r.returncode == 0, r.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("first\n") and "killed" in text and _leftovers(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_kill_during_a_write_keeps_the_old_output(tmp_path, sig):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    p = subprocess.Popen([sys.executable, "-c", CLI, "detect", "--fast", "--format", "jsonl", "-o", str(out)],
                         stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        p.stdin.write(b'{"text": "One resident mentioned 12 folks have been killed."}\n')
        p.stdin.flush()
        deadline = time.monotonic() + 120
        # detect flushes each record: wait until the first one is on disk in the temporary file
        while not any((tmp_path / n).stat().st_size for n in _leftovers(tmp_path)):
            assert time.monotonic() < deadline and p.poll() is None
            time.sleep(0.1)
        p.send_signal(sig)
        p.wait(30)
    finally:
        if p.poll() is None:
            p.kill()
    assert out.read_text(encoding="utf-8") == "old\n"
    if sig == signal.SIGTERM:  # a polite kill also removes the temporary file
        assert p.returncode == 128 + signal.SIGTERM and _leftovers(tmp_path) == []


def test_the_next_write_removes_temporary_files_that_dead_writers_left(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its PID now names no process: what `kill -9` during a write leaves behind
    out = tmp_path / "out.txt"
    stale = [tmp_path / f".out.txt.tmp-{dead.pid}-0badcafe", tmp_path / f".out.txt.tmp-{dead.pid}"]
    kept = [tmp_path / f".out.txt.tmp-{os.getppid()}-0badcafe",  # a live writer's (our parent)
            tmp_path / f".other.txt.tmp-{dead.pid}-0badcafe"]    # another target's
    for f in stale + kept:
        f.write_text("partial", encoding="utf-8")
    with open_output(str(out)) as f:
        f.write("new\n")
    assert out.read_text(encoding="utf-8") == "new\n"
    assert [f.exists() for f in stale + kept] == [False, False, True, True]


# ----------------------------------------------------------------------------- 6: full disk

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("cmd", [["restore"], ["detect", "--fast"], ["restore", "--json"]])
def test_full_disk_is_a_one_line_error(tmp_path, cmd):
    src = tmp_path / "s.txt"
    src.write_text(SPUN, encoding="utf-8")
    r = _cli([*cmd, str(src), "-o", "/dev/full"])
    err = r.stderr.decode()
    assert r.returncode == 1 and err.strip().splitlines() == [
        "unspin: error: /dev/full: cannot write (No space left on device)"]
    with open("/dev/full", "wb") as full:
        r = _cli([*cmd, str(src)], stdout=full)
    err = r.stderr.decode()
    assert r.returncode == 1 and err.strip().splitlines() == [
        "unspin: error: <stdout>: cannot write (No space left on device)"]


# ----------------------------------------------------------------------------- 8: special files

def test_walk_skips_named_pipes_and_warns(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    assert list(walk(str(tmp_path))) == [str(tmp_path / "a.txt")]
    err = capsys.readouterr().err
    assert f"unspin: warning: {tmp_path / 'pipe.txt'}: skipped (named pipe)" in err
    assert f"unspin: warning: {tmp_path / 'gone.md'}: skipped (broken link)" in err
    assert "2 path(s) skipped" in err


def test_detect_on_a_folder_with_a_fifo_does_not_hang(tmp_path):
    (tmp_path / "a.txt").write_text(SPUN, encoding="utf-8")
    os.mkfifo(tmp_path / "b.txt")
    r = _cli(["detect", "--fast", str(tmp_path)], timeout=120)
    assert r.returncode == 0, r.stderr
    assert "a.txt" in r.stdout.decode() and "skipped (named pipe)" in r.stderr.decode()


@pytest.mark.parametrize("cmd", [["detect", "--fast"], ["restore"], ["restore", "--format", "jsonl"],
                                 ["detect", "--fast", "--format", "jsonl"]])
def test_a_fifo_named_on_the_command_line_is_refused(tmp_path, cmd):
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    r = _cli([*cmd, str(fifo)], timeout=120)  # (it used to block forever)
    assert r.returncode == 1 and "is a named pipe" in r.stderr.decode()


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_a_pipe_on_standard_input_is_still_read(name):
    r = _cli(["restore", name], input=b"Folks have been killed.\n")
    assert r.returncode == 0 and b"killed" in r.stdout


def _unreadable(path: Path) -> bool:
    path.chmod(0)
    return not os.access(path, os.R_OK)


def test_unreadable_subfolder_is_warned_about(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.txt").write_text("text", encoding="utf-8")
    try:
        if not _unreadable(sub):
            pytest.skip("running as root: chmod 000 does not stop reading")
        assert list(expand_inputs([str(tmp_path)])) == [str(tmp_path / "a.txt")]
    finally:
        sub.chmod(0o755)
    err = capsys.readouterr().err
    assert f"{sub}: skipped (unreadable folder" in err and "1 path(s) skipped" in err


def test_unreadable_subfolder_is_warned_about_even_as_root(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.txt").write_text("text", encoding="utf-8")
    real = os.scandir

    def scandir(path="."):  # what the OS does for a chmod-000 folder and a user without rights
        if os.fspath(path) == str(sub):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert list(expand_inputs([str(tmp_path)])) == [str(tmp_path / "a.txt")]
    err = capsys.readouterr().err
    assert f"unspin: warning: {sub}: skipped (unreadable folder: Permission denied)" in err
    assert "1 path(s) skipped" in err
    monkeypatch.setattr(os, "scandir", lambda path=".": (_ for _ in ()).throw(
        PermissionError(13, "Permission denied", os.fspath(path))))
    with pytest.raises(UnspinError, match="cannot read the folder"):
        list(expand_inputs([str(tmp_path)]))


# ----------------------------------------------------------------------------- 4: lone surrogates

LONE = b'{"id": 1, "text": "a \\ud800 b"}\n{"id": 2, "text": "fine"}\n'


@pytest.mark.parametrize("cmd", [["restore", "--format", "jsonl"], ["detect", "--fast", "--format", "jsonl"]])
def test_lone_surrogate_is_an_error_skipped_or_replaced(run_cli, cmd):
    code, out, err = run_cli(cmd, LONE)
    assert code == 1 and "<stdin>:1: a string holds a lone surrogate" in err and "Traceback" not in err
    code, out, err = run_cli([*cmd, "--skip-bad"], LONE)
    assert code == 0 and [json.loads(x)["id"] for x in out.splitlines()] == [2]
    assert "<stdin>:1: a string holds a lone surrogate" in err and "skipped 1 bad line" in err
    code, out, err = run_cli([*cmd, "--errors", "replace"], LONE)
    assert code == 0, err
    assert [json.loads(x)["text"] for x in out.splitlines()] == ["a \ufffd b", "fine"]


def test_lone_surrogate_in_index_build_and_trace(run_cli, tmp_path):
    src = tmp_path / "s.jsonl"
    src.write_bytes(LONE)
    index = str(tmp_path / "i.idx")
    code, out, err = run_cli(["index", "build", str(src), "-o", index])
    assert code == 1 and f"{src}:1: a string holds a lone surrogate" in err
    code, out, err = run_cli(["index", "build", str(src), "-o", index, "--errors", "replace"])
    assert code == 0, err
    code, out, err = run_cli(["trace", "--index", index, "--format", "jsonl", str(src)])
    assert code == 1 and f"{src}:1: a string holds a lone surrogate" in err
    code, out, err = run_cli(["trace", "--index", index, "--format", "jsonl", str(src), "--errors", "replace"])
    assert code == 0 and json.loads(out.splitlines()[0])["matches"][0]["id"] == "1"


def test_iter_jsonl_surrogates_in_keys_and_nested_values(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"k\\udc00": ["ok", {"t": "x\\ud800"}], "pair": "\\ud83d\\ude00", "lit": "\\\\ud800"}\n',
                 encoding="utf-8")
    with pytest.raises(UnspinError, match=r"x.jsonl:1: a string holds a lone surrogate"):
        list(iter_jsonl(str(p)))
    [(n, obj)] = list(iter_jsonl(str(p), errors="replace"))
    assert obj == {"k\ufffd": ["ok", {"t": "x\ufffd"}], "pair": "\U0001f600", "lit": "\\ud800"}
    json.dumps(obj, ensure_ascii=False).encode("utf-8")  # writable as UTF-8


def test_valid_surrogate_pairs_are_not_lone(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"text": "smile \\ud83d\\ude00 \\\\ud800"}\n', encoding="utf-8")
    assert list(iter_jsonl(str(p))) == [(1, {"text": "smile \U0001f600 \\ud800"})]


def test_deeply_nested_json_is_an_error(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text("[" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(UnspinError, match=r"x.jsonl:1: not valid JSON: nested too deeply"):
        list(iter_jsonl(str(p)))


# ----------------------------------------------------------------------------- 9: BOM

@pytest.fixture
def bom_file(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbf" + SPUN.encode("utf-8"))
    return p


def test_bom_restore_offsets_index_the_file_text(run_cli, bom_file):
    text = bom_file.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    code, out, err = run_cli(["restore", "--json", str(bom_file)])
    edits = json.loads(out)["edits"]
    assert code == 0 and edits
    assert all(text[e["start"]:e["end"]] == e["spun"] for e in edits)


def test_bom_detect_spans_and_trace_passages_index_the_file_text(run_cli, bom_file, tmp_path):
    text = bom_file.read_text(encoding="utf-8")
    code, out, err = run_cli(["detect", "--json", str(bom_file)])
    spans = json.loads(out)["spans"]
    assert code == 0 and spans and all(text[s["start"]:s["end"]] == s["text"] for s in spans)
    source = tmp_path / "source.txt"
    source.write_text(SPUN, encoding="utf-8")
    code, out, err = run_cli(["trace", "--format", "json", "--against", str(source), str(bom_file)])
    passages = [p for m in json.loads(out)["matches"] for p in m["passages"]]
    assert code == 0 and passages
    assert all(text[p["query_start"]:p["query_end"]] == p["query_text"] for p in passages)


def test_bom_is_kept_in_restored_text(run_cli, bom_file):
    code, out, err = run_cli(["restore", str(bom_file)])
    assert code == 0 and out.startswith("\ufeff")


def test_bom_before_the_first_jsonl_line(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"text": "a"}\n{"text": "b"}\n')
    assert [o["text"] for _, o in iter_jsonl(str(p))] == ["a", "b"]


# ----------------------------------------------------------------------------- 11: messages

@pytest.mark.parametrize("cmd", [["restore", "--format", "jsonl"], ["detect", "--fast", "--format", "jsonl"]])
def test_bad_lines_are_named_file_and_line(run_cli, tmp_path, cmd):
    p = tmp_path / "r.jsonl"
    p.write_bytes(b'{"text": "a"}\n{"id": 2}\n')
    code, out, err = run_cli([*cmd, str(p)])
    assert code == 1 and f"unspin: error: {p}:2: field 'text' is missing or not a string" in err
    code, out, err = run_cli(cmd, b'{"text": "a"}\n{"id": 2}\n')
    assert code == 1 and "unspin: error: <stdin>:2: field 'text' is missing or not a string" in err
    code, out, err = run_cli(cmd, b'{"text": "a\x01b"}\n')
    assert code == 1 and "<stdin>:1: not valid JSON: Invalid control character at column 12" in err


def test_skip_bad_lists_each_skipped_line_then_a_count(run_cli):
    lines = [b'{"text": "ok"}'] + [b"{bad %d" % i for i in range(25)] + [b'{"nope": 1}']
    code, out, err = run_cli(["restore", "--format", "jsonl", "--skip-bad"], b"\n".join(lines) + b"\n")
    assert code == 0 and len(out.splitlines()) == 1
    warnings = [x for x in err.splitlines() if x.startswith("unspin: warning: <stdin>:")]
    assert len(warnings) == 20
    assert warnings[0] == "unspin: warning: <stdin>:2: not valid JSON: Expecting property name enclosed in " \
                          "double quotes at column 2 (line skipped)"
    assert "unspin: skipped 26 bad line(s); 6 not listed above" in err
