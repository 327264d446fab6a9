"""Golden cases (ftfy style): each case says whether it is expected to pass today, so known
failures stay visible and a fixed one is noticed."""

import json
from pathlib import Path

import pytest

import unspin

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "restore_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_restore_case(case):
    got = unspin.restore(case["input"]).text
    if case["expect"] == "pass":
        assert got == case["expect_text"]
    else:
        assert got != case["expect_text"], "this known failure now passes: set expect to pass"


def test_example_end_to_end_matches_golden_file():
    root = Path(__file__).resolve().parents[1]
    text = (root / "examples" / "atmeh-raid.spun.txt").read_text(encoding="utf-8")
    want = json.loads((GOLDEN / "atmeh-raid.restored.json").read_text(encoding="utf-8"))
    assert unspin.restore(text).to_dict() == want
