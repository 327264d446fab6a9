"""benchmarks/bench_cluster.py's scoring: the near-duplicate labelling that decides which merges
count as false (a mistake here would move the false-merge figure of issue 12 silently)."""

from conftest import load_benchmark


def _bench():
    return load_benchmark("bench_cluster")


ROW = "This command is similar to the columnconfigure command except that it applies to the row weights."
COL = "This command is similar to the rowconfigure command except that it applies to the column weights."
ROW_ONE_WORD = "This command is identical to the columnconfigure command except that it applies to the row weights."
NEWS = ("The Reserve Bank has cut official interest rates again, still worried about the slowing global "
        "economy and the rising number of people out of work.")
SPUN_NEWS = ("The Reserve Bank has slashed official interest levels once more, still anxious about the "
             "slowing world economy and the growing count of individuals out of employment.")
OTHER = "Return the parser object, creating a new one if needed and none was given before."


def test_near_duplicate_pairs_one_word_apart_but_not_a_spun_copy():
    b = _bench()
    texts = [ROW, NEWS, ROW_ONE_WORD, SPUN_NEWS, OTHER]
    # one word of 16 changed: 11 of 17 trigrams shared (0.65); the spun copy shares 4 of 43
    assert b.near_duplicate_pairs(texts) == [(0, 2)]
    assert b.near_duplicate_pairs(texts, 0.7) == []
    # two words swapped apart (row/column): 9 of 21 trigrams shared, under 0.5
    assert b.near_duplicate_pairs([ROW, COL]) == []
    assert b.near_duplicate_pairs([ROW, COL], 0.4) == [(0, 1)]


def test_near_duplicate_labels_join_groups_transitively():
    b = _bench()
    a1 = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
    a2 = a1.replace("kappa", "xi")             # near-duplicate of a1 (7 of 13 trigrams: 0.54)
    a3 = a2.replace("beta", "omicron")         # of a2 (0.67), not of a1 (0.33): joined through a2
    texts = [NEWS, SPUN_NEWS, OTHER, a1, a2, a3, NEWS + " Police said."]
    groups = ["n", "n", None, None, None, None, None]
    labels = b.near_duplicate_labels(texts, groups)
    assert (0, 5) not in b.near_duplicate_pairs(texts) and (3, 5) not in b.near_duplicate_pairs(texts)
    assert labels[3] == labels[4] == labels[5] != labels[2]
    # an unrelated text copied from a source is of the source's group, spun copy included
    assert labels[6] == labels[0] == labels[1]
    assert len(set(labels)) == 3
    # pairs (3,4) (3,5) (4,5) and (6,0) (6,1) are new true pairs
    assert b.relabelled_pairs(groups, labels) == 5


def test_pair_counts_scores_near_duplicates_apart_from_false_merges():
    b = _bench()
    texts = [NEWS, SPUN_NEWS, ROW, ROW_ONE_WORD, OTHER, COL]
    groups = ["n", "n", None, None, None, None]
    labels = b.near_duplicate_labels(texts, groups)
    # the two Tk near-duplicates together, and a real false merge (OTHER with COL)
    counts = b.pair_counts(groups, [0, 0, 2, 2, 4, 4], labels)
    assert counts["spun_pairs_together"] == 1.0 and counts["pairs_put_together"] == 3
    assert (counts["false_merges"], counts["false_merges_dedup"]) == (2, 1)
    assert counts["false_merge_share_dedup"] == round(1 / 3, 4)
    # a near-duplicate joined to a spun group is no false merge either, its unrelated partner is
    counts = b.pair_counts(groups, [0, 0, 0, 0, 4, 5], labels)
    assert (counts["false_merges"], counts["false_merges_dedup"]) == (5, 4)
    assert "false_merges_dedup" not in b.pair_counts(groups, [0, 0, 2, 2, 4, 4])
