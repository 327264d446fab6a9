"""tools/analysis/restore_misses.py: what restoration did with each replaced run."""

from tools.analysis.restore_misses import classify


def test_each_replaced_run_is_classified():
    original = "One resident said at least 12 people were killed in the attack near the town."
    spun = "One resident mentioned at the least 12 folks have been killed within the assault close to the city."
    restored = "One resident said at the least 12 people have been killed in the raid close to the city."
    assert classify(spun, original, restored) == [
        ("one-word fixed", "mentioned", "said", "said"),
        ("longer untouched", "the", "", "the"),              # "at the least" -> "at least"
        ("longer wrong", "folks have been", "people were", "people have been"),
        ("one-word fixed", "within", "in", "in"),
        ("longer wrong", "assault close to", "attack near", "raid close to"),  # adjacent swaps: one run
        ("one-word untouched", "city", "town", "city"),
    ]

def test_an_untouched_word_changed_is_a_false_edit():
    text = "The council met on Tuesday to discuss the budget."
    rows = classify(text, text, text.replace("discuss", "talk about"))
    assert rows == [("false", "discuss", "discuss", "talk about")]
