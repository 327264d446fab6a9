"""Units, numbers and compass points: restoration never changes them (unspin.lang.factwords)."""

import hashlib
import json
from pathlib import Path

import pytest

from unspin.lang.factwords import fact_change, number_of, shipped_units, unit_of

DATA = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data"


@pytest.mark.parametrize("spun, original, why", [
    (("kilometres",), ("miles",), "unit"),
    (("km",), ("miles",), "unit"),
    (("nautical", "mile"), ("mile",), "unit"),
    (("kilogram",), ("pound",), "unit"),
    (("kilogram",), ("thousand",), "unit"),
    (("month",), ("year",), "unit"),
    (("seconds",), ("minutes",), "unit"),
    (("forty",), ("thousand",), "number"),
    (("third",), ("three",), "number"),
    (("30",), ("two",), "number"),
    (("hundreds",), ("thousands",), "number"),
    (("southerly",), ("north",), "direction"),
    (("north-eastern",), ("western",), "direction"),
    (("southerly", "winds"), ("north", "winds"), "direction"),
])
def test_a_changed_fact_is_named(spun, original, why):
    assert fact_change(spun, original) == why


@pytest.mark.parametrize("spun, original", [
    (("km",), ("kilometre",)),          # one unit, two names
    (("kilometres",), ("kilometers",)),  # one unit, two spellings
    (("12", "months"), ("year",)),      # a spinner's periphrasis: the same quantity
    (("northerly",), ("northern",)),
    (("twelve",), ("12",)),
    (("dozen",), ("twelve",)),
    (("folks",), ("people",)),          # no fact word at all
    (("point",), ("place",)),           # a unit only in a later sense: an ordinary word
    (("southerly",), ("south",)),
])
def test_the_same_fact_or_none_passes(spun, original):
    assert fact_change(spun, original) is None


def test_plural_units_and_numbers_are_recognised():
    assert unit_of(("kilometres",)) == unit_of(("km",)) == "kilometer.n.01"
    assert unit_of(("nautical", "mile")) != unit_of(("mile",))
    assert number_of(("1,500",)) == ("cardinal", 1500.0)
    assert number_of(("said",)) is None


def test_the_unit_table_matches_its_manifest_entry():
    entry = json.loads((DATA / "MANIFEST.json").read_text())["units.tsv"]
    assert hashlib.sha256((DATA / "units.tsv").read_bytes()).hexdigest() == entry["sha256"]
    words = [ln for ln in (DATA / "units.tsv").read_text().splitlines() if ln and not ln.startswith("#")]
    assert entry["words"] == len(words)
    assert len(shipped_units()) >= len(words)


def test_the_channel_drops_a_different_unit_the_thesaurus_proposes():
    from unspin.restoration.restorer import RestoreConfig, get_restorer

    r = get_restorer(RestoreConfig())
    proposed = {c.words for c in r.generator.candidates(("kilometres",))}
    assert ("miles",) in proposed, "the thesaurus no longer links kilometres to miles: pick another pair"
    assert ("miles",) not in {c.words for _, c in r.channel.prior(("kilometres",), wide=True)}
    out = r.restore("The fire front is 25 kilometres long and the southerly winds are expected to ease.")
    assert not any(fact_change(tuple(e.spun.lower().split()), tuple(e.original.lower().split())) for e in out.edits)
