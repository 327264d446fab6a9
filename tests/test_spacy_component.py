"""The spaCy component: ``nlp.add_pipe("unspin")`` gives the same score and spans as annotate()."""

import pytest

spacy = pytest.importorskip("spacy")

SPUN = ("The loss of life toll rose to 80, officials explained on Sunday, as powerful winds drove an "
        "enormous bushfire towards the township and residents were compelled to abandon their houses.")


def test_add_pipe_unspin_sets_score_and_spans():
    import unspin.screening.spacy_pipe  # noqa: F401  (registers the factory)
    from unspin.annotate import annotate

    nlp = spacy.blank("en")
    nlp.add_pipe("unspin", config={"threshold": 0.3})
    doc = nlp(SPUN)
    want = annotate([{"text": SPUN}])[0]
    assert doc._.spin_score == want["spin_score"] and doc._.spin_flagged == (want["spin_score"] >= 0.3)
    got = [(s.start_char, s.end_char, s._.spin_original, s._.spin_prob) for s in doc.spans["unspin"]]
    assert got == [(s["start"], s["end"], s["original"], s["score"]) for s in want["spin_spans"]]
    assert got, "a spun text has suspicious spans"
    assert nlp("")._.spin_score is not None and list(nlp("").spans["unspin"]) == []
