"""The hard trace benchmark's data maker and scoring (tools/datasets/make_trace_bench.py,
benchmarks/bench_trace_peers.py): the parts whose mistakes would silently skew the peer table."""

import random
import re

from conftest import load_benchmark
from tools.datasets.make_trace_bench import _retell_job, change_fact, halves, make_retold, phrase_swap, retell_plan


def _bench():
    return load_benchmark("bench_trace_peers")


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


NO_FACT = [
    "The route of the motorway is to be decided early next year.",
    "All three have been interviewed but no charges have been laid.",
    '"The catering is good, there are three meals a day provided."',
    "The company also warns against opening up unexpected attachments.",
    "One of the injured was said to be in serious condition in hospital.",
]


def _content_diff(source: str, twin: str) -> tuple[str, str]:
    """The one (source word, twin word) pair where ``twin`` differs from ``source``, checked to
    be a content word on both sides: same number of words, one position changed."""
    from unspin.lang.words import FUNCTION_WORDS, QUANTIFIERS

    a, b = source.split(), twin.split()
    assert len(a) == len(b), (source, twin)
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    assert len(diff) == 1, (source, twin)
    x, y = (re.sub(r"[^A-Za-z]", "", w).lower() for w in diff[0])
    assert x != y and x and y
    assert x not in FUNCTION_WORDS | QUANTIFIERS and y not in FUNCTION_WORDS | QUANTIFIERS, diff
    return x, y


def _check_twin(source: str, twin: str) -> None:
    from unspin.lang.lexicon import get_lexicon
    from unspin.lang.morph import analyses

    x, y = _content_diff(source, twin)
    tags = [{t for _u, _l, t in analyses(w)} for w in (x, y)]
    assert tags[0] == tags[1] and any(t[:2] in ("NN", "VB", "JJ") for t in tags[0]), (x, y, tags)
    assert {lem for _u, lem, _t in analyses(x)}.isdisjoint({lem for _u, lem, _t in analyses(y)})
    lex = get_lexicon()
    assert y not in {t for t, _f in lex.originals(x)} and x not in {t for t, _f in lex.originals(y)}


def test_change_fact_without_a_fact_changes_one_content_word():
    for text in NO_FACT:
        outs = set()
        for seed in range(12):
            out = change_fact(text, ["Perth"], random.Random(seed))
            assert out == change_fact(text, ["Perth"], random.Random(seed))  # seeded
            _check_twin(text, out)
            outs.add(out)
        assert len(outs) > 3  # the position and the word vary with the seed


def test_change_fact_without_a_fact_draws_from_the_stream_as_before():
    """One ``randrange`` over the words, as when a word was dropped: the twins, sources and
    queries drawn after it stay those of the earlier benchmark."""
    for seed in range(5):
        rng, ref = random.Random(seed), random.Random(seed)
        change_fact(NO_FACT[0], ["Perth"], rng)
        ref.randrange(len(NO_FACT[0].split()))
        assert rng.random() == ref.random()


def test_change_fact_on_real_sentences_without_a_fact(shared_dir):
    import json

    from tools.datasets.make_trace_bench import _DAYS, _NAME, _NUMBER

    checked = 0
    for line in (shared_dir / "data" / "wild-dev" / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        for sent in re.split(r"(?<=[.!?])\s+", json.loads(line)["original"]):
            if len(sent.split()) < 4 or _NUMBER.search(sent) or _NAME.search(sent) or any(d in sent for d in _DAYS):
                continue
            _check_twin(sent, change_fact(sent, ["Perth"], random.Random(checked)))
            checked += 1
    assert checked >= 10  # 15 in wild-dev


def test_a_twin_that_only_lost_a_word_is_told_from_one_with_a_fact_changed():
    near = _bench().only_a_word_dropped
    text = "The route of the motorway is to be decided early next year."
    assert near(text, "The route of the motorway to be decided early next year.")
    for seed in range(5):  # no number, name or weekday: a content word changes, none is dropped
        assert not near(text, change_fact(text, ["Perth"], random.Random(seed)))
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


def test_retold_keeps_quotations_and_facts_and_rewords_the_rest():
    # the first sentence is never the one dropped
    text = ('The mayor said "we will rebuild every house that was lost" after visiting the town. '
            'Police said 14 people were hurt when the storm struck the coast on Tuesday. '
            'Rescue workers searched the damaged buildings through the night.')
    plan = retell_plan(text, ["Officials later confirmed that power was restored to most homes."], random.Random(2))
    assert "Officials later confirmed" in plan  # a sibling's sentence joins
    assert plan != text
    out = _retell_job((plan, "wordnet", 7))
    assert '"we will rebuild every house that was lost"' in out
    for style in ("moby", "wordnet"):  # numbers are facts: never reworded (ppdb needs ../shared)
        assert "14 " in _retell_job(("Police said 14 people were hurt when the storm struck the coast.", style, 3))
    outside = re.sub(r'"[^"]*"', "", out).split()
    assert sum(w not in text.split() for w in outside) >= 3  # reworded outside the quotation


def test_retold_has_its_own_stream_and_never_the_query_style():
    lee = [{"id": f"lee00{a}-p0{p}", "text": f"Paragraph {p} of story {a} tells how the council voted on the new bridge.",
            "kind": "source", "article": a} for a in range(2) for p in range(2)]
    sources = [lee[0], lee[2]]
    a = make_retold(sources, lee, 5, 1)
    assert a == make_retold(sources, lee, 5, 1)
    assert [d["id"] for d in a] == ["lee000-p00-retold", "lee001-p00-retold"]
    # the query styles of sources 0 and 1 are moby and wordnet (STYLES cycled)
    assert a[0]["style"] != "moby" and a[1]["style"] != "wordnet"


def test_a_miss_is_labelled_by_what_ranked_first():
    bench = _bench()
    meta = {"lee001-p00": {"kind": "source", "article": 1}, "lee001-p01": {"kind": "source", "article": 1},
            "lee001-p00-twin": {"kind": "twin", "article": 1}, "lee001-p00-retold": {"kind": "retold", "article": 1},
            "lee002-p00": {"kind": "source", "article": 2}, "lee001-p01-retold": {"kind": "retold", "article": 1}}
    gold = ["lee001-p00"]
    assert bench.miss_label("lee001-p00-twin", gold, meta) == "twin"
    assert bench.miss_label("lee001-p00-retold", gold, meta) == "retold"
    assert bench.miss_label("lee001-p01", gold, meta) == "same story"
    assert bench.miss_label("lee001-p01-retold", gold, meta) == "same story"
    assert bench.miss_label("lee002-p00", gold, meta) == "source"
    meta["lee002-p00-retold"] = {"kind": "retold", "article": 2}
    assert bench.miss_label("lee002-p00-retold", gold, meta) == "retold (other story)"
    assert bench.miss_label("filler:x", gold, meta) == "filler"
