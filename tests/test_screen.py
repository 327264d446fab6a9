"""``unspin screen``: formats, fields and ids, the summary, bad records, existing outputs, and
--resume after a kill -9 (the output as a set of records equals an uninterrupted run's)."""

import contextlib
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TEXTS = [
    "The council met on Tuesday to discuss the budget for the coming year and the new roads.",
    "The committee gathered on Tuesday to examine the financial plan for the approaching year.",
    "Residents asked the council to keep the public library open on weekends.",
    "The mayor told reporters the final vote will take place next month.",
    "Local business owners have welcomed the proposal for better roads.",
    "Some people worry that the changes could lead to higher taxes in the future.",
    "Officials said there are no plans for a tax increase this year.",
]


def records(n=7, with_id=True):
    out = []
    for i in range(n):
        r = {"text": TEXTS[i % len(TEXTS)], "meta": {"n": i}, "lang": "en"}
        if with_id:
            r["id"] = f"doc{i}"
        out.append(r)
    return out


def write_jsonl(path, recs, raw_lines=()):
    lines = [json.dumps(r) for r in recs] + list(raw_lines)
    data = ("\n".join(lines) + "\n").encode()
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    elif str(path).endswith(".zst"):
        import zstandard

        data = zstandard.ZstdCompressor().compress(data)
    Path(path).write_bytes(data)


def read_out(path):
    path = str(path)
    if os.path.isdir(path):
        return [r for f in sorted(os.listdir(path)) if f.startswith("part-")
                for r in read_out(os.path.join(path, f))]
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    data = Path(path).read_bytes()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.endswith(".zst"):
        import zstandard

        import io

        # Shards are concatenated frames: read all of them.
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True).read()
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


def screen(run_cli, *args):
    return run_cli(["screen", *map(str, args), "--workers", "1"])


@pytest.mark.parametrize("ext", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_jsonl_formats_round_trip_keep_every_field(tmp_path, run_cli, ext):
    pytest.importorskip("zstandard")
    src = tmp_path / f"in{ext}"
    write_jsonl(src, records())
    out = tmp_path / f"out{ext}"
    code, _, err = screen(run_cli, src, "-o", out, "--shard-size", "3")
    assert code == 0, err
    got = read_out(out)
    assert [r["id"] for r in got] == [f"doc{i}" for i in range(7)]
    for r, orig in zip(got, records()):
        assert {k: r[k] for k in orig} == orig  # every input field kept, unchanged
        assert 0.0 <= r["spin_score"] <= 1.0 and isinstance(r["spin_spans"], list)
    assert not (tmp_path / f"out{ext}.parts").exists()  # the work folder is gone once done


def test_a_named_pipe_is_read_to_the_end(tmp_path, run_cli):
    """``unspin screen <(zcat corpus.jsonl.gz)``: a pipe has no file position to report progress
    from, and must not stop the job after its first unit."""
    import threading

    data = tmp_path / "data.jsonl"
    write_jsonl(data, records())
    src = tmp_path / "in.jsonl"
    os.mkfifo(src)
    feed = threading.Thread(target=lambda: src.write_bytes(data.read_bytes()))
    feed.start()
    out = tmp_path / "out.jsonl"
    code, _, err = screen(run_cli, src, "-o", out, "--shard-size", "3", "--workers", "1")
    feed.join(timeout=60)
    assert code == 0, err
    assert [r["id"] for r in read_out(out)] == [f"doc{i}" for i in range(7)]


def test_parquet_in_and_out(tmp_path, run_cli):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(records(with_id=False)), src)
    out = tmp_path / "out.parquet"
    code, _, err = screen(run_cli, src, "-o", out, "--shard-size", "4")
    assert code == 0, err
    got = read_out(out)
    assert [r["id"] for r in got] == [f"{src}:{n}" for n in range(1, 8)]  # FILE:ROW, 1-based
    assert [r["meta"] for r in got] == [{"n": i} for i in range(7)]
    assert all("spin_score" in r for r in got)


def test_folders_in_and_sharded_folder_out(tmp_path, run_cli):
    pytest.importorskip("pyarrow")
    d = tmp_path / "corpus"
    (d / "sub").mkdir(parents=True)
    write_jsonl(d / "a.jsonl", records(5))
    write_jsonl(d / "sub" / "b.jsonl.gz", [dict(r, id="b" + r["id"]) for r in records(3)])
    (d / "notes.txt").write_text("not a corpus file")
    out = tmp_path / "out"
    code, _, err = screen(run_cli, d, "-o", f"{out}/", "--shard-size", "2", "--output-format", "parquet")
    assert code == 0, err
    shards = sorted(p.name for p in out.iterdir() if p.name.startswith("part-"))
    assert shards == ["part-00000-000000.parquet", "part-00000-000001.parquet", "part-00000-000002.parquet",
                      "part-00001-000000.parquet", "part-00001-000001.parquet"]
    assert sorted(r["id"] for r in read_out(out)) == sorted([f"doc{i}" for i in range(5)] +
                                                           [f"bdoc{i}" for i in range(3)])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 8


def test_ids_added_from_file_and_line_and_id_field(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    recs = records(3, with_id=False)
    recs[1]["key"] = "mine"
    write_jsonl(src, recs)
    out = tmp_path / "out.jsonl"
    assert screen(run_cli, src, "-o", out)[0] == 0
    assert [r["id"] for r in read_out(out)] == [f"{src}:1", f"{src}:2", f"{src}:3"]
    out2 = tmp_path / "out2.jsonl"
    assert screen(run_cli, src, "-o", out2, "--id-field", "key")[0] == 0
    assert [r["key"] for r in read_out(out2)] == [f"{src}:1", "mine", f"{src}:3"]
    assert all("id" not in r for r in read_out(out2))


def test_summary_beside_the_output(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, records())
    out = tmp_path / "out.jsonl"
    code, _, err = screen(run_cli, src, "-o", out, "--threshold", "0.5", "--threshold", "0.0")
    assert code == 0, err
    s = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert s["documents"] == 7 and s["bad_records"] == 0 and s["bad"] == []
    assert s["words"] == sum(len(r["text"].split()) for r in records())
    assert sum(s["score_histogram"]["counts"]) == 7
    assert s["flagged_share"]["0"] == 1.0  # every score is >= 0
    scores = [r["spin_score"] for r in read_out(out)]
    assert s["flagged_share"]["0.5"] == round(sum(x >= 0.5 for x in scores) / 7, 4)
    assert {"elapsed_s", "docs_per_s", "mb_per_s", "text_mb"} <= set(s)


def test_restore_only_adds_restoration_fields(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, records(2))
    out = tmp_path / "out.jsonl"
    code, _, err = screen(run_cli, src, "-o", out, "--restore")
    assert code == 0, err
    got = read_out(out)
    assert all("restored" in r and "edits" in r and "spin_score" not in r for r in got)
    assert "flagged_share" not in json.loads((tmp_path / "out.jsonl.summary.json").read_text())


def test_bad_line_is_an_error_naming_file_and_line_unless_skipped(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    recs = records(4)
    lines = [json.dumps(r) for r in recs[:2]] + ['{"id": "x", "text": "unterminated'] + \
        [json.dumps(r) for r in recs[2:]] + ['{"id": "y"}']
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    code, _, err = screen(run_cli, src, "-o", out)
    assert code == 1
    assert f"unspin: error: {src}:3: not valid JSON" in err and "Traceback" not in err
    assert not out.exists()
    code, _, err = screen(run_cli, src, "-o", out, "--resume", "--skip-bad")
    assert code == 0, err
    assert [r["id"] for r in read_out(out)] == [f"doc{i}" for i in range(4)]
    s = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert s["bad_records"] == 2
    assert s["bad"][0].startswith(f"{src}:3: not valid JSON")
    assert s["bad"][1] == f"{src}:6: field 'text' is missing or not a string"


def test_existing_output_needs_resume_or_overwrite(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, records(2))
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    code, _, err = screen(run_cli, src, "-o", out)
    assert code == 2 and "exists and is not empty" in err
    assert out.read_text() == "old\n"
    assert screen(run_cli, src, "-o", out, "--overwrite")[0] == 0
    assert len(read_out(out)) == 2
    code, _, err = screen(run_cli, src, "-o", src.with_suffix(".jsonl"), "--overwrite")
    assert code == 2 and "is also an input" in err


def test_usage_errors(tmp_path, run_cli):
    src = tmp_path / "in.txt"
    src.write_text("hello")
    code, _, err = screen(run_cli, src, "-o", tmp_path / "o.jsonl")
    assert code == 2 and "unknown format" in err
    good = tmp_path / "in.jsonl"
    write_jsonl(good, records(1))
    code, _, err = screen(run_cli, good, "-o", tmp_path / "o.csv")
    assert code == 2 and "unknown output format" in err
    code, _, err = screen(run_cli, good, "-o", tmp_path / "o.jsonl", "--threshold", "2")
    assert code == 2


def _cli(*args):
    return [sys.executable, "-c", "import sys; from unspin.cli import main; sys.exit(main())", "screen", *args]


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))


def kill_after_first_shard(src, out, common) -> int:
    """Start ``screen SRC -o OUT COMMON``, SIGKILL it (parent and workers, as a crash would) once
    its manifest records a finished unit; the number of units done by then. SRC is fed to the job
    through a pipe at its path, a line at a time and never its last line, so the job cannot finish
    before the kill however fast it runs; SRC is the whole file again afterwards (what --resume
    reads)."""
    manifest = out.parent / (out.name + ".parts") / "_manifest.json"
    lines = Path(src).read_bytes().splitlines(keepends=True)
    full = Path(str(src) + ".full")
    os.replace(src, full)
    os.mkfifo(src)
    pipe = os.open(src, os.O_RDWR)  # a writer exists before the job opens it: neither side blocks
    p = subprocess.Popen(_cli(str(src), "-o", str(out), *common), env=_env(), start_new_session=True,
                         stderr=subprocess.DEVNULL)
    try:
        for i, line in enumerate(lines[:-1]):
            os.write(pipe, line)
            if _wait_for_a_unit(manifest, p, 0.3 if i < len(lines) - 2 else 300):
                break  # at least one shard is done: kill it mid-run
    finally:
        with contextlib.suppress(ProcessLookupError):  # (a job that died first: the assert says so)
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        os.close(pipe)
        os.unlink(src)
        os.replace(full, src)
    assert p.returncode == -signal.SIGKILL, "the job ended before the kill"
    return done_units(manifest)


def _wait_for_a_unit(manifest, p, seconds) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and p.poll() is None:
        if manifest.exists() and done_units(manifest):
            return True
        time.sleep(0.02)
    return False


def done_units(manifest) -> int:
    """Units the manifest records (its lines after the first; a line being written is not one).
    Read here, not through unspin: the first import of the package would let the job finish
    before the kill."""
    n = 0
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        try:
            n += "unit" in json.loads(line)
        except ValueError:
            pass
    return n


def test_resume_after_kill_9_loses_and_duplicates_nothing(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, records(24))
    common = ["--shard-size", "2", "--workers", "2"]
    whole = tmp_path / "whole.jsonl"
    subprocess.run(_cli(str(src), "-o", str(whole), *common), env=_env(), check=True, timeout=600)

    out = tmp_path / "out.jsonl"
    done = kill_after_first_shard(src, out, common)
    assert 1 <= done < 12, "the kill came too late to test resuming"
    assert not out.exists()

    code = subprocess.run(_cli(str(src), "-o", str(out), *common), env=_env(), timeout=600,
                          stderr=subprocess.PIPE, text=True)
    assert code.returncode == 2 and "--resume" in code.stderr
    subprocess.run(_cli(str(src), "-o", str(out), *common, "--resume"), env=_env(), check=True, timeout=600)
    a, b = read_out(out), read_out(whole)
    assert len(a) == len(b) == 24
    assert {r["id"]: r for r in a} == {r["id"]: r for r in b}
    s = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert s["documents"] == 24 and s["resumed_units"] == done


def test_hf_datasets_map_function_adds_columns():
    import pickle

    from unspin.annotate import AnnotateConfig, annotate
    from unspin.screening.integrations import HFAnnotate

    fn = pickle.loads(pickle.dumps(HFAnnotate(AnnotateConfig())))
    batch = {"id": ["a", "b", "c"], "text": [TEXTS[0], TEXTS[1], None]}
    out = fn(batch)
    assert out["id"] == ["a", "b", "c"] and out["text"] == batch["text"]
    want = annotate([{"id": "a", "text": TEXTS[0]}, {"id": "b", "text": TEXTS[1]}])
    assert out["spin_score"][:2] == [w["spin_score"] for w in want]
    assert out["spin_score"][2] is None and out["unspin_error"][2] == "field 'text' is missing or not a string"


def test_hf_datasets_map():
    datasets = pytest.importorskip("datasets")
    from unspin.annotate import annotate
    from unspin.screening.integrations import HFAnnotate

    ds = datasets.Dataset.from_dict({"id": ["a", "b"], "text": [TEXTS[0], TEXTS[1]]}).map(HFAnnotate(), batched=True)
    want = annotate([{"id": "a", "text": TEXTS[0]}, {"id": "b", "text": TEXTS[1]}])
    assert ds["spin_score"] == [w["spin_score"] for w in want]


def test_fast_scores_as_detect_fast_and_is_part_of_the_job(tmp_path, run_cli):
    from unspin.detection.detector import DetectConfig, get_detector

    src = tmp_path / "in.jsonl"
    write_jsonl(src, records(3))
    out = str(tmp_path / "out") + os.sep  # a folder of shards: its manifest stays
    code, _, err = screen(run_cli, src, "-o", out, "--fast", "--shard-size", "2")
    assert code == 0, err
    fast = get_detector(DetectConfig(fast=True))
    assert [r["spin_score"] for r in read_out(out)] == [round(fast.detect(r["text"]).score, 4) for r in records(3)]
    # A job started with --fast is not finished without it: the scores would mix two modes.
    code, _, err = screen(run_cli, src, "-o", out, "--resume", "--shard-size", "2")
    assert code == 2 and "other settings" in err


def test_fast_needs_detect(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, records(1))
    code, _, err = screen(run_cli, src, "-o", tmp_path / "o.jsonl", "--restore", "--fast")
    assert code == 2 and "--fast applies to --detect" in err
    code, _, err = screen(run_cli, src, "-o", tmp_path / "o.jsonl", "--restore", "--detect", "--fast")
    assert code == 0, err


def test_manifest_appends_a_line_per_unit_and_reads_both_formats(tmp_path):
    from unspin.errors import UnspinError
    from unspin.screening.manifest import MANIFEST, Manifest

    job = {"inputs": ["a.jsonl"], "shard_size": 2}
    m = Manifest(str(tmp_path), job)
    m.done("u1", {"documents": 2})
    size = (tmp_path / MANIFEST).stat().st_size
    m.done("u2", {"documents": 1})
    lines = (tmp_path / MANIFEST).read_text().splitlines()
    assert len(lines) == 3 and (tmp_path / MANIFEST).stat().st_size > size  # appended, not rewritten
    assert Manifest.load(str(tmp_path), job).units == {"u1": {"documents": 2}, "u2": {"documents": 1}}
    # A crash while appending leaves a cut line at the end: that unit is simply not done.
    with open(tmp_path / MANIFEST, "a") as f:
        f.write('{"unit": "u3", "sta')
    again = Manifest.load(str(tmp_path), job)
    assert set(again.units) == {"u1", "u2"}
    again.done("u3", {"documents": 4})
    assert set(Manifest.load(str(tmp_path), job).units) == {"u1", "u2", "u3"}
    # A cut line in the middle is damage, not a crash: an error, not a silent loss.
    lines = (tmp_path / MANIFEST).read_text().splitlines()
    (tmp_path / MANIFEST).write_text("\n".join(lines[:1] + ['{"unit": "u1", "sta'] + lines[2:]) + "\n")
    with pytest.raises(UnspinError, match="unreadable manifest line"):
        Manifest.load(str(tmp_path), job)
    # The earlier format (one JSON object) is read, and rewritten as lines.
    (tmp_path / MANIFEST).write_text(json.dumps({"job": job, "units": {"u1": {"documents": 2}}}))
    old = Manifest.load(str(tmp_path), job)
    assert old.units == {"u1": {"documents": 2}}
    assert len((tmp_path / MANIFEST).read_text().splitlines()) == 2
