import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.errors import UnspinError
from unspin.lang.fingerprints import (FingerprintMatcher, clean_entry, get_matcher, load_list, normalize_phrase,
                                 phrase_table, shipped_entries, variants)

DATA = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data"

PAIRS = [("counterfeit consciousness", "artificial intelligence"),
         ("profound learning", "deep learning"),
         ("profound learning model", "deep learning model"),
         ("irregular woodland", "random forest")]


def test_case_spacing_hyphen_and_line_breaks():
    m = FingerprintMatcher(PAIRS)
    text = "We used COUNTERFEIT\n  Consciousness and an irregular-woodland."
    hits = m.find(text)
    assert [(text[h.start:h.end], h.correct) for h in hits] == [
        ("COUNTERFEIT\n  Consciousness", "Artificial intelligence"), ("irregular-woodland", "random forest")]


def test_plural_is_matched_and_correct_term_inflected():
    m = FingerprintMatcher(PAIRS)
    hits = m.find("Two irregular woodlands grew.")
    assert [(h.tortured, h.correct) for h in hits] == [("irregular woodlands", "random forests")]


def test_word_boundaries():
    m = FingerprintMatcher(PAIRS)
    assert m.find("xcounterfeit consciousness") == []
    assert m.find("counterfeit consciousnessy") == []
    assert len(m.find("(counterfeit consciousness)")) == 1


def test_longest_match_wins():
    m = FingerprintMatcher(PAIRS)
    hits = m.find("a profound learning model here")
    assert [(h.tortured, h.correct) for h in hits] == [("profound learning model", "deep learning model")]


def test_offsets_survive_case_folding_that_changes_length():
    # "İ".lower() is two code points: offsets must still point into the original text.
    m = FingerprintMatcher(PAIRS)
    text = "İİ counterfeit consciousness İ"
    (h,) = m.find(text)
    assert text[h.start:h.end] == "counterfeit consciousness"


@settings(max_examples=60, deadline=None)
@given(pre=st.text(alphabet=" .,;\n\tİab(", max_size=12), gap=st.sampled_from([" ", "  ", "\n", "-", " \n "]),
       post=st.text(alphabet=" .,;\n)xy", max_size=12), upper=st.booleans())
def test_hit_offsets_always_point_at_the_phrase(pre, gap, post, upper):
    m = FingerprintMatcher(PAIRS)
    phrase = f"counterfeit{gap}consciousness"
    if upper:
        phrase = phrase.upper()
    text = pre + phrase + post
    hits = m.find(text)
    boundary_ok = (not pre or not pre[-1].isalnum()) and (not post or not post[0].isalnum())
    if boundary_ok:
        assert len(hits) == 1
        assert text[hits[0].start:hits[0].end] == phrase
    for h in hits:
        assert text[h.start:h.end] == h.tortured


def test_clean_entry_rules():
    assert clean_entry("synthetic intelligence (ai)", "artificial intelligence (ai)") == (
        "synthetic intelligence", "artificial intelligence")
    assert clean_entry("polyethylene glycol (stake)", "polyethylene glycol (peg)") is None
    assert clean_entry("supervised learning", "supervised (machine) learning") is None
    assert clean_entry("monetary development", "economic development/profit growth") == (
        "monetary development", "economic development")
    assert clean_entry("area unit", "the word 'are', see https://example.org") == ("area unit", "the word 'are'")
    assert clean_entry("bunch", "cluster") is None  # one short word: too weak
    assert clean_entry("bunch decay", "???") == ("bunch decay", "")


def test_variants():
    assert variants("neural organization", "neural network")[1] == ("neural organizations", "neural networks")
    assert variants("help vectors", "support vectors")[1] == ("help vector", "support vector")
    assert len(variants("x analysis", "y analysis")) == 2  # analysis -> analysises is not produced


def test_shipped_list_is_cleaned():
    entries = dict(shipped_entries())
    assert len(entries) > 7000
    assert entries["counterfeit consciousness"] == "artificial intelligence"
    for ordinary in ("search engine", "neural network", "supervised learning", "cloud computing",
                     "flag handling", "call tree"):
        assert ordinary not in entries
    for t, c in entries.items():
        assert t == t.lower() and "(" not in t and normalize_phrase(t) != normalize_phrase(c)


def test_phrase_table_shape():
    table = phrase_table()
    assert table[("counterfeit", "consciousness")] == ("artificial", "intelligence")
    assert table[("counterfeit", "consciousnesses")] == ("artificial", "intelligences")
    assert ("man", "made", "reasoning") in table  # hyphen splits words, as tokenize does
    for k, v in list(table.items())[:2000]:
        assert isinstance(k, tuple) and isinstance(v, tuple) and k and v
        assert all(w == w.lower() for w in k)


def test_user_list(tmp_path):
    p = tmp_path / "mine.json"
    p.write_text(json.dumps([{"tortured": "colossal information", "correct": "big data"}]), encoding="utf-8")
    m = get_matcher((str(p),), builtin=False)
    (h,) = m.find("Colossal information is here.")
    assert h.correct == "Big data" and h.source == str(p)
    assert get_matcher((str(p),), builtin=False).find("counterfeit consciousness") == []


@pytest.mark.parametrize("content,msg", [
    ("{not json", "not valid JSON"),
    ('{"phrases": 3}', "expected a JSON list"),
    ('[{"tortured": 1, "correct": "x"}]', "entry 0"),
])
def test_bad_user_lists(tmp_path, content, msg):
    p = tmp_path / "bad.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(UnspinError, match=msg):
        load_list(str(p))


def test_missing_user_list():
    with pytest.raises(UnspinError, match="no such file"):
        load_list("/nonexistent/list.json")


def test_manifest_and_attribution():
    manifest = json.loads((DATA / "MANIFEST.json").read_text(encoding="utf-8"))
    entry = manifest["fingerprints.json"]
    raw = (DATA / "fingerprints.json").read_bytes()
    assert entry["sha256"] == hashlib.sha256(raw).hexdigest()
    assert entry["entries"] == len(json.loads(raw)["phrases"])
    attribution = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Problematic Paper Screener" in attribution and "CC BY 4.0" in attribution
    assert "Cabanac" in attribution and "Labbé" in attribution and "Magazinov" in attribution


def test_manifest_records_the_shared_input(shared_dir):
    raw = (shared_dir / "data" / "pps" / "tortured-phrases.json").read_bytes()
    manifest = json.loads((DATA / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["fingerprints.json"]["inputs"]["pps"]["sha256"] == hashlib.sha256(raw).hexdigest()
