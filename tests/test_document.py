"""Document-level decoding: the gate, positions and their features, the edit models' decision,
and the labels the edit models are fitted on."""

import json
import math

import numpy as np
import pytest

from tools.fit.fit_edit_model import labels
from unspin.detection.model import LogReg
from unspin.restoration.decode import Option
from unspin.restoration.document import (BOLD_MIN_WORDS, EditModel, Position, SKIP_BELOW, candidate_features, decide, ties,
                                         position_features, positions)
from unspin.restoration.restorer import RestoreConfig, Restorer
from unspin.restoration.sources import Candidate
from unspin.restoration.channel import FEATURES
from unspin.lang.tokenize import sentences, tokenize


def _pos(sentence, start, n, p_spun, p_right, words=("x",)):
    opts = [Option(start, n, words, 0.0, Candidate(words=words), 0.0) for _ in p_right]
    return Position(sentence, opts, [("s",)] * len(opts), {}, [{} for _ in opts], p_spun, list(p_right))


def test_decide_edits_only_past_break_even():
    # P(spun) * P(right | spun) must beat P(clean) = 1 - P(spun)
    made = decide([_pos(0, 0, 1, 0.6, [0.9]),    # 0.54 > 0.40: edit
                   _pos(0, 1, 1, 0.6, [0.6]),    # 0.36 < 0.40: keep
                   _pos(0, 2, 1, 0.9, [0.2, 0.5])])  # 0.45 > 0.10 with the second candidate
    assert sorted((p.options[0].start, k) for p, k, _ in made) == [(0, 0), (2, 1)]
    assert made[0][2] == pytest.approx(0.54)  # most probable first


def test_decide_never_overlaps_in_a_sentence():
    a = _pos(0, 0, 2, 0.9, [0.9], words=("at", "least"))
    b = _pos(0, 1, 1, 0.8, [0.9])
    c = _pos(1, 1, 1, 0.8, [0.9])  # another sentence: no overlap
    made = decide([b, a, c])
    assert {id(p) for p, _, _ in made} == {id(a), id(c)}


def _rows(words):
    """A fake lattice row set: one candidate at position 1, two at position 3."""
    rows = [[Option(i, 1, (w,), 0.0, None)] for i, w in enumerate(words)]
    rows[1].append(Option(1, 1, ("said",), -2.0, Candidate(words=("said",)), 3.0))
    rows[3].append(Option(3, 1, ("people",), -1.0, Candidate(words=("people",)), 2.0))
    rows[3].append(Option(3, 1, ("persons",), -4.0, Candidate(words=("persons",)), -1.0))
    return rows


def test_positions_features_and_ties():
    words = ["he", "mentioned", "that", "folks"]
    found = positions([_rows(words), _rows(words)], [words, words], [[0, .7, 0, .4], [0, .7, 0, .4]],
                      0.9, pool=0.0, bias=-13.0, function_words=frozenset({"he", "that"}))
    assert [(p.sentence, p.options[0].start) for p in found] == [(0, 1), (0, 3), (1, 1), (1, 3)]
    first = found[0]
    assert first.features["scan_p"] == pytest.approx(0.7)
    assert first.features["lm_gain"] == pytest.approx(5.0)       # local - channel
    assert first.features["channel"] == pytest.approx(11.0)      # channel without the bias
    # the same swap is the best candidate in both sentences: tied twice
    assert first.candidate[0]["tie"] == pytest.approx(math.log(2))
    assert found[1].candidate[1]["rank"] == 1.0 and found[1].candidate[1]["gap"] == pytest.approx(3.0)
    assert set(position_features(FEATURES)) <= set(first.features) | {f"ch_{k}" for k in FEATURES}
    assert set(candidate_features(FEATURES)) <= set(first.candidate[0]) | {f"ch_{k}" for k in FEATURES}


def test_labels_from_the_alignment():
    spun = "One resident mentioned at the least 12 folks were killed."
    original = "One resident said at least 12 people were killed."
    r = Restorer(RestoreConfig(edit_model=""))
    sents = [r._sentence(spun, s) for s in sentences(tokenize(spun), spun)]
    s = sents[0]

    def at(i, n, words):
        return Position(0, [Option(i, n, words, 0.0, Candidate(words=words), 0.0)], [tuple(s.words[i:i + n])],
                        {}, [{}])

    got = labels(spun, original, [at(2, 1, ("said",)), at(2, 1, ("stated",)), at(1, 1, ("citizen",)),
                                  at(3, 3, ("at", "least")), at(7, 1, ("people",))], sents)
    assert got == [(1, [1]), (1, [0]), (0, [0]), (1, [1]), (1, [1])]


def test_edit_model_file_round_trip(tmp_path):
    lr = LogReg(["local"], np.array([1.0]), -1.0, np.array([0.0]), np.array([1.0]))
    m = EditModel(lr, lr, pool=6.0, info={"x": 1})
    path = tmp_path / "m.json"
    path.write_text(json.dumps(m.to_dict()))
    back = EditModel.load(str(path))
    assert back.pool == 6.0 and back.position.names == ["local"] and back.info == {"x": 1}


def _tiny_model(tmp_path) -> str:
    lr = LogReg(["local"], np.array([2.0]), 0.0, np.array([0.0]), np.array([1.0]))
    path = tmp_path / "edit_model.json"
    path.write_text(json.dumps(EditModel(lr, lr).to_dict()))
    return str(path)


def test_a_document_the_gate_calls_clean_is_not_proposed_on(tmp_path):
    r = Restorer(RestoreConfig(edit_model=_tiny_model(tmp_path)))
    text = "One resident mentioned at the least 12 folks have been killed within the assault."
    n = len(tokenize(text))
    r.gate = lambda t: (SKIP_BELOW / 2, [0.9] * n)
    sents, found, p = r.propose(text)
    assert p == SKIP_BELOW / 2 and found == [] and len(sents) == 1
    assert r.restore(text).edits == []
    r.gate = lambda t: (0.99, [0.9] * n)
    assert r.propose(text)[1]  # the same text, called spun: positions with candidates
    got = r.restore(text)
    assert got.edits and all("doc:spun=0.99" in e.evidence for e in got.edits)


def test_labels_split_a_block_of_neighbouring_swaps():
    # "space close to" / "area near" aligns as one block; "space" -> "area" still restores a word
    spun, original = "Fighting hit the space close to the town.", "Fighting hit the area near the town."
    r = Restorer(RestoreConfig(edit_model=""))
    sents = [r._sentence(spun, s) for s in sentences(tokenize(spun), spun)]

    def at(i, n, words):
        return Position(0, [Option(i, n, words, 0.0, Candidate(words=words), 0.0)],
                        [tuple(sents[0].words[i:i + n])], {}, [{}])

    got = labels(spun, original, [at(3, 1, ("area",)), at(3, 1, ("room",)), at(4, 2, ("near",)),
                                  at(4, 1, ("near",))], sents)
    # "close" -> "near" alone also brings the block one word closer (what repair counts)
    assert got == [(1, [1]), (1, [0]), (1, [1]), (1, [1])]


def test_the_lattice_path_is_gated_and_as_bold_as_the_document_is_spun():
    r = Restorer(RestoreConfig())
    sentence = "One resident mentioned at the least 12 folks have been killed within the assault. "
    text = sentence * 6  # long enough for bold decoding (BOLD_MIN_WORDS)
    assert len(tokenize(text)) >= BOLD_MIN_WORDS > len(tokenize(sentence))
    r.gate.p_spun = lambda t, tokens=None: SKIP_BELOW / 2
    assert r.restore(text).edits == []          # called clean: left as it is
    r.gate.p_spun = lambda t, tokens=None: 0.99
    bold = r.restore(text).edits
    assert bold and all("doc:spun=0.99" in e.evidence for e in bold)
    plain = Restorer(RestoreConfig(document=False)).restore(text).edits
    assert len(bold) > len(plain)               # bolder than the sentence-level default
    assert all("doc:spun" not in " ".join(e.evidence) for e in plain)
    assert any("doc:tied=6" in e.evidence for e in bold)  # the same swap in every sentence
    # a short text past the gate is not decoded boldly: one hit says nothing of a spinner's habits
    short = [(e.spun, e.original) for e in r.restore(sentence).edits]
    assert short == [(e.spun, e.original) for e in Restorer(RestoreConfig(document=False)).restore(sentence).edits]


def test_ties_reward_the_swap_a_document_repeats():
    m, s = ("mentioned",), ("said",)
    bonus, notes = ties([(m, s), (m, s), (m, ("noted",)), (("folks",), ("people",))], tie=2.0, untie=1.0)
    assert bonus[(m, s)] == pytest.approx(2.0 * math.log(2)) and notes[(m, s)] == "doc:tied=2"
    assert bonus[(m, ("noted",))] == -1.0
    assert (("folks",), ("people",)) not in bonus  # chosen once: no evidence of a habit


def test_cli_options_of_document_decoding(tmp_path, capsys):
    from unspin.cli import main

    src = tmp_path / "in.txt"
    src.write_text("One resident mentioned at the least 12 folks have been killed within the assault.\n")
    assert main(["restore", str(src), "--no-document", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["edits"] and not any(e.startswith("doc:") for ed in out["edits"] for e in ed["evidence"])
    assert main(["restore", str(src), "--edit-model", str(tmp_path / "missing.json")]) == 1
    assert "edit model" in capsys.readouterr().err
