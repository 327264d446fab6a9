"""The periphrase source: the grammar table data/periphrases.tsv, its inflected forms, and
what the restorer does with it."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

from unspin.restoration.candidates import CandidateGenerator
from unspin.restoration.channel import Weights
from unspin.restoration.sources.phrases import (PhraseSource, build_table, load_periphrases,
                                                parse_periphrases)
from unspin.restoration.restorer import RestoreConfig, build_sources, get_restorer
from unspin.restoration.sources.thesaurus import ThesaurusSource
from unspin.lang.lexicon import get_lexicon

DATA = resources.files("unspin") / "data"


def table_text() -> str:
    return (DATA / "periphrases.tsv").read_text(encoding="utf-8")


def test_table_loads_with_every_category():
    entries = parse_periphrases(table_text())
    assert 100 <= len(entries) <= 250
    cats = {c for _, _, c in entries}
    assert {"conjunction", "preposition", "quantifier", "auxiliary", "relative", "verb"} <= cats


def test_no_spun_side_is_a_single_word():
    for spun, origs, _ in parse_periphrases(table_text()):
        assert len(spun.split()) > 1, spun
        assert all(o != spun for o in origs)
    assert all(len(k) > 1 for k in load_periphrases())


def test_manifest_records_the_table():
    manifest = json.loads((DATA / "MANIFEST.json").read_text(encoding="utf-8"))["periphrases.tsv"]
    raw = (DATA / "periphrases.tsv").read_bytes()
    assert manifest["sha256"] == hashlib.sha256(raw).hexdigest()
    assert manifest["entries"] == len(parse_periphrases(table_text()))


def test_malformed_line_is_a_clear_error():
    with pytest.raises(ValueError, match="line 2"):
        parse_periphrases("prior to\tbefore\tpreposition\nprior to before\n")


def test_verb_entries_are_inflected_alike():
    t = build_table([("grow to be", ("become",), "verb"), ("make an attempt to", ("try to",), "verb")])
    origs = lambda s: [o for o, _ in t[tuple(s.split())]]
    assert origs("grow to be") == [("become",)]
    assert origs("grew to be") == [("became",)]
    assert origs("grows to be") == [("becomes",)]
    assert origs("growing to be") == [("becoming",)]
    assert origs("made an attempt to") == [("tried", "to")]
    # the shipped table holds the generated forms too
    shipped = load_periphrases()
    assert (("became",), (1.0, 0.0)) in shipped[("grew", "to", "become")]
    assert ("became",) in [o for o, _ in shipped[("developed", "into")]]


def test_non_verb_entries_are_not_inflected():
    t = build_table([("prior to", ("before",), "preposition")])
    assert list(t) == [("prior", "to")]


@pytest.mark.parametrize("spun, orig", [
    ("for the reason that", "because"),   # conjunction
    ("in the event that", "if"),
    ("at the least", "at least"),         # preposition
    ("prior to", "before"),
    ("a number of", "several"),           # quantifier
    ("had been", "were"),                 # auxiliary
    ("was able to", "could"),
    ("the place where", "where"),         # relative
    ("the way in which", "how"),
    ("developing into", "becoming"),      # verb, inflected
    ("on a daily basis", "daily"),        # adverbial
])
def test_source_proposes_the_original(spun, orig):
    src = PhraseSource.shipped()
    assert tuple(orig.split()) in [o for o, _ in src.propose(tuple(spun.split()))]


def test_auxiliary_periphrases_are_marked_loose():
    src = PhraseSource.shipped()
    aux = dict(src.propose(("have", "been")))[("were",)]
    conj = dict(src.propose(("for", "the", "reason", "that")))[("because",)]
    assert aux == (1.0, 1.0) and conj == (1.0, 0.0)


def test_features_are_weights_fields():
    names = set(Weights.__dataclass_fields__)
    assert set(PhraseSource.weights) <= names


def test_registered_and_may_have():
    sources = build_sources(RestoreConfig(), None)
    assert any(isinstance(s, PhraseSource) for s in sources)
    gen = CandidateGenerator(ThesaurusSource(get_lexicon()), sources)
    assert gen.may_have(("for", "the", "reason", "that"))
    assert gen.may_have(("grew", "to", "be"))
    # the generator looks as far as the table's longest phrase
    assert gen.max_words >= max(map(len, load_periphrases()))
    cands = gen.candidates(("for", "the", "reason", "that"))
    c = next(c for c in cands if c.words == ("because",))
    assert gen.evidence(c)[0] == "periphrase"


def test_restore_names_periphrase_evidence():
    r = get_restorer(RestoreConfig())
    res = r.restore("The match was cancelled for the reason that the pitch was flooded.")
    ev = [e for e in res.edits if "periphrase" in e.evidence]
    assert ev and ev[0].original.lower() == "because", res.edits


def test_reach_tool_aligns_multi_word_swaps():
    from tools.analysis.phrase_reach import swaps

    assert swaps("The loss of life toll rose.", "The death toll rose.") == [(("loss", "of", "life"), ("death",))]
    assert swaps("The toll went up.", "The toll rose.") == [(("went", "up"), ("rose",))]
