import json

import pytest
from hypothesis import given, settings, strategies as st

import unspin
from unspin import RestoreConfig
from unspin import apply_edits
from unspin.lang.words import match_case

SPUN = ("One resident mentioned at the least 12 folks have been killed within the assault.\n\n"
        "Rescuers pulled out our bodies from the rubble of a constructing.")


def test_restore_returns_replayable_edits():
    r = unspin.restore(SPUN)
    assert r.edits, "a heavily spun text should get edits"
    assert apply_edits(SPUN, r.edits) == r.text
    for e in r.edits:
        assert SPUN[e.start:e.end] == e.spun
        assert 0.0 <= e.confidence <= 1.0
        assert e.evidence


def test_untouched_text_is_byte_identical():
    r = unspin.restore(SPUN)
    pos = 0
    for e in r.edits:
        assert SPUN[pos:e.start] in r.text
        pos = e.end
    # line breaks and punctuation survive exactly
    assert r.text.count("\n") == SPUN.count("\n")
    assert r.text.endswith("constructing.") or r.text.endswith(".")


def test_empty_and_whitespace_input():
    assert unspin.restore("").text == ""
    assert unspin.restore("  \n").text == "  \n"
    assert unspin.restore("  \n").edits == []


def test_to_json_roundtrip():
    r = unspin.restore(SPUN)
    d = json.loads(r.to_json())
    assert d["text"] == r.text
    assert len(d["edits"]) == len(r.edits)
    assert set(d["edits"][0]) == {"start", "end", "spun", "original", "confidence", "evidence"}


def test_threshold_reduces_edits():
    loose = unspin.restore(SPUN, threshold=-2.0)
    strict = unspin.restore(SPUN, threshold=20.0)
    assert len(strict.edits) <= len(loose.edits)
    assert strict.edits == []


def test_config_and_options_are_exclusive():
    with pytest.raises(TypeError):
        unspin.restore("x", RestoreConfig(), threshold=1.0)
    with pytest.raises(TypeError):
        unspin.restore(b"bytes")


def test_match_case():
    assert match_case("said", "Mentioned") == "Said"
    assert match_case("said", "MENTIONED") == "SAID"
    assert match_case("national health", "Nationwide Well") == "National Health"
    assert match_case("said", "mentioned") == "said"
    assert match_case("DNA", "Desoxyribose") == "DNA"  # a curated original keeps its own capitals


WORDS = st.sampled_from(
    ["the", "mentioned", "folks", "have", "been", "killed", "within", "assault", "Mentioned", "12",
     "constructing", "our", "bodies", "at", "least", "city", "house", "U.S.", "didn’t"])
SEPS = st.sampled_from([" ", " ", "  ", ", ", ". ", "\n", "\n\n", " — ", " (", ") "])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(WORDS, SEPS), max_size=25))
def test_edits_replay_on_arbitrary_text(parts):
    text = "".join(w + s for w, s in parts)
    r = unspin.restore(text)
    assert apply_edits(text, r.edits) == r.text
    last = 0
    for e in r.edits:
        assert e.start >= last and text[e.start:e.end] == e.spun
        last = e.end


def test_channel_fast_path_equals_the_feature_sum():
    from unspin.restoration.restorer import get_restorer

    channel = get_restorer().channel
    seen = 0
    for spun in [("mentioned",), ("folks",), ("within",), ("constructing",), ("assault",),
                 ("our", "bodies"), ("nation's",), ("utilize",), ("in",), ("have", "been")]:
        for c in channel.gen.candidates(spun):
            slow = sum(getattr(channel.w, k) * v for k, v in channel.features(spun, c).items() if v)
            assert channel.score(spun, c) == slow, (spun, c)
            seen += 1
    assert seen > 50


def test_every_source_names_its_weights():
    """A source's features are Weights fields, named by the source (its ``weights``), and the
    channel's features are exactly the Weights fields but ``lm``."""
    from dataclasses import fields

    from unspin.restoration.channel import FEATURES, Weights
    from unspin.restoration.restorer import get_restorer

    r = get_restorer()
    names = {f.name for f in fields(Weights)}
    assert set(FEATURES) == names - {"lm"}
    owned = []
    for src in (r.generator.thesaurus,) + r.generator.sources:
        assert set(src.weights) <= names, src.name
        owned += src.weights
        for spun in [("mentioned",), ("within",), ("have", "been")]:
            for c in r.generator.candidates(spun):
                assert set(src.features(spun, c)) == set(src.weights), src.name
    assert len(owned) == len(set(owned))  # one owner per weight
    c = next(c for c in r.generator.candidates(("within",)) if c.support)
    assert list(r.channel.features(("within",), c)) == list(FEATURES)
