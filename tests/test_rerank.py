"""The neural re-ranking pass of document decoding (restoration/rescore.py), with a stand-in
scorer, so that what it asks the neural model and what it does with the answer are tested
without llama.cpp or Gemma."""

from __future__ import annotations

import pytest

from unspin.restoration.decode import Choice
from unspin.restoration.rescore import NeuralRescorer
from unspin.restoration.restorer import RestoreConfig, Restorer


class FavourScorer:
    """ln P = +bonus for every favoured word in an option, 0 otherwise; records the calls."""

    def __init__(self, favoured: dict[str, float]):
        self.favoured = favoured
        self.calls: list[tuple[str, list[str]]] = []

    def score_continuations(self, prefix: str, options: list[str]) -> list[float]:
        self.calls.append((prefix, list(options)))
        return [sum(self.favoured.get(w, 0.0) for w in o.split()) for o in options]


@pytest.fixture(scope="module")
def restorer():
    return Restorer(RestoreConfig(document=False))


def rescorer(restorer, favoured, compose=False) -> NeuralRescorer:
    r = NeuralRescorer.__new__(NeuralRescorer)
    r.scorer = FavourScorer(favoured)
    r.decoder = restorer.decoder
    r.window, r.right, r.compose = 12, 4, compose
    return r


def sentence(restorer, text):
    s = restorer._sentences(text, __import__("unspin").lang.tokenize.tokenize(text))[0]
    return s.words, s.joins, s.protected


def test_a_clear_decision_is_not_put_to_the_neural_model(restorer):
    words, joins, prot = sentence(restorer, "The cat sat on the mat.")
    nr = rescorer(restorer, {})
    assert nr.rerank(words, joins, prot, []) == []
    assert nr.scorer.calls == []  # nothing doubtful: no neural call at all


def test_the_neural_model_decides_a_doubtful_place(restorer):
    text = "One resident mentioned at least 12 people were killed within the attack."
    words, joins, prot = sentence(restorer, text)
    row = restorer.decoder.options(words, joins, prot, 6.0)
    i = words.index("within")
    assert any(o.words == ("in",) for o in row[i][1:])
    # the stand-in strongly prefers "in": it wins wherever it is among the options put to it
    nr = rescorer(restorer, {"in": 50.0})
    got = nr.rerank(words, joins, prot, [], boost=6.0)
    assert any(c.start == i and c.words == ("in",) for c in got)
    # ... and strongly against it: the edit is dropped even if the 3-gram had made it
    first = [Choice(i, 1, ("in",), next(o.candidate for o in row[i] if o.words == ("in",)), 0.5)]
    nr = rescorer(restorer, {"in": -50.0})
    assert not any(c.start == i and c.words == ("in",) for c in nr.rerank(words, joins, prot, first, boost=6.0))


def test_left_context_is_the_restored_reading(restorer):
    text = "He mentioned that the assault began within the city."
    words, joins, prot = sentence(restorer, text)
    i = words.index("assault")
    row = restorer.decoder.options(words, joins, prot, 6.0)
    cand = row[i][1] if len(row[i]) > 1 else None
    if cand is None:
        pytest.skip("no candidate for 'assault' in this lexicon")
    first = [Choice(i, 1, cand.words, cand.candidate, 10.0)]  # a clear first-pass edit
    nr = rescorer(restorer, {"in": 50.0})
    nr.rerank(words, joins, prot, first, boost=6.0)
    calls = nr.scorer.calls
    assert calls
    for prefix, options in calls:
        n = len(prefix.split())
        if n > i:  # asked after the edited word: it is read as restored
            assert cand.words[0] in prefix.split() and "assault" not in prefix.split()
        elif n < i:  # asked before it: the right context is the first pass's reading
            assert all("assault" not in o.split() for o in options if cand.words[0] in o.split())
    assert any(len(p.split()) > i for p, _ in calls)


def test_compositions_reach_a_pair_no_single_swap_reaches(restorer):
    words, joins, prot = sentence(restorer, "We applied counterfeit consciousness to the data.")
    nr = rescorer(restorer, {}, compose=True)
    pairs = {o.words for i, opts in nr._compositions(words, joins, prot, 0.0) for o in opts}
    assert pairs, "no two-word reading proposed"
    assert all(len(p) == 2 for p in pairs)
    i = words.index("counterfeit")
    assert all(o.start == i and o.n == 2 for k, opts in nr._compositions(words, joins, prot, 0.0)
               if k == i for o in opts)
