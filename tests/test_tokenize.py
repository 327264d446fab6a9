from hypothesis import given, strategies as st

from unspin.lang.tokenize import eval_words, is_sentence_initial, sentence_spans, sentences, tokenize


@given(st.text())
def test_tokens_are_substrings_at_their_offsets(text):
    prev_end = 0
    for t in tokenize(text):
        assert 0 <= t.start < t.end <= len(text)
        assert text[t.start:t.end] == t.text
        assert t.start >= prev_end
        prev_end = t.end


@given(st.text())
def test_sentence_spans_cover_text_without_gaps(text):
    spans = sentence_spans(text)
    pos = 0
    for s, e in spans:
        assert s == pos and e > s
        pos = e
    assert pos == len(text)


@given(st.text(alphabet=st.sampled_from("ab .!?\n’'")))
def test_sentences_keep_every_token_once(text):
    toks = tokenize(text)
    grouped = [t for s in sentences(toks, text) for t in s]
    assert grouped == toks


def test_apostrophes_and_hyphens():
    assert [t.text for t in tokenize("didn’t multi-story")] == ["didn’t", "multi", "story"]
    assert tokenize("nation’s")[0].lower == "nation's"


def test_abbreviation_does_not_end_sentence():
    text = "The U.S. military said. Then it left."
    assert len(sentence_spans(text)) == 2


def test_sentence_initial():
    text = "It ended. Mentioned here.\nNext line"
    assert is_sentence_initial(text, text.index("Mentioned"))
    assert is_sentence_initial(text, text.index("Next"))
    assert not is_sentence_initial(text, text.index("here"))


def test_eval_words_normalises():
    assert eval_words("U.S. “quotes” don’t") == ["us", "quotes", "don't"]
