"""Synthetic spinners: consistent per document, and the PPDB (pivot) style."""

import collections
import json

import pytest

from unspin.evaluation import spinners
from unspin.evaluation.spinners import load_ppdb, spin, spin_rows

PARAS = ["The officials said the damage was huge and the damage spread quickly.",
         "Officials said later that the damage was huge, and residents said the roads were closed.",
         "The damage to roads was huge; officials said repairs would take weeks."]


def _replacements(swaps_lists):
    seen = collections.defaultdict(set)
    for swaps in swaps_lists:
        for orig, rep in swaps:
            seen[orig.lower()].add(rep.lower())
    return seen


def test_consistent_spinner_maps_each_type_to_one_replacement():
    memo = {}
    outs = [spin(p, 1.0, 100 + k, "moby", memo=memo) for k, p in enumerate(PARAS)]
    seen = _replacements(s for _, s in outs)
    assert seen and all(len(reps) == 1 for reps in seen.values()), seen
    # Every occurrence of a swapped type is swapped: "damage" appears four times, never kept.
    assert memo.get("damage") and not any(" damage " in f" {t.lower()} " for t, _ in outs)
    # Without the memo the same seeds do write several replacements for one type (the check bites).
    loose = _replacements(spin(p, 1.0, 100 + k, "moby")[1] for k, p in enumerate(PARAS))
    assert any(len(reps) > 1 for reps in loose.values()), loose


def test_spin_rows_shares_one_mapping_per_article_only():
    rows = [(k, {"id": f"{art}-p{k + 1:02d}", "text": PARAS[k]}) for k, art in enumerate(["a", "a", "b"])]
    out = [o["spun"] for o in spin_rows(rows, 0.5, 3, "moby", consistent=True)]
    memo_a, memo_b = {}, {}
    want = [spin(PARAS[0], 0.5, 3 * 1_000_003 + 0, "moby", memo=memo_a)[0],
            spin(PARAS[1], 0.5, 3 * 1_000_003 + 1, "moby", memo=memo_a)[0],
            spin(PARAS[2], 0.5, 3 * 1_000_003 + 2, "moby", memo=memo_b)[0]]
    assert out == want
    # A group field overrides the id: all three rows one document.
    rows = [(k, dict(r, doc="d")) for k, r in rows]
    memo = {}
    want = [spin(PARAS[k], 0.5, 3 * 1_000_003 + k, "moby", memo=memo)[0] for k in range(3)]
    assert [o["spun"] for o in spin_rows(rows, 0.5, 3, "moby", consistent=True, group_field="doc")] == want


@pytest.fixture
def ppdb_file(tmp_path):
    f = tmp_path / "ppdb.txt"
    # head word, then its paraphrases best first
    f.write_text("huge big vast\ndamage harm\nofficials authorities\nsaid told\ndecide choose\n", encoding="utf-8")
    return f


def test_ppdb_spinner_draws_only_from_the_line_and_favours_its_top(ppdb_file):
    ppdb = load_ppdb(str(ppdb_file))
    counts = collections.Counter()
    for seed in range(300):
        spun, swaps = spin("the damages were huge and officials said they decided", 1.0, seed, "ppdb", ppdb=ppdb)
        for orig, rep in swaps:
            counts[(orig, rep)] += 1
    allowed = {("huge", "big"), ("huge", "vast"), ("damages", "harms"), ("damages", "harm"),
               ("officials", "authorities"), ("said", "told"), ("decided", "chose"),
               ("were", "have been"), ("were", "had been")}
    assert set(counts) <= allowed, set(counts) - allowed
    # Re-inflected like the original (decided: decide's line, "choose" -> "chose"); the top of
    # the line is favoured (2:1).
    assert counts[("decided", "chose")] == 300
    assert counts[("huge", "big")] > counts[("huge", "vast")] > 0


def test_ppdb_missing_file_is_one_line_error(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "the damage was huge"}) + "\n", encoding="utf-8")
    code = spinners.main([str(src), "--style", "ppdb", "--ppdb", str(tmp_path / "missing.txt")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("spinners: error: ") and err.count("\n") == 1
    assert "missing.txt" in err and "--ppdb" in err


def test_spinner_cli_consistent_ppdb(tmp_path, capsys, ppdb_file):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"x-p{k}", "text": "The damage was huge."}) + "\n" for k in (1, 2)),
                   encoding="utf-8")
    code = spinners.main([str(src), "--style", "ppdb", "--ppdb", str(ppdb_file), "--consistent", "--rate", "1"])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and len(out) == 2
    assert out[0]["spun"] == out[1]["spun"] != "The damage was huge."


def test_phrase_style_expands_words_into_thesaurus_phrases():
    text = ("The officials said the damage was huge and the fire spread quickly through the town, "
            "so residents left their homes and tried to help the firefighters.")
    swaps = [s for seed in range(20) for s in spin(text, 1.0, seed, "phrase", phrases=False)[1]]
    assert len(swaps) >= 20
    # Every swap writes more words than it replaces (a word -> a thesaurus phrase), none from PHRASES.
    assert all(len(rep.split()) > len(orig.split()) for orig, rep in swaps), swaps
    assert not any(rep in sum(spinners.PHRASES.values(), []) for _, rep in swaps)
