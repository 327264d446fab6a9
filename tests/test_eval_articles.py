"""``unspin eval restore --by-article`` / ``--article``: articles joined from their paragraphs and
scored as one document each, with figures computed by hand."""

import json

from unspin.evaluation.data import Pair, join_articles
from unspin.evaluation.restore import evaluate_restore
from unspin.restoration.restorer import RestoreConfig

# Two articles; the file order is not paragraph order (a-p02 comes first).
ROWS = [
    {"id": "a-p02", "spun": "folks left", "original": "people left"},
    {"id": "a-p01", "spun": "he mentioned it", "original": "he said it"},
    {"id": "b-p01", "spun": "she mentioned the folks", "original": "she said the people"},
    {"id": "b-p02", "spun": "it was huge", "original": "it was big"},
]
# By hand, table-only with no shipped table, leave-one-article-out: article a is restored with
# what b teaches (mentioned->said, folks->people, huge->big): "he said it / people left", E 2 -> 0;
# b with what a teaches (mentioned->said, folks->people): "she said the people / it was huge",
# E 3 -> 1. Repair 1 - 1/5 = 0.8; no false edits on the 12 original words.


def _pairs():
    return [Pair(r["id"].rsplit("-p", 1)[0], r["spun"], r["original"], r["id"]) for r in ROWS]


def test_join_articles_in_paragraph_order():
    arts = join_articles(_pairs())
    assert [(p.id, p.group) for p in arts] == [("a", "a"), ("b", "b")]
    assert arts[0].spun == "he mentioned it\n\nfolks left"
    assert arts[0].original == "he said it\n\npeople left"


def test_by_article_scores_summed_distances_by_hand():
    details = []
    res = evaluate_restore(_pairs(), RestoreConfig(learned_table=False, fingerprints=False), mode="table-only",
                           details=details, by_article=True)
    assert (res["E_spun"], res["E_restored"], res["E_clean"], res["original_words"]) == (5, 1, 0, 12)
    assert res["repair"] == 0.8 and res["false_edit_rate"] == 0.0
    assert res["by_article"] is True and res["pairs"] == 4 and res["groups"] == 2
    assert [d["id"] for d in details] == ["a", "b"]
    assert details[0]["restored"] == "he said it\n\npeople left"
    assert details[1]["restored"] == "she said the people\n\nit was huge"


def test_articles_filter_keeps_the_table_learned_from_all():
    res = evaluate_restore(_pairs(), RestoreConfig(learned_table=False, fingerprints=False), mode="table-only",
                           by_article=True, articles=["b"])
    # b is still restored with what a teaches: 3 -> 1.
    assert (res["E_spun"], res["E_restored"], res["groups"], res["pairs"]) == (3, 1, 1, 2)
    assert res["articles"] == ["b"]


def _write(tmp_path):
    f = tmp_path / "pairs.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return f


def test_cli_by_article_details_and_article_filter(run_cli, tmp_path):
    f = _write(tmp_path)
    d = tmp_path / "details.jsonl"
    base = ["eval", "restore", str(f), "--mode", "table-only", "--no-table", "--no-fingerprints"]
    code, out, err = run_cli(base + ["--by-article", "--details", str(d)])
    assert code == 0, err
    assert json.loads(out)["repair"] == 0.8
    rows = [json.loads(line) for line in d.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"] and [r["E_restored"] for r in rows] == [0, 1]
    code, out, err = run_cli(base + ["--by-article", "--article", "b", "--article", "b"])
    assert code == 0, err
    assert (json.loads(out)["E_spun"], json.loads(out)["E_restored"]) == (3, 1)


def test_cli_unknown_article_is_one_line_error(run_cli, tmp_path):
    f = _write(tmp_path)
    code, out, err = run_cli(["eval", "restore", str(f), "--by-article", "--article", "zz"])
    assert code == 1 and out == ""
    assert err.startswith("unspin: error: ") and err.count("\n") == 1
    assert "'zz'" in err and "a, b" in err
