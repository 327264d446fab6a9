"""The Ray engine gives the same records as the local path (skipped when Ray is not installed)."""

import json
import os

import pytest

from test_screen import read_out, records, write_jsonl

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")


@pytest.fixture(scope="module")
def local_ray():
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield ray
    if started:
        ray.shutdown()


def _plain(x):
    """``x`` without null fields, at every depth: Ray's columnar blocks give every record (and
    every nested object, such as a span's evidence) every field of its column, null where absent."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def test_ray_screen_api_equals_the_annotator(local_ray):
    from unspin.annotate import AnnotateConfig, annotate
    from unspin.screening import ray_screen

    recs = records(5)
    got = ray_screen(ray.data.from_items(recs), AnnotateConfig(), batch_size=2, concurrency=1).take_all()
    want = annotate([dict(r) for r in recs], AnnotateConfig())
    assert sorted((_plain(r) for r in got), key=lambda r: r["id"]) == _plain(want)


def test_engine_ray_equals_local_records(tmp_path, run_cli, local_ray):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, records(5))
    code, _, err = run_cli(["screen", str(src), "-o", str(tmp_path / "local.jsonl"), "--workers", "1"])
    assert code == 0, err
    code, _, err = run_cli(["screen", str(src), "-o", f"{tmp_path / 'ray'}/", "--engine", "ray"])
    assert code == 0, err
    local = {r["id"]: _plain(r) for r in read_out(tmp_path / "local.jsonl")}
    shards = [tmp_path / "ray" / f for f in os.listdir(tmp_path / "ray") if f not in ("summary.json", "_manifest.json")]
    remote = {r["id"]: _plain(r) for f in shards for r in read_out(f)}
    assert remote == local
    summary = json.loads((tmp_path / "ray" / "summary.json").read_text())
    assert summary["documents"] == 5 and summary["engine"] == "ray"


def test_engine_ray_wants_a_folder(tmp_path, run_cli, local_ray):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, records(1))
    code, _, err = run_cli(["screen", str(src), "-o", str(tmp_path / "o.jsonl"), "--engine", "ray"])
    assert code == 2 and "folder" in err


def _shards(folder):
    return {r["id"]: _plain(r) for f in sorted(os.listdir(folder)) if not f.startswith(("summary", "_"))
            for r in read_out(folder / f)}


def test_engine_ray_resume_after_a_failed_unit(tmp_path, run_cli, local_ray):
    from unspin.annotate import AnnotateConfig
    from unspin.screening.ray_engine import ray_screen_files

    recs = records(6)
    srcs = [tmp_path / f"in{i}.jsonl" for i in range(3)]
    for i, src in enumerate(srcs):
        write_jsonl(src, recs[2 * i:2 * i + 2])
    code, _, err = run_cli(["screen", *map(str, srcs), "-o", f"{tmp_path / 'whole'}/", "--engine", "ray"])
    assert code == 0, err
    whole = _shards(tmp_path / "whole")
    assert len(whole) == 6

    good = srcs[2].read_text()
    srcs[2].write_text("{not json\n")  # the third unit fails: the driver stops there
    out = tmp_path / "out"
    with pytest.raises(Exception):
        ray_screen_files([str(s) for s in srcs], f"{out}/", AnnotateConfig())
    assert len(_shards(out)) == 4  # units 0 and 1 are done (and in the manifest)
    # What a driver killed inside unit 2 would leave: a shard moved, a temporary folder.
    (out / "u00002-partial.json").write_text(json.dumps(recs[4]) + "\n")
    (out / ".tmp-u00002").mkdir(exist_ok=True)
    srcs[2].write_text(good)
    code, _, err = run_cli(["screen", *map(str, srcs), "-o", f"{out}/", "--engine", "ray"])
    assert code == 2 and "--resume" in err  # not without --resume
    code, _, err = run_cli(["screen", *map(str, srcs), "-o", f"{out}/", "--engine", "ray", "--resume"])
    assert code == 0, err
    assert _shards(out) == whole
    assert not (out / ".tmp-u00002").exists() and not (out / "u00002-partial.json").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 6 and summary["resumed_units"] == 2 and summary["run_documents"] == 2


def test_engine_ray_resume_with_other_inputs_is_a_usage_error(tmp_path, run_cli, local_ray):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(a, records(2))
    write_jsonl(b, records(2))
    code, _, err = run_cli(["screen", str(a), "-o", f"{tmp_path / 'out'}/", "--engine", "ray"])
    assert code == 0, err
    code, _, err = run_cli(["screen", str(a), str(b), "-o", f"{tmp_path / 'out'}/", "--engine", "ray", "--resume"])
    assert code == 2 and "other settings" in err
