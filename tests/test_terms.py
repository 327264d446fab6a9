"""The ``term`` source: a span composed word by word towards a listed term (sources/terms.py)."""

from __future__ import annotations

import numpy as np
import pytest

from unspin.lang.lexicon import MOBY_HEAD_LISTS_SPUN, WORDNET_SYNONYM
from unspin.restoration.channel import FEATURES
from unspin.restoration.sources.terms import TermSource, parse_terms, term_words


class TinyLexicon:
    """Only what TermSource reads: ``originals``."""

    def __init__(self, links: dict[str, list[tuple[str, int]]]):
        self.links = links

    def originals(self, term: str, min_zipf: float = 0.0, flags: int = 0):
        return list(self.links.get(term, []))


class NoPpdb:
    def __contains__(self, word):
        return False


LEX = TinyLexicon({"profound": [("deep", WORDNET_SYNONYM)], "woodland": [("forest", MOBY_HEAD_LISTS_SPUN)],
                   "irregular": [("random", MOBY_HEAD_LISTS_SPUN)]})


def source(terms):
    return TermSource(terms, lexicon=LEX, ppdb=NoPpdb())


def test_term_words_split_like_the_tokenizer():
    assert term_words("Task-specific dataset (NLP)") == ("task", "specific", "dataset", "nlp")
    assert parse_terms("# header\ndeep learning\t18\nrandom walk\t0\n") == {("deep", "learning"): 18,
                                                                           ("random", "walk"): 0}


def test_composes_towards_a_listed_term():
    s = source({("deep", "learning"): 18})
    got = s.propose(("profound", "learning"))
    assert [t for t, _ in got] == [("deep", "learning")]
    _, (one, listed, prior, changed, weak, swapped) = got[0]
    assert (one, listed, changed, weak, swapped) == (1.0, 1.0, 1.0, 0.0, 0.0) and prior == pytest.approx(np.log(19))
    assert s.may_have(("profound", "learning"))
    # no link, the term itself, one word: nothing
    assert s.propose(("shallow", "learning")) == []
    assert s.propose(("deep", "learning")) == []
    assert not s.may_have(("profound",)) and not s.may_have(("unrelated", "words"))


def test_an_inflected_word_reaches_the_inflected_term_word_and_nothing_else_is_inflected():
    s = source({("random", "forests"): 3})
    assert s.reach("woodlands") == {"forests": False}  # woodlands -> woodland -> forest -> forests
    assert [t for t, _ in s.propose(("random", "woodlands"))] == [("random", "forests")]
    # a linked lemma that is no term word's lemma is not inflected (it could not become one)
    assert "forest" in s.vocab_lemmas() and "woodland" not in s.vocab_lemmas()
    assert source({("deep", "learning"): 1}).reach("woodlands") == {}


class CountingLexicon(TinyLexicon):
    def __init__(self, links):
        super().__init__(links)
        self.asked = []

    def originals(self, term, min_zipf=0.0, flags=0):
        self.asked.append(term)
        return super().originals(term, min_zipf, flags)


def test_a_span_with_no_term_word_in_place_reads_no_thesaurus_link():
    # A term keeps one content word in place, so a span holding none of the terms' words at
    # their places is answered without reading a link (it was a third of restoring clean text).
    lex = CountingLexicon({"profound": [("deep", WORDNET_SYNONYM)], "erudition": [("learning", WORDNET_SYNONYM)]})
    s = TermSource({("deep", "learning"): 3, ("machine", "learning"): 2}, lexicon=lex, ppdb=NoPpdb())
    assert not s.may_have(("profound", "erudition")) and not s.may_have(("learning", "profound"))
    assert lex.asked == []
    assert s.may_have(("profound", "learning")) and lex.asked == ["profound"]
    assert [t for t, _ in s.propose(("profound", "learning"))] == [("deep", "learning")]


def test_every_word_a_guess_needs_a_listed_term_and_a_strong_link():
    # both links Moby's alone: not proposed, listed or not
    assert TermSource({("random", "forest"): 5}, lexicon=LEX, ppdb=NoPpdb(), every_word=True).propose(("irregular", "woodland")) == []
    # a WordNet-only term (count 0) with every word changed: not proposed either
    lex = TinyLexicon({"profound": [("deep", WORDNET_SYNONYM)], "erudition": [("learning", WORDNET_SYNONYM)]})
    assert TermSource({("deep", "learning"): 0}, lexicon=lex, ppdb=NoPpdb(), every_word=True).propose(("profound", "erudition")) == []
    # ... nor by default a listed one, nor with a function word kept; with every_word, a listed one with a WordNet link is
    lex3 = TinyLexicon({"worth": [("quality", WORDNET_SYNONYM)], "existence": [("life", WORDNET_SYNONYM)]})
    assert TermSource({("quality", "of", "life"): 3}, lexicon=lex3, ppdb=NoPpdb()).propose(("worth", "of", "existence")) == []
    assert TermSource({("deep", "learning"): 3}, lexicon=lex, ppdb=NoPpdb()).propose(("profound", "erudition")) == []
    assert TermSource({("deep", "learning"): 3}, lexicon=lex, ppdb=NoPpdb(), every_word=True).propose(("profound", "erudition"))


def test_function_words_only_match_themselves():
    lex = TinyLexicon({"on": [("of", WORDNET_SYNONYM)], "net": [("internet", WORDNET_SYNONYM)]})
    s = TermSource({("internet", "of", "things"): 4}, lexicon=lex, ppdb=NoPpdb())
    assert s.propose(("net", "of", "things"))
    assert s.propose(("net", "on", "things")) == []


def test_features_are_channel_weights():
    assert set(TermSource.weights) <= set(FEATURES)


@pytest.fixture(scope="module")
def restorers():
    from unspin.restoration.restorer import Restorer, RestoreConfig

    on = Restorer(RestoreConfig(fingerprints=False, terms=True))
    off = Restorer(RestoreConfig(fingerprints=False, terms=False))
    # a term list of one term, so the test says what the source does, not what the shipped list holds
    on.generator._by_name["term"].set_terms({("deep", "learning"): 18})
    return on, off


def test_restores_an_unlisted_tortured_phrase(restorers):
    on, off = restorers
    text = "We applied profound learning to the data."
    assert off.restore(text).text == text  # without the term list the 3-gram alone does not
    r = on.restore(text)
    assert r.text == "We applied deep learning to the data."
    assert "term" in r.edits[0].evidence


def test_clean_sentence_unchanged(restorers):
    on, _ = restorers
    text = "We trained a deep learning model on the data and report its accuracy."
    assert on.restore(text).text == text
    text = "The river was deep and the learning curve was steep."
    assert on.restore(text).text == text


def test_every_word_changed_is_admitted_when_each_is_one_of_the_lists_word_swaps():
    lex = TinyLexicon({"irregular": [("random", MOBY_HEAD_LISTS_SPUN)], "woods": [("forest", MOBY_HEAD_LISTS_SPUN)]})
    terms = {("random", "forest"): 3, ("random", "walk"): 0}
    plain = TermSource(terms, lexicon=lex, ppdb=NoPpdb())
    assert plain.propose(("irregular", "woods")) == []  # every word a lexicon guess: not proposed
    papers = TermSource(terms, lexicon=lex, ppdb=NoPpdb(),
                        swaps={"irregular": [("random", 23), ("=", 1)], "woods": [("forest", 4)]})
    got = papers.propose(("irregular", "woods"))
    assert [t for t, _ in got] == [("random", "forest")]
    assert got[0][1][5] == 2.0  # both changed words are swaps (the term_swapped feature)
    # a swap link for one word only still needs a kept word
    half = TermSource(terms, lexicon=lex, ppdb=NoPpdb(), swaps={"irregular": [("random", 23)]})
    assert half.propose(("irregular", "woods")) == []
    # and the term must be the list's own (count > 0), not only WordNet's
    walk = TermSource({("random", "walk"): 0}, lexicon=TinyLexicon({"woods": [("walk", 0)]}), ppdb=NoPpdb(),
                      swaps={"irregular": [("random", 23)], "woods": [("walk", 2)]})
    assert walk.propose(("irregular", "woods")) == []


def test_the_lists_swaps_earn_their_own_weight_with_and_without_the_papers_option():
    lex = TinyLexicon({"irregular": [("random", MOBY_HEAD_LISTS_SPUN)], "woods": [("forest", MOBY_HEAD_LISTS_SPUN)]})
    swaps = {"irregular": [("random", 23)], "woods": [("forest", 4)]}
    from unspin.restoration.sources import Candidate

    for papers, on, off in ((False, "term_swapped_plain", "term_swapped"), (True, "term_swapped", "term_swapped_plain")):
        s = TermSource({("random", "forest"): 3}, lexicon=lex, ppdb=NoPpdb(), swaps=swaps, papers=papers)
        (t, strengths), = s.propose(("irregular", "woods"))
        assert s.may_have(("irregular", "woods"))  # the generator asks first: no kept word, yet a term
        f = s.features(("irregular", "woods"), Candidate(words=t, flags=0, support=(("term", strengths),)))
        assert (f[on], f[off]) == (2.0, 0.0)
        # a kept word and a link only a swap makes: a composition with the papers option alone
        kept = TermSource({("hard", "drive"): 3}, lexicon=lex, ppdb=NoPpdb(), swaps={"cut": [("drive", 1), ("=", 1)]},
                          papers=papers)
        assert [t for t, _ in kept.propose(("hard", "cut"))] == ([("hard", "drive")] if papers else [])
        # ... or one the list makes habitually: twice at least, and as often as it keeps the word
        habit = TermSource({("big", "data"): 9}, lexicon=lex, ppdb=NoPpdb(), papers=papers,
                           swaps={"colossal": [("big", 2)], "huge": [("big", 2), ("=", 3)]})
        assert [t for t, _ in habit.propose(("colossal", "data"))] == [("big", "data")]
        assert [t for t, _ in habit.propose(("huge", "data"))] == ([("big", "data")] if papers else [])


def test_default_restorer_reads_the_lists_swaps_only_in_compositions():
    from unspin.restoration.restorer import Restorer, RestoreConfig

    r = Restorer(RestoreConfig(fingerprints=False))
    terms = r.generator._by_name["term"]
    assert terms.swaps and not terms.papers  # the shipped swaps, without the papers option's weight
    assert not r.generator._by_name["pps_word"].pairs  # no single-word swap source by default
    assert Restorer(RestoreConfig(fingerprints=False, pps_words=True)).generator._by_name["term"].papers
    # a listed term reached only through swaps, every word changed: restored in default mode
    terms.set_terms({("random", "forest"): 12})
    terms.set_swaps({"irregular": [("random", 20)], "woodland": [("forest", 9)]})
    r.generator._cache.clear()
    r.channel.forget()
    text = "We applied irregular woodland to the data."
    assert r.restore(text).text == "We applied random forest to the data."


def test_a_span_of_habitual_swaps_is_read_through_them_without_a_term():
    swaps = {"colossal": [("big", 3), ("huge", 2)], "information": [("data", 5), ("=", 2)],
             "ordinary": [("common", 1), ("=", 4)]}
    plain = TermSource({("deep", "learning"): 3}, lexicon=LEX, ppdb=NoPpdb(), swaps=swaps)
    got = dict(plain.propose(("colossal", "information")))
    assert set(got) == {("big", "data"), ("huge", "data")}
    assert got[("big", "data")] == (0.0, 0.0, 0.0, 2.0, 0.0, 2.0)  # no term vouches: "term" is 0
    assert plain.may_have(("colossal", "information"))
    assert plain.propose(("ordinary", "information")) == []  # ordinary -> common is no habit
    assert plain.propose(("colossal", "the", "information")) == []  # a function word: not a swap
    papers = TermSource({("deep", "learning"): 3}, lexicon=LEX, ppdb=NoPpdb(), swaps=swaps, papers=True)
    assert papers.propose(("colossal", "information")) == []  # its PpsWordSource reads each word


def test_a_phrase_the_list_swaps_habitually_is_read_as_one_word_towards_a_term():
    swaps = {"gaining knowledge": [("learning", 6)], "getting to know": [("learning", 1), ("=", 2)]}
    plain = TermSource({("deep", "learning"): 4}, lexicon=LEX, ppdb=NoPpdb(), swaps=swaps)
    assert plain.may_have(("deep", "gaining", "knowledge"))
    (t, st), = plain.propose(("deep", "gaining", "knowledge"))
    assert t == ("deep", "learning") and (st[3], st[5]) == (1.0, 1.0)  # one change, a swap
    # through a word link too: profound -> deep (the lexicon), the phrase -> learning (the list)
    assert [t for t, _ in plain.propose(("profound", "gaining", "knowledge"))] == [("deep", "learning")]
    assert plain.propose(("deep", "getting", "to", "know")) == []  # a swap made once: no habit
    papers = TermSource({("deep", "learning"): 4}, lexicon=LEX, ppdb=NoPpdb(), swaps=swaps, papers=True)
    assert papers.propose(("deep", "gaining", "knowledge")) == []  # its own source has the phrase


def test_a_span_may_cross_a_hyphen():
    from unspin.restoration.restorer import Restorer, RestoreConfig

    r = Restorer(RestoreConfig(fingerprints=False))
    terms = r.generator._by_name["term"]
    terms.set_terms({("artificial", "intelligence"): 9})
    terms.set_swaps({"man made": [("artificial", 3)]})  # the list's sides split at hyphens
    r.generator._cache.clear()
    r.channel.forget()
    text = "We applied man-made intelligence to the data."
    got = r.restore(text)
    assert got.text == "We applied artificial intelligence to the data."
    assert [(e.spun, e.original) for e in got.edits] == [("man-made", "artificial")]  # (trimmed to what changed)
    # ... a hyphen, not any gap: a slash or a dash between spaces still ends a span
    s = r._sentence("a-b c/d e - f", tokenize_words("a-b c/d e - f"))
    assert s.joins == [True, True, False, True, False]


def tokenize_words(text):
    from unspin.lang.tokenize import tokenize

    return tokenize(text)
