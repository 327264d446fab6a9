"""tools/analysis/screen_ids.py: the check that a screen job lost and repeated no record."""

import json

from tools.analysis.screen_ids import check, main


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_every_id_once_passes_and_each_fault_is_counted(tmp_path):
    src = _write(tmp_path / "in.jsonl", [{"id": f"d{i}", "text": "x"} for i in range(5)])
    good = _write(tmp_path / "good.jsonl", [{"id": f"d{i}", "text": "x", "spin_score": 0.1} for i in (4, 2, 0, 1, 3)])
    assert main([src, good]) == 0
    # the id not first, so the record is parsed
    bad = _write(tmp_path / "bad.jsonl", [{"text": "x", "id": i} for i in ("d0", "d1", "d1", "d9")])
    assert check(src, [bad]) == {"input_records": 5, "input_ids": 5, "output_records": 4, "duplicated": 1,
                                 "not_in_input": 1, "missing": 3}
    assert main([src, bad]) == 1
    # outputs split over files count together
    a = _write(tmp_path / "a.jsonl", [{"id": "d0"}, {"id": "d1"}])
    b = _write(tmp_path / "b.jsonl", [{"id": "d2"}, {"id": "d3"}, {"id": "d4"}])
    assert main([src, a, b]) == 0


def test_a_repeated_input_id_fails(tmp_path):
    src = _write(tmp_path / "in.jsonl", [{"id": "d0"}, {"id": "d0"}])
    out = _write(tmp_path / "out.jsonl", [{"id": "d0"}])
    assert main([src, out]) == 1
