import json


def test_restore_stdin_to_stdout(run_cli):
    code, out, err = run_cli(["restore"], b"One resident mentioned 12 folks have been killed.\n")
    assert code == 0, err
    assert out.endswith("\n") and "killed" in out


def test_empty_input(run_cli):
    code, out, err = run_cli(["restore"], b"")
    assert code == 0 and out == ""


def test_invalid_utf8_names_offset(run_cli):
    code, out, err = run_cli(["restore"], b"abc \xff def\n")
    assert code == 1
    assert "byte offset 4" in err and "Traceback" not in err


def test_invalid_utf8_replace(run_cli):
    code, out, err = run_cli(["restore", "--errors", "replace"], b"abc \xff def\n")
    assert code == 0 and "\ufffd" in out


def test_binary_refused(run_cli, tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x00\x01\x02binary")
    code, out, err = run_cli(["restore", str(p)])
    assert code == 1 and "binary" in err


def test_missing_file(run_cli):
    code, out, err = run_cli(["restore", "/nonexistent/file.txt"])
    assert code == 1 and "no such file" in err


def test_usage_error_exit_2(run_cli):
    code, out, err = run_cli(["restore", "--no-such-flag"])
    assert code == 2


def test_json_output(run_cli):
    code, out, err = run_cli(["restore", "--json"], b"The navy mentioned it.")
    assert code == 0
    d = json.loads(out)
    assert set(d) == {"text", "edits"}


def test_jsonl_one_line_per_line_and_bad_lines(run_cli):
    good = b'{"id": 1, "text": "folks have been killed"}\n{"id": 2, "text": "fine"}\n'
    code, out, err = run_cli(["restore", "--format", "jsonl"], good)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    assert all("restored" in r and "edits" in r for r in rows)

    bad = b'{"id": 1, "text": "a"}\n{not json\n{"id": 3, "text": "c"}\n'
    code, out, err = run_cli(["restore", "--format", "jsonl"], bad)
    assert code == 1 and "2" in err and "Traceback" not in err
    code, out, err = run_cli(["restore", "--format", "jsonl", "--skip-bad"], bad)
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [1, 3]
    assert "skipped 1" in err


def test_diff_marks_edits(run_cli):
    code, out, err = run_cli(["restore", "--diff", "--color", "never", "--threshold", "-3"],
                             b"One resident mentioned at the least 12 folks have been killed.")
    assert code == 0
    assert "[-" in out and "{+" in out


def test_output_file(run_cli, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("Folks have been killed.\n", encoding="utf-8")
    dst = tmp_path / "out.txt"
    code, out, err = run_cli(["restore", str(src), "-o", str(dst)])
    assert code == 0 and dst.read_text(encoding="utf-8").endswith("\n")
