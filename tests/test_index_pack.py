"""The fast index build against its plain references: a batch packed (segments.pack) and segments
merged (segments.merge) give the same bytes as the code they replaced, which worked one text and
one word at a time and sorted every word; and the build's word keys are doc_key's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.tracing import segments as sg
from unspin.tracing import signatures as sig
from unspin.tracing.signatures import doc_key, doc_signature

# forms a build meets: function words (left out of postings), inflections (one key), names,
# numbers, possessives and curly apostrophes, capitals, non-ASCII letters, words lemminflect
# does not know, and punctuation between them
WORDS = ["the", "of", "and", "said", "says", "say", "cases", "case", "nation's", "nation’s", "Nations",
         "ran", "running", "better", "best", "Bakeri", "zorvak", "Zorvak", "1,200", "42", "3rd", "five",
         "don't", "O'Neill", "café", "naïve", "Straße", "über", "x", "A", "I", "mice", "geese", "data",
         "its", "it's", "flew", "ROTFL", "qwertyuiop", "hello-world", "e.g.", "U.S.", "—", "...", "\n\n"]

texts_st = st.lists(st.lists(st.sampled_from(WORDS), max_size=420).map(" ".join), max_size=12)


@given(texts_st)
@settings(max_examples=60, deadline=None)
def test_a_packed_batch_is_what_the_reference_packs(texts):
    assert sg.pack(texts) == sg.pack_reference(texts)


@given(texts_st)
@settings(max_examples=40, deadline=None)
def test_batch_signature_gives_each_texts_words(texts):
    key, surf, form, lens = sig.batch_signature(texts)
    assert lens.tolist() == [len(doc_signature(t)[0]) for t in texts]
    at = np.concatenate(([0], np.cumsum(lens)))
    for j, t in enumerate(texts):
        k, s, _toks = doc_signature(t)
        assert np.array_equal(key[form[at[j]:at[j + 1]]], k)
        assert np.array_equal(surf[form[at[j]:at[j + 1]]], s)
    assert len(np.unique(form)) == len(key)  # every form numbered is used


def test_the_vocabulary_starting_afresh_changes_nothing(monkeypatch):
    texts = [" ".join(WORDS[i:] + WORDS[:i]) for i in range(0, len(WORDS), 3)]
    want = sg.pack_reference(texts)
    monkeypatch.setattr(sig, "_VOCAB", sig._Vocabulary(limit=len(WORDS) // 2))
    assert sg.pack(texts) == want
    assert sg.pack(texts[::-1]) == sg.pack_reference(texts[::-1])
    # above its limit it holds only the last batch's forms
    assert len(sig._VOCAB.row) == len({w for t in texts for w in sig.WORD_RE.findall(t)})


@pytest.mark.parametrize("word", WORDS + ["Said", "SAYS", "children’s", "’tis", "rock'n'roll", "ǅemal", "ﬁnd"])
def test_the_builds_key_is_doc_key(word):
    assert sig._build_key(word) == doc_key(word)


@given(st.lists(st.integers(0, 1000), max_size=40))
def test_the_passage_table_is_passages_of(lens):
    doc, tok0, length = sg._passage_table(np.array(lens, dtype=np.int64))
    want = [(j, s, n) for j, ntok in enumerate(lens) for s, n in sg.passages_of(ntok)]
    assert list(zip(doc.tolist(), tok0.tolist(), length.tolist())) == want


def _rows(batches):
    """Stored segment rows (seg, first_doc, n_docs, first_pass, n_pass, blobs...) of batches
    packed one after the other, as Index.add writes them."""
    rows, first_doc, first_pass = [], 0, 0
    for seg, texts in enumerate(batches):
        ntoks, n_pass, blobs = sg.pack(texts)
        rows.append((seg, first_doc, len(texts), first_pass, n_pass, *blobs))
        first_doc += len(texts)
        first_pass += n_pass
    return rows


@given(st.lists(texts_st.filter(len), min_size=2, max_size=5))
@settings(max_examples=40, deadline=None)
def test_merged_segments_are_what_the_reference_merges(batches):
    rows = _rows(batches)
    assert sg.merge(rows) == sg.merge_reference(rows)
    assert sg.merge(rows[1:]) == sg.merge_reference(rows[1:])  # a run that does not start at 0


def test_a_merge_is_one_pack_of_all_its_texts():
    batches = [[" ".join(WORDS[i:i + 200]) * 2, "the the of", ""] for i in range(0, len(WORDS), 7)]
    n_docs, n_pass, blobs = sg.merge(_rows(batches))
    ntoks, n_pass_all, blobs_all = sg.pack([t for b in batches for t in b])
    assert (n_docs, n_pass) == (sum(map(len, batches)), n_pass_all)
    assert blobs == blobs_all


@given(st.text(st.characters(categories=("Ll", "Lu", "Lt", "Lo", "Nd")), min_size=1, max_size=12)
       | st.sampled_from(["said", "Says", "mice", "indices", "data", "better", "ran", "was", "an", "axes"]))
@settings(max_examples=300, deadline=None)
def test_the_builds_key_is_doc_key_for_any_word(word):
    # words lemminflect does not know are answered without it: they must come out as doc_key's
    assert sig._build_key(word) == doc_key(word)


def test_batches_packed_in_threads_at_once_are_packed_right(monkeypatch):
    import concurrent.futures

    monkeypatch.setattr(sig, "_VOCAB", sig._Vocabulary(limit=40))  # start afresh often
    batches = [[" ".join(WORDS[i:] + WORDS[:i]) + f" name{i}x{j}" for j in range(3)] for i in range(24)]
    want = [sg.pack_reference(b) for b in batches]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert list(pool.map(sg.pack, batches)) == want
