"""Per-word caches stay bounded on an endless stream of new words (issue 12: a screen's worker
grew with the corpus). Each cache is filled past its limit with words no text repeats; clearing
a cache never changes a result (the values are pure functions of the key)."""

from __future__ import annotations

from unspin.lang import morph
from unspin.lang.lm import get_lm, lm_form
from unspin.lang.tokenize import Token


def _words(n: int, prefix: str = "zq") -> list[str]:
    return [f"{prefix}{i:07d}" for i in range(n)]


def test_lm_form_cache_is_bounded_over_new_spellings():
    from unspin.lang import lm

    # The same word at other offsets (other documents) is one entry: the key is the spelling.
    for start in range(1_000):
        assert lm_form(Token(start, start + 5, "Hello")) == "hello"
    assert sum(k == "Hello" for k in lm._FORMS) == 1
    for w in _words(200_050, "Zq"):
        lm_form(Token(0, len(w), w))
    assert len(lm._FORMS) <= 200_001
    assert lm_form(Token(0, 2, "12")) == "two" and lm_form(Token(0, 1, "1")) == "one"
    assert lm_form(Token(0, 3, "Don’t")) == "don't"


def test_lm_vocabulary_cache_is_bounded():
    lm = get_lm()
    for w in _words(200_050):
        lm.known(w)
    assert len(lm._vocab) <= 200_001
    assert lm.known("the") and not lm.known("zq0000001")  # answers unchanged after a clear


def test_scanner_unigram_cache_is_bounded():
    from unspin.detection.scan import Scanner

    s = Scanner()
    first = s.unigram("house")
    for w in _words(200_050):
        s.unigram(w)
    assert len(s._uni) <= 200_001
    assert s.unigram("house") == first


def test_generator_and_channel_caches_are_bounded(monkeypatch):
    from unspin.restoration.restorer import RestoreConfig, get_restorer

    r = get_restorer(RestoreConfig())
    gen, channel = r.generator, r.channel
    monkeypatch.setattr(gen, "_generate", lambda words, prefilter=True: [])  # filling is the point
    for w in _words(20_050):
        gen.candidates((w,))
        channel.prior((w,))
    assert len(gen._cache) <= 20_001
    assert len(channel._prior_cache) <= 20_001
    gen._cache.clear()
    channel.forget()


def test_content_analyses_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(morph.lemminflect, "getAllLemmas", lambda word: {})  # only the cache matters
    for w in _words(200_050, "qx"):
        morph.content_analyses(w)
    assert len(morph._content) <= 200_001
    morph._content.clear()


def test_scan_content_form_cache_is_bounded():
    from unspin.detection import scan

    for w in _words(200_050):
        scan._content_form(w)
    assert len(scan._CONTENT) <= 200_001
    assert scan._content_form("house") and not scan._content_form("the") and not scan._content_form("x1y")


def test_decoder_lm_memo_is_bounded_and_changes_no_decision():
    from unspin.restoration.decode import Decoder
    from unspin.restoration.restorer import RestoreConfig, get_restorer

    r = get_restorer(RestoreConfig())
    words = "one resident mentioned at the least twelve folks have been killed within the assault".split()
    joins, protected = [True] * (len(words) - 1), [False] * len(words)
    dec = r.decoder

    def fresh():
        return Decoder(dec.lm, dec.channel, dec.max_candidates, dec.beam, dec.prune_margin, dec.wide)

    # The passes of one document: the memo answers the later ones, with other edit costs.
    for boost, bonus, share in ((0.0, None, 1.0), (6.7, None, 0.5), (6.7, {(("folks",), ("people",)): 2.0}, 0.5)):
        got = dec.decode(words, joins, protected, boost, bonus, share)
        want = fresh().decode(words, joins, protected, boost, bonus, share)
        assert [(c.start, c.n, c.words, c.margin) for c in got] == [(c.start, c.n, c.words, c.margin) for c in want]
    assert tuple(words) in dec._lm_memo
    for k in range(Decoder.MEMO_SENTENCES + 10):
        dec.options([f"zq{k:07d}", "house"], [True], [False, False])
    assert len(dec._lm_memo) <= Decoder.MEMO_SENTENCES
