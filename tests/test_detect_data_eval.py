"""Detection data and honest evaluation (issue 11): spinner families and genres in the training
data, leave-one-family-out fitting, per-genre false flags, reliability, --model."""

import json
import random

import pytest

from test_detect import CLEAN  # plain prose written for the tests (not from any data set)
from unspin.evaluation.spinners import spin


# ----------------------------------------------------------------------------- data

def _args(tmp_path, **kw):
    from tools.datasets.make_detect_data import parse_args

    ppdb = tmp_path / "ppdb.txt"
    ppdb.write_text("council board\nbudget plan\nroads streets\nresidents locals\n", encoding="utf-8")
    return parse_args(["--ppdb", str(ppdb), *sum(([f"--{k}", v] for k, v in kw.items()), [])])


def test_spinner_families_in_turn_consistent_rates_in_range(tmp_path):
    from tools.datasets.make_detect_data import FAMILIES, Spinner

    sp = Spinner(_args(tmp_path), random.Random(4))
    text = CLEAN + "\n\n" + CLEAN  # every word type twice: a consistent spinner swaps both or neither
    got = [sp(text) for _ in range(2 * len(FAMILIES))]
    assert [t["family"] for _, t in got] == list(FAMILIES) * 2
    assert all(0.05 <= t["rate"] <= 0.6 and t["kind"] == "synthetic-" + t["family"] for _, t in got)
    for spun, tags in got:
        first, second = spun.split("\n\n")
        assert first == second, tags  # one original -> one spun form throughout the document
    assert sum(spun != text for spun, _ in got) >= len(got) - 2
    # no swap comes from the hand list of real spinners' phrases (it was written from wild-dev)
    assert not any("thousands and thousands" in s or "grew to become" in s for s, _ in got)


def test_unknown_family_and_missing_source_are_one_line_errors(tmp_path, capsys):
    from tools.datasets.make_detect_data import Spinner

    with pytest.raises(SystemExit) as e:
        Spinner(_args(tmp_path, families="moby,nosuch"), random.Random(1))
    assert "nosuch" in str(e.value)
    with pytest.raises(SystemExit) as e:
        _args(tmp_path, lee=str(tmp_path / "absent"))
    assert e.value.code == 2 and "absent: not found" in capsys.readouterr().err


def test_news_excludes_the_held_out_paragraphs_and_groups_stories(tmp_path):
    from tools.datasets.make_detect_data import genre_of, heldout_news, news_sources

    stories = [f"Story number {k} tells how the council met and what the mayor said about roads." for k in range(25)]
    (tmp_path / "lee_background.cor").write_text("\n".join(stories) + "\n", encoding="utf-8")
    (tmp_path / "lee.cor").write_text("", encoding="utf-8")
    held = tmp_path / "held.jsonl"
    held.write_text(json.dumps({"id": "h1", "text": stories[3]}) + "\n", encoding="utf-8")
    got = list(news_sources(str(tmp_path), str(held)))
    texts = "\n\n".join(t for _, _, t in got)
    assert stories[3] not in texts and stories[4] in texts
    assert [len(t.split("\n\n")) for _, _, t in got] == [10, 10, 4]  # ten stories a group
    assert {s for s, _, _ in got} == {"news"} and genre_of("news") == "news"
    rows = heldout_news(str(held))
    assert rows == [{"id": "heldout-h1", "text": stories[3], "label": 0, "kind": "clean", "source": "news-heldout",
                     "genre": "news", "group": "news-heldout", "split": "heldout"}]


def test_wiki_markup_and_fortunes_become_prose(tmp_path):
    import bz2

    from tools.datasets.make_detect_data import fortune_sources, paragraphs, wiki_pages

    body = ("{{Infobox|name=x{{nested}}}}\n'''Anarchism''' is a [[political philosophy|philosophy]] that "
            "rejects [[hierarchy]] and holds that the state is harmful.&lt;ref&gt;A book, p. 3&lt;/ref&gt; "
            "It has many schools of thought.\n\n== History ==\n* a list item\n")
    xml = (f"<page><title>Anarchism</title><text xml:space=\"preserve\">{body}</text></page>"
           "<page><title>Old</title><text>#REDIRECT [[Anarchism]]</text></page>")
    f = tmp_path / "w.xml.bz2"
    f.write_bytes(bz2.compress(xml.encode()))
    pages = list(wiki_pages(str(f)))
    assert [t for t, _ in pages] == ["Anarchism"]
    assert paragraphs(pages[0][1]) == ["Anarchism is a philosophy that rejects hierarchy and holds that the state "
                                       "is harmful. It has many schools of thought."]
    (tmp_path / "literature").write_text(
        "A man turns into a bug and his family gets annoyed with him for many days.\n\t-- Franz Kafka\n%\n"
        "Few things are harder to put up with than\nthe annoyance of a good example.\n", encoding="utf-8")
    (src, group, text), = fortune_sources(str(tmp_path))
    assert (src, group) == ("fortunes", "fortunes:literature")
    assert text.split("\n\n") == ["A man turns into a bug and his family gets annoyed with him for many days.",
                                  "Few things are harder to put up with than the annoyance of a good example."]


# ----------------------------------------------------------------------------- fitting

def test_exclude_family_drops_only_its_training_rows_and_scans():
    from tools.fit.fit_detector import Data, Scans, exclude_families

    long_ = [{"id": "c", "label": 0}, {"id": "m", "label": 1, "family": "moby"}, {"id": "p", "label": 1, "family": "ppdb"}]
    short = [{"id": "sm", "label": 1, "family": "moby"}, {"id": "sp", "label": 1, "family": "ppdb"}]
    test = [{"id": "tp", "label": 1, "family": "ppdb"}]
    d = Data(long_, short, test, [], [], [], [])
    S = Scans(["A-c", "A-m", "A-p", "A-sm", "A-sp"], ["A-tp"], [], [], [], [], [], [])
    exclude_families(d, S, ["ppdb"])
    assert [r["id"] for r in d.train_long] == ["c", "m"] and [r["id"] for r in d.train_short] == ["sm"]
    assert S.train == ["A-c", "A-m", "A-sm"]  # still aligned with d.train
    assert d.test_long == test and S.test == ["A-tp"]  # the left-out family is still scored


# ----------------------------------------------------------------------------- evaluation

def _rows(tmp_path):
    rows = [{"id": "s1", "text": spin(CLEAN, 0.6, 3, "moby")[0], "original": CLEAN, "label": 1, "genre": "news"},
            {"id": "c1", "text": CLEAN, "label": 0, "genre": "news"},
            {"id": "c2", "text": CLEAN.replace("council", "board"), "label": 0, "genre": "documentation"}]
    f = tmp_path / "ev.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return f


def test_eval_detect_reports_clean_flags_by_value_reliability_and_word_level(run_cli, tmp_path):
    code, out, err = run_cli(["eval", "detect", str(_rows(tmp_path)), "--by", "genre", "--fast"])
    assert code == 0, err
    res = json.loads(out)
    assert set(res["clean_by_genre"]) == {"news", "documentation"}
    assert res["clean_by_genre"]["news"]["n"] == 1 and 0 <= res["clean_by_genre"]["news"]["flagged_at_0.5"] <= 1
    assert res["spun_share"] == round(1 / 3, 4)
    assert sum(b["n"] for b in res["reliability"]) == 3
    assert all(b["bin"] in {f"{k / 10:.1f}-{(k + 1) / 10:.1f}" for k in range(10)} for b in res["reliability"])
    for k in ("span_f1", "word_precision", "word_recall", "word_f1"):
        assert k in res and k in res["by_genre"]["news"]


def test_eval_detect_model_option(run_cli, tmp_path):
    from unspin.detection.model import shipped_model

    d = shipped_model().to_dict()
    d["doc"]["intercept"] -= 60.0  # a model that calls everything clean
    m = tmp_path / "m.json"
    m.write_text(json.dumps(d))
    data = _rows(tmp_path)
    code, out, err = run_cli(["eval", "detect", str(data), "--fast", "--model", str(m), "--details", str(tmp_path / "d.jsonl")])
    assert code == 0, err
    assert all(json.loads(x)["score"] < 0.01 for x in (tmp_path / "d.jsonl").read_text().splitlines())
    code, out, err = run_cli(["eval", "detect", str(data), "--fast"])
    assert json.loads(out)["recall_at_0.5"] == 1.0  # the shipped model by default
    bad = tmp_path / "bad.json"
    bad.write_text('{"token": 1}')
    for path in (bad, tmp_path / "missing.json"):
        code, out, err = run_cli(["eval", "detect", str(data), "--model", str(path)])
        assert code == 1 and err.startswith("unspin: error: ") and err.count("\n") == 1, err


def test_detect_targets_family_rows_genres_and_lofo(tmp_path, capsys, monkeypatch):
    from tools.analysis import detect_targets as T

    meta = {"m1": {"label": 1, "family": "moby", "rate": 0.3, "split": "test", "kind": "synthetic-moby"},
            "m2": {"label": 1, "family": "moby", "rate": 0.1, "split": "test", "kind": "synthetic-moby"},
            "p1": {"label": 1, "family": "ppdb", "rate": 0.5, "split": "test", "kind": "synthetic-ppdb"},
            "c1": {"label": 0, "split": "test", "genre": "news", "kind": "clean"},
            "c2": {"label": 0, "split": "test", "genre": "legal", "kind": "clean"},
            "w1": {"label": 0, "split": "wild", "kind": "wild-original"}}
    det = {"m1": 0.9, "m2": 0.1, "p1": 0.4, "c1": 0.2, "c2": 0.6, "w1": 0.99}
    details = {i: {"score": s, "words": 150} for i, s in det.items()}
    row = T.family_row(meta, details, "moby")
    assert (row["spun"], row["clean"], row["auroc"]) == (1, 2, 1.0)  # rate 0.1 and the wild original left out
    details["m1"]["words"] = 99
    assert T.family_row(meta, details, "moby") is None  # only documents of >= 100 words
    assert T.clean_flagged(meta, det) == {"legal": {"n": 1, "flagged_at_0.5": 1.0},
                                          "news": {"n": 1, "flagged_at_0.5": 0.0},
                                          "wild-original": {"n": 1, "flagged_at_0.5": 1.0}}
    data = tmp_path / "e.jsonl"
    data.write_text("".join(json.dumps(dict(m, id=i)) + "\n" for i, m in meta.items()))
    dp = tmp_path / "d.jsonl"
    dp.write_text("".join(json.dumps({"id": i, "score": s, "words": 150}) + "\n" for i, s in det.items()))
    monkeypatch.setattr("sys.argv", ["detect_targets", str(data), "--lofo", f"ppdb={dp}"])
    assert T.main() == 0
    out = json.loads(capsys.readouterr().out)
    assert out["leave_one_family_out"]["ppdb"]["auroc"] == 0.5


def test_fit_by_family_and_rate_bands():
    from tools.fit.fit_detector import by_family, by_rate

    rows = [{"label": 1, "family": "moby", "rate": 0.3}, {"label": 1, "family": "moby", "rate": 0.1},
            {"label": 1, "family": "context", "rate": 0.55}, {"label": 0}, {"label": 0}]
    scores = [0.9, 0.1, 0.3, 0.2, 0.4]
    fam = by_family(scores, rows)
    assert fam["moby"]["spun"] == 1 and fam["moby"]["auroc"] == 1.0 and fam["context"]["auroc"] == 0.5
    assert {k: v["spun"] for k, v in by_rate(scores, rows).items()} == {"0.00-0.20": 1, "0.20-0.40": 1, "0.40-0.60": 1}
