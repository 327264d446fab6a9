"""The ``pps_word`` source: the tortured-phrase list's word swaps (sources/ppswords.py), and the
table tools/build/build_terms.py builds for it."""

from __future__ import annotations

import json
import math
import os

import pytest

from unspin.restoration.channel import FEATURES
from unspin.restoration.sources.ppswords import KEPT, PpsWordSource, parse_pairs

ENTRIES = [
    {"tortured": "liver disappointment", "correct": "liver failure"},
    {"tortured": "kidney disappointment", "correct": "kidney failure"},
    {"tortured": "renal disappointment (?)", "correct": "renal failure (rf)"},
    {"tortured": "colossal information", "correct": "big data"},
    {"tortured": "information of the networks", "correct": "data of the network"},
    {"tortured": "data mining", "correct": "data mining"},
    {"tortured": "profound learning", "correct": "deep learning"},
    {"tortured": "getting to know", "correct": "learning"},
]


def test_word_pairs_align_equal_length_sides():
    from tools.build.build_terms import word_pairs

    p = word_pairs(ENTRIES)
    assert p["disappointment"] == [("failure", 3)]  # parenthesised notes dropped
    assert p["information"][0] == ("data", 2)
    assert p["colossal"] == [("big", 1)] and p["profound"] == [("deep", 1)]
    assert "networks" not in p  # two forms of one lemma: an alignment, not a swap
    assert "of" not in p and "the" not in p
    assert "getting" not in p  # sides of unequal length are not aligned
    # "data" is no swap in three entries (twice a correct side, once kept by the tortured side)
    assert "data" not in p  # ... and a swap in none
    assert ("=", 0) not in p["information"]


def test_kept_counts_say_how_often_a_word_is_no_swap():
    from tools.build.build_terms import word_pairs

    p = word_pairs(ENTRIES + [{"tortured": "data acquisition", "correct": "information acquisition"}])
    assert p["data"] == [("information", 1), (KEPT, 3)]
    src = PpsWordSource(p)
    assert src.swap_share["data"] == pytest.approx(1 / 4)
    assert src.swap_share["disappointment"] == 1.0


def test_parse_round_trip():
    raw = "# comment\ndisappointment\tfailure\t20\ndisappointment\tinfarction\t1\ndata\tinformation\t16\ndata\t=\t131\n"
    p = parse_pairs(raw)
    assert p["disappointment"] == [("failure", 20), ("infarction", 1)]
    src = PpsWordSource(p)
    assert src.pairs["data"] == [("information", 16)]
    assert src.swap_share["data"] == pytest.approx(16 / 147)


def test_proposals_exact_and_reinflected():
    src = PpsWordSource({"disappointment": [("failure", 20), ("infarction", 1)], "the": [("a", 9)]})
    assert src.propose(("disappointment",)) == [(("failure",), (20.0, 20 / 21, 1.0)),
                                                (("infarction",), (1.0, 1 / 21, 1.0))]
    got = dict(src.propose(("disappointments",)))
    assert ("failures",) in got and got[("failures",)][0] == 20.0
    assert src.propose(("the",)) == [] and src.propose(("liver", "disappointment")) == []
    assert src.propose(("unknownword",)) == []


def test_features_are_channel_weights():
    from unspin.restoration.sources import Candidate

    assert set(PpsWordSource.weights) <= set(FEATURES)
    c = Candidate(("failure",), support=(("pps_word", (20.0, 0.5, 0.25)),))
    f = PpsWordSource().features(("disappointment",), c)
    assert f == pytest.approx({"pps_word": math.log(21), "pps_word_share": math.log(0.5),
                               "pps_word_swap": math.log(0.25)})
    assert PpsWordSource().features(("x",), Candidate(("y",))) == {"pps_word": 0.0, "pps_word_share": 0.0,
                                                                   "pps_word_swap": 0.0}


@pytest.fixture(scope="module")
def restorers():
    from tools.build.build_terms import word_pairs
    from unspin.restoration.restorer import Restorer, RestoreConfig

    on = Restorer(RestoreConfig(fingerprints=False, terms=False, pps_words=True))
    off = Restorer(RestoreConfig(fingerprints=False, terms=False))
    # the swaps of a few entries, so the test says what the source does, not what the shipped table holds
    on.generator._by_name["pps_word"].set_pairs(word_pairs(ENTRIES[:3] * 10))
    return on, off


def test_papers_option_restores_an_unlisted_phrase_from_the_lists_word_swaps(restorers):
    on, off = restorers
    text = "The patient died of heart disappointment last year."
    assert off.restore(text).text == text
    r = on.restore(text)
    assert r.text == "The patient died of heart failure last year."
    assert "pps_word" in r.edits[0].evidence


def test_off_by_default():
    from unspin.restoration.restorer import RestoreConfig

    assert RestoreConfig().pps_words is False


def test_cli_papers_flag():
    import argparse

    from unspin.cli import restore as cli_restore

    ap = argparse.ArgumentParser()
    cli_restore._config_args(ap)
    assert cli_restore._config(ap.parse_args(["--papers"])).pps_words is True
    assert cli_restore._config(ap.parse_args([])).pps_words is False
    assert cli_restore._config(ap.parse_args([])).auto_papers is True
    assert cli_restore._config(ap.parse_args(["--no-auto-papers"])).auto_papers is False


SHARED_PPS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "pps", "tortured-phrases.json")


@pytest.mark.skipif(not os.path.exists(SHARED_PPS), reason="../shared/data/pps not present")
def test_shipped_table_is_the_build_of_the_list():
    from tools.build.build_terms import KEPT as BUILD_KEPT, word_pairs
    from unspin.lang.lm import get_lm
    from unspin.restoration.sources.ppswords import load_pairs

    entries = json.load(open(SHARED_PPS, encoding="utf-8"))["phrases"]
    assert BUILD_KEPT == KEPT
    assert word_pairs(entries, get_lm().known) == load_pairs()


def test_phrase_swaps_from_sides_of_other_lengths():
    from tools.build.build_terms import MIN_PHRASE_COUNT, word_pairs

    entries = [{"tortured": "deep gaining knowledge", "correct": "deep learning"},
               {"tortured": "machine gaining knowledge", "correct": "machine learning"},
               {"tortured": "with macs", "correct": "magnetic-activated cell sorting (macs)"}]
    assert MIN_PHRASE_COUNT == 2
    p = word_pairs(entries)
    assert p["gaining knowledge"] == [("learning", 2)]
    assert not any(k.startswith("with") for k in p)  # seen once: no habit
    src = PpsWordSource(p)
    assert src.may_have(("gaining", "knowledge")) and not src.may_have(("gaining", "ground"))
    assert src.propose(("gaining", "knowledge")) == [(("learning",), (2.0, 1.0, 1.0))]
    assert src.propose(("gaining",)) == []  # a phrase's words are no word swaps


def test_papers_option_restores_a_phrase_swap(restorers):
    from tools.build.build_terms import word_pairs

    on, _ = restorers
    src = on.generator._by_name["pps_word"]
    old = (src.pairs, src.phrases, src.totals, src.swap_share)
    src.set_pairs(word_pairs([{"tortured": f"{w} getting to know", "correct": f"{w} learning"}
                              for w in ("machine", "deep", "transfer", "federated")] * 3))
    on.generator._cache.clear()
    on.channel.forget()
    try:
        r = on.restore("They use machine getting to know to sort the images.")
        assert r.text == "They use machine learning to sort the images."
    finally:
        src.pairs, src.phrases, src.totals, src.swap_share = old
        on.generator._cache.clear()
        on.channel.forget()


def test_a_window_with_a_listed_tortured_phrase_is_read_as_a_paper():
    from tools.build.build_terms import word_pairs
    from unspin.lang.tokenize import tokenize
    from unspin.restoration.restorer import Restorer, RestoreConfig

    r = Restorer(RestoreConfig(terms=False))
    r.restore("A clean sentence about the weather.")
    assert "papers" not in r.__dict__  # not built before a window needs it
    assert r.config.auto_papers and r.papers is not None and r.papers.config.pps_words
    r.generator._by_name["fingerprint"].phrases = {("profound", "learning"): ("deep", "learning")}
    r.papers.generator._by_name["fingerprint"].phrases = {("profound", "learning"): ("deep", "learning")}
    r.papers.generator._by_name["pps_word"].set_pairs(word_pairs(ENTRIES[:3] * 10))
    r.papers.generator._cache.clear()
    r.papers.channel.forget()
    unlisted = "The patient died of heart disappointment last year."
    assert r.restore(unlisted).text == unlisted  # no listed phrase: the default pipeline
    both = "We used profound learning. " + unlisted
    got = r.restore(both)
    assert got.text == "We used deep learning. The patient died of heart failure last year."
    assert any("pps_word" in e.evidence for e in got.edits)
    assert all("doc:papers" in e.evidence for e in got.edits)  # the window was read as a paper's
    # the detector's bold pass (restore_at, P(spun) given) reads it as a paper too
    at = r.restore_at(both, 0.9)
    assert at.text == got.text and all("doc:papers" in e.evidence for e in at.edits)
    plain = Restorer(RestoreConfig(terms=False, auto_papers=False)).restore(both)
    assert plain.edits and not any("doc:papers" in e.evidence for e in plain.edits)
    assert r.listed_phrases(tokenize(both)) == 1
    # off: by the option, by --papers already on, or without the list
    assert Restorer(RestoreConfig(terms=False, auto_papers=False)).papers is None
    assert Restorer(RestoreConfig(terms=False, pps_words=True)).papers is None
    assert Restorer(RestoreConfig(terms=False, fingerprints=False)).papers is None
