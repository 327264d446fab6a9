"""annotate(): the one per-batch path shared by the CLI's JSONL modes, Ray and HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import unspin
from unspin.annotate import AnnotateConfig, Annotator, BadRecord, annotate
from unspin.detection.detector import DetectConfig
from unspin.restoration.restorer import RestoreConfig

EXAMPLE = (Path(__file__).resolve().parents[1] / "examples" / "atmeh-raid.spun.txt").read_text(encoding="utf-8")
CLEAN = "The committee met on Tuesday and approved the budget for the new school year."


def test_fields_equal_the_library_calls():
    recs = [{"id": "x", "text": EXAMPLE, "extra": [1, 2]}, {"id": "y", "text": CLEAN}]
    out = annotate(recs, AnnotateConfig(restore=RestoreConfig()))
    assert [r["id"] for r in out] == ["x", "y"] and out[0]["extra"] == [1, 2]
    for rec, got in zip(recs, out):
        d = unspin.detect(rec["text"])
        r = unspin.restore(rec["text"])
        assert got["spin_score"] == round(d.score, 4)
        assert got["spin_flagged"] == d.flagged(0.5)
        assert got["spin_spans"] == [s.to_dict() for s in d.spans]
        assert got["restored"] == r.text and got["edits"] == [e.to_dict() for e in r.edits]
    assert recs[0].keys() == {"id", "text", "extra"}  # inputs are not modified


def test_threshold_and_detect_config_are_used():
    d = unspin.detect(EXAMPLE, fast=True)
    got = annotate([{"text": EXAMPLE}], AnnotateConfig(detect=DetectConfig(fast=True), threshold=0.99))[0]
    assert got["spin_score"] == round(d.score, 4)
    assert got["spin_flagged"] is (d.score >= 0.99)
    assert "restored" not in got and "matches" not in got


def test_bad_records_raise_or_are_marked():
    a = Annotator(AnnotateConfig(detect=None, restore=RestoreConfig(), text_field="body"))
    with pytest.raises(BadRecord, match="record 1: field 'body'"):
        a([{"body": "ok"}, {"text": "wrong field"}])
    marked = Annotator(AnnotateConfig(detect=None, restore=RestoreConfig(), text_field="body", on_bad="mark"))
    out = marked([{"body": "ok"}, {"id": 7, "body": None}])
    assert len(out) == 2 and out[1] == {"id": 7, "body": None, "unspin_error": "field 'body' is missing or not a string"}
    with pytest.raises(ValueError):
        AnnotateConfig(on_bad="ignore")


def test_trace_matches(story_index):
    a = Annotator(AnnotateConfig(detect=None, trace_index=story_index, trace_k=1))
    try:
        got = a([{"text": "Rescuers pulled out at least 12 our bodies from the rubble of a multi-story constructing."}])
    finally:
        a.close()
    assert got[0]["matches"][0]["id"] == "raid" and len(got[0]["matches"]) == 1


def test_cli_jsonl_records_are_annotate_records(run_cli, tmp_path):
    f = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": EXAMPLE}, {"id": "b", "text": CLEAN}]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, out, err = run_cli(["detect", "--format", "jsonl", str(f)])
    assert code == 0, err
    assert [json.loads(x) for x in out.splitlines()] == annotate(rows)
    code, out, err = run_cli(["restore", "--format", "jsonl", str(f)])
    assert code == 0, err
    assert [json.loads(x) for x in out.splitlines()] == annotate(rows, AnnotateConfig(detect=None, restore=RestoreConfig()))
