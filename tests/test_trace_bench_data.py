"""The hard trace benchmark's data maker and scoring (tools/datasets/make_trace_bench.py,
benchmarks/bench_trace_peers.py): the parts whose mistakes would silently skew the peer table."""

import importlib.util
import random
from pathlib import Path

from tools.datasets.make_trace_bench import change_fact, halves, phrase_swap

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_trace_peers", ROOT / "benchmarks" / "bench_trace_peers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_change_fact_changes_one_number_only():
    text = "Police said 14 people were hurt and 3 cars burnt in Sydney on Tuesday."
    for seed in range(20):
        out = change_fact(text, ["Perth"], random.Random(seed))
        assert out != text
        diff = [(a, b) for a, b in zip(out.split(), text.split()) if a != b]
        assert len(out.split()) == len(text.split()) and len(diff) == 1
        assert any(c.isdigit() for c in diff[0][1])


def test_change_fact_without_numbers_changes_a_name():
    text = "The minister told reporters that Howard would visit Canberra soon."
    out = change_fact(text, ["Howard", "Canberra", "Beazley"], random.Random(1))
    assert out != text and len(out.split()) == len(text.split())


def test_phrase_swap_is_seeded_and_swaps_phrases():
    text = "At least 20 people died because the river rose through the night, police said."
    a = phrase_swap(text, random.Random(3))
    assert a == phrase_swap(text, random.Random(3))
    assert a != text and "20" in a and "At least" not in a


def test_halves_keep_every_word():
    text = "one two three four five"
    first, second = halves(text)
    assert (first + " " + second).split() == text.split()


def test_a_twin_that_only_lost_a_word_is_told_from_one_with_a_fact_changed():
    near = _bench().only_a_word_dropped
    text = "The route of the motorway is to be decided early next year."
    for seed in range(5):  # no number, name or weekday: change_fact drops a word
        assert near(text, change_fact(text, ["Perth"], random.Random(seed)))
    fact = "Police said 14 people were hurt in Sydney."
    assert not near(fact, change_fact(fact, ["Perth"], random.Random(0)))
    assert not near(text, text) and not near(text, "The route of motorway is to decided early next year.")


def test_mosaic_hit_needs_both_sources():
    hits = _bench().hits
    assert hits(["a", "b", "x"], ["a", "b"]) == (True, True)
    assert hits(["a", "x", "b"], ["a", "b"]) == (False, True)
    assert hits(["a", "x", "y", "z", "w", "b"], ["a", "b"]) == (False, False)
    assert hits(["x", "a"], ["a"]) == (False, True)


def test_top_drops_zero_scores_and_orders():
    import numpy as np

    top = _bench()._top
    assert top(np.array([0.0, 0.5, 0.9, 0.0]), 3) == [2, 1]
    assert top(np.array([0.2]), 5) == [0]
