"""Reliability of the core: empty documents are no evidence, memory stays bounded on huge
inputs (windowed restore and detect), and suggestions a person is shown are fit to show."""

from __future__ import annotations

import json

import pytest

import unspin
from unspin.results import Detection


# ------------------------------------------------------------------ empty documents (issue 15, item 7)

@pytest.mark.parametrize("text", ["", "   \n\t", "!!! ... --"])
@pytest.mark.parametrize("options", [{}, {"fast": True}, {"mode": "fingerprints"}])
def test_empty_document_is_never_flagged(text, options):
    d = unspin.detect(text, **options)
    assert d.words == 0 and d.spans == []
    assert not d.flagged() and not d.flagged(0.0)
    assert d.label == "no text"
    obj = d.to_dict()
    assert obj["label"] == "no text" and obj["score"] == 0.5


def test_empty_document_exit_code_and_folder(run_cli, tmp_path):
    for i in range(3):
        (tmp_path / f"e{i}.txt").write_text(" \n" * i, encoding="utf-8")
    code, out, err = run_cli(["detect", "--fail-above", "0.5", str(tmp_path / "e1.txt")])
    assert code == 0, (out, err)
    code, out, err = run_cli(["detect", "--fail-above", "0.0", "--json", str(tmp_path)])
    assert code == 0, (out, err)
    objs = json.loads(out)
    assert len(objs) == 3 and not any(o["flagged"] for o in objs)
    code, out, err = run_cli(["detect", "--fail-above", "0.5"], b"   \n")
    assert code == 0 and "FLAG" not in out


def test_empty_document_jsonl_and_report(run_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": ""}\n{"text": "  "}\n', encoding="utf-8")
    html = tmp_path / "r.html"
    code, out, err = run_cli(["detect", "--format", "jsonl", "--fail-above", "0.5", "--html", str(html), str(src)])
    assert code == 0, err
    assert [json.loads(x)["spin_flagged"] for x in out.splitlines()] == [False, False]
    page = html.read_text(encoding="utf-8")
    assert "no text" in page and "0 flagged" in page


def test_detection_with_no_words_is_never_flagged():
    assert not Detection(0.99, [], 0).flagged()
    assert Detection(0.99, [], 1).flagged()
