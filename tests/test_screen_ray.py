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
    shards = [tmp_path / "ray" / f for f in os.listdir(tmp_path / "ray") if f != "summary.json"]
    remote = {r["id"]: _plain(r) for f in shards for r in read_out(f)}
    assert remote == local
    summary = json.loads((tmp_path / "ray" / "summary.json").read_text())
    assert summary["documents"] == 5 and summary["engine"] == "ray"


def test_engine_ray_wants_a_folder(tmp_path, run_cli, local_ray):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, records(1))
    code, _, err = run_cli(["screen", str(src), "-o", str(tmp_path / "o.jsonl"), "--engine", "ray"])
    assert code == 2 and "folder" in err
