"""PPDB: the table build (tools/build/build_ppdb.py), its reader and the ``ppdb`` source."""

import hashlib
import json
from pathlib import Path

import pytest

from tools.build.build_ppdb import SYN, XL, build, same_word
from unspin.lang.ppdb import NONE, Ppdb, get_ppdb
from unspin.restoration.sources.ppdb import RANKS, PpdbSource

DATA = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data"

FIXTURE_XL = """\
said stated mentioned says told
mentioned said referred
colour color hue
supply source provision
nonsense rubbish drivel
"""
FIXTURE_SYN = "said stated\nstated said\n"


@pytest.fixture
def fixture_table(tmp_path):
    src = tmp_path / "ppdb"
    src.mkdir()
    (src / XL).write_text(FIXTURE_XL)
    (src / SYN).write_text(FIXTURE_SYN)
    out = tmp_path / "ppdb.npz"
    record = build(src, out, blocked=frozenset({"rubbish"}))
    return src, out, record


def test_build_ranks_both_directions_and_the_synonym_label(fixture_table):
    _, out, record = fixture_table
    table = Ppdb(out, blocklist=frozenset())
    links = {(w, link.original): link[1:] for w in table.terms for link in table.links(w)}
    # "stated" is first in said's line; said has no line of its own in stated's; PPDB 2.0 says synonym
    assert links[("stated", "said")] == (0, NONE, True)
    assert links[("mentioned", "said")] == (1, 0, False)
    assert links[("said", "mentioned")] == (0, 1, False)
    assert links[("told", "said")] == (3, NONE, False)
    assert links[("source", "supply")] == (0, NONE, False)
    # inflections (says/said), spelling variants (color/colour) and blocked originals are dropped
    assert not any({w, o} in ({"said", "says"}, {"colour", "color"}) for w, o in links)
    assert all(o != "rubbish" for _, o in links)
    assert ("drivel", "nonsense") in links and ("nonsense", "rubbish") not in links
    assert record["links"] == len(links) and record["inputs"][XL]["lines"] == 5


def test_build_is_deterministic(fixture_table, tmp_path):
    src, out, record = fixture_table
    again = build(src, tmp_path / "again.npz", blocked=frozenset({"rubbish"}))
    assert (tmp_path / "again.npz").read_bytes() == out.read_bytes()
    assert again["sha256"] == record["sha256"]


def test_same_word_spots_inflections_and_spellings_only():
    assert same_word("muslims", "muslim") and same_word("modelling", "modeling")
    assert same_word("re-use", "reuse") and same_word("colour", "color") and same_word("said", "says")
    assert not same_word("said", "stated") and not same_word("cases", "instances")


def _proposals(source, word):
    return dict(source.propose((word,)))


def test_source_proposes_the_originals_with_their_ranks(fixture_table):
    _, out, _ = fixture_table
    source = PpdbSource(Ppdb(out, blocklist=frozenset()))
    got = _proposals(source, "mentioned")
    assert set(got) == {("said",), ("referred",)}  # its own line lists referred (reverse)
    s = got[("said",)]
    assert s[0] == 1.0 and s[3] == 0.0
    from unspin.restoration.sources import Candidate

    c = Candidate(words=("said",), support=(("ppdb", s),))
    assert PpdbSource.ranks(c) == (1, 0)
    f = source.features(("mentioned",), c)
    assert f["ppdb"] == 1.0 and f["ppdb_rank"] == pytest.approx(-0.6931, abs=1e-4) and f["ppdb_rev"] == 0.0
    stated = Candidate(words=("said",), support=(("ppdb", _proposals(source, "stated")[("said",)]),))
    assert PpdbSource.ranks(stated) == (0, None)
    assert source.features(("stated",), stated)["ppdb_syn"] == 1.0
    assert source.features(("stated",), stated)["ppdb_rev"] == pytest.approx(-1 * __import__("math").log1p(RANKS))
    assert source.propose(("the",)) == [] and source.propose(("said", "that")) == []


def test_source_reinflects_forms_the_table_lacks(fixture_table):
    _, out, _ = fixture_table
    source = PpdbSource(Ppdb(out, blocklist=frozenset()))
    assert set(_proposals(source, "supplies")) == {("sources",), ("provisions",)}  # plural -> plurals
    assert ("sources",) not in _proposals(source, "supply")


def test_source_possessive_through_the_generator(fixture_table):
    from unspin.lang.lexicon import get_lexicon
    from unspin.restoration.candidates import CandidateGenerator
    from unspin.restoration.sources.thesaurus import ThesaurusSource

    _, out, _ = fixture_table
    gen = CandidateGenerator(ThesaurusSource(get_lexicon()), [PpdbSource(Ppdb(out, blocklist=frozenset()))])
    cands = {c.words: c for c in gen.candidates(("supply's",))}
    assert cands[("source's",)].strengths("ppdb") is not None
    assert "ppdb" in gen.evidence(cands[("source's",)])


def test_blocked_words_are_never_proposed(fixture_table):
    _, out, _ = fixture_table
    source = PpdbSource(Ppdb(out, blocklist=frozenset({"source"})))
    assert set(_proposals(source, "supply")) == {("provision",)}
    assert set(_proposals(source, "supplies")) == {("provisions",)}
    shipped = get_ppdb()
    assert shipped.blocklist
    bad = [(w, link.original) for w in shipped.terms for link in shipped.links(w)
           if link.original in shipped.blocklist]
    assert not bad
    # ... nor stored: the build leaves them out
    assert not any(shipped.terms[j] in shipped.blocklist for j in set(shipped.dst.tolist()))


def test_an_edit_ppdb_supports_names_it():
    from unspin.restoration.restorer import RestoreConfig, Restorer

    # PPDB's weight raised so that the edit does not hang on the tuned defaults
    r = Restorer(RestoreConfig(learned_table=False, fingerprints=False, weights=(("ppdb", 15.0),)))
    res = r.restore("The government also noted 5 instances in Hong Kong and two in Macau.")
    edits = {e.spun.lower(): e for e in res.edits}
    assert edits["instances"].original == "cases"
    assert "ppdb" in edits["instances"].evidence


def test_shipped_file_matches_the_manifest():
    entry = json.loads((DATA / "MANIFEST.json").read_text())["ppdb.npz"]
    assert hashlib.sha256((DATA / "ppdb.npz").read_bytes()).hexdigest() == entry["sha256"]
    assert entry["links"] == len(get_ppdb().dst)


def test_merged_word_candidates_equal_the_general_merge():
    """CandidateGenerator's merge for words other sources propose for (the thesaurus's shared
    objects kept) gives what merging every proposal and every prefiltered thesaurus original
    gives."""
    from unspin.lang.formdata import zipf
    from unspin.restoration.restorer import get_restorer

    gen = get_restorer().generator
    th = gen.thesaurus
    seen = 0
    for w in ("mentioned", "supply", "conditions", "instances", "nationwide", "explained", "folks",
              "assault", "utilize", "constructing", "zygomorphic"):
        ref: dict = {}
        for src in gen.sources:
            for orig, s in src.propose((w,)):
                if orig != (w,) and any(s):
                    d = ref.setdefault(orig, [0, {}])
                    old = d[1].get(src.name)
                    d[1][src.name] = s if old is None else tuple(map(max, old, s))
        for orig, flags in th.propose((w,)):
            if orig in ref or th.keep(orig, zipf((w,))):
                ref.setdefault(orig, [0, {}])[0] |= flags
        got = {c.words: (c.flags, dict(c.support)) for c in gen.candidates((w,))}
        assert got == {o: (f, sup) for o, (f, sup) in ref.items()}, w
        seen += any(sup for _, sup in got.values())
    assert seen >= 6
