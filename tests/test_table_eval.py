from unspin.evaluation.data import Pair
from unspin.evaluation.restore import evaluate_restore, levenshtein
from unspin.restoration.restorer import RestoreConfig
from unspin.restoration.table import SubstitutionTable, aligned_substitutions


def test_levenshtein():
    assert levenshtein([], []) == 0
    assert levenshtein(["a"], []) == 1
    assert levenshtein("a b c d".split(), "a c d e".split()) == 2


def test_aligned_substitutions_phrases_and_deletions():
    subs = aligned_substitutions("rescuers pulled out our bodies for the reason that", "rescuers pulled out bodies since")
    assert (("our", "bodies"), ("bodies",)) in subs


def test_table_counts_per_group_and_leave_out(tmp_path):
    t = SubstitutionTable.learn([
        ("a", "he mentioned it", "he said it"),
        ("b", "she mentioned that", "she said that"),
    ])
    assert t.lookup(("mentioned",)) == [(("said",), 2.0)]
    assert t.without("a").lookup(("mentioned",)) == [(("said",), 1.0)]
    # lemma level: the learned pair generalises to other inflections
    assert (("says",), 2.0) in t.lookup_lemma(("mentions",))
    path = tmp_path / "t.json"
    t.save(path)
    assert SubstitutionTable.load(path).lookup(("mentioned",)) == [(("said",), 2.0)]


def test_eval_identity_and_loao():
    pairs = [Pair("a", "one resident mentioned a raid", "one resident said a raid", "a-p01"),
             Pair("b", "the navy mentioned nothing", "the military said nothing", "b-p01")]
    ident = evaluate_restore(pairs, RestoreConfig(fingerprints=False), mode="identity")
    assert ident["repair"] == 0.0 and ident["false_edit_rate"] == 0.0
    full = evaluate_restore(pairs, RestoreConfig(fingerprints=False))
    assert full["E_spun"] == 3
    assert full["repair"] is not None and full["false_edit_rate"] is not None
    assert full["leave_one_group_out"] is True


def test_unequal_blocks_split_at_thesaurus_links():
    from unspin.restoration.table import aligned_units

    a = "one resident mentioned a number of folks have been killed".split()
    b = "one resident said several people were killed".split()
    got = [(tuple(a[i:i + n]), o) for (i, n), o in aligned_units(a, b)]
    assert got == [(("mentioned",), ("said",)), (("a", "number", "of"), ("several",)),
                   (("folks",), ("people",)), (("have", "been"), ("were",))]


def test_abbreviation_spelling_is_not_learned_as_a_swap():
    assert aligned_substitutions("the US army", "the U.S. army") == []
