"""tools/analysis/restore_report.py on tiny fixtures: ``--only`` runs the named rows and prints a
markdown table; a missing input is a one-line error."""

import json

from tools.analysis import restore_report

CLEAN = ["The council approved the new budget on Tuesday after a long debate about roads.",
         "Residents said the library would stay open during the repairs next month."]
PAIRS = [{"id": "s01-p01", "family": "synonym", "spun": "Officials mentioned the raid.",
          "original": "Officials said the raid."},
         {"id": "s01-p02", "family": "synonym", "spun": "Folks left.", "original": "People left."},
         {"id": "w9-p01", "family": "synonym", "spun": "He mentioned it.", "original": "He said it."}]


def _files(tmp_path):
    clean = tmp_path / "clean.jsonl"
    clean.write_text("".join(json.dumps({"id": f"c{k}", "text": t}) + "\n" for k, t in enumerate(CLEAN)),
                     encoding="utf-8")
    wild = tmp_path / "wild.jsonl"
    wild.write_text("".join(json.dumps(r) + "\n" for r in PAIRS), encoding="utf-8")
    return clean, wild


def test_only_rows_print_a_table_and_json(tmp_path, capsys):
    clean, wild = _files(tmp_path)
    out_json = tmp_path / "report.json"
    code = restore_report.main(["--only", "clean", "--only", "s01", "--clean", str(clean), "--wild", str(wild),
                                "--json", str(out_json), "--jobs", "2"])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    assert lines[0].startswith("| row | data | mode | repair")
    assert [line.split(" | ")[0] for line in lines[1:]] == ["| s01", "| clean"]  # the report's order
    rows = json.loads(out_json.read_text(encoding="utf-8"))["rows"]
    assert [r["row"] for r in rows] == ["s01", "clean"]
    assert rows[0]["articles"] == ["s01"] and rows[0]["E_spun"] == 2
    assert rows[1]["original_words"] == 14 + 12 and rows[1]["by_article"] is True  # two paragraphs, one article


def test_missing_input_is_one_line_error(tmp_path, capsys):
    code = restore_report.main(["--only", "clean", "--clean", str(tmp_path / "nope.jsonl")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("restore_report: error: ") and err.count("\n") == 1
