"""The default language model: the English 3-gram LM inside the ``pocketsphinx`` wheel.

Scores are natural-log probabilities. The model is memory-mapped by pocketsphinx, loads in
milliseconds, and is loaded once per process (``get_lm``).
"""

from __future__ import annotations

import math
import os

from .spelling import us_form

# pocketsphinx returns log base 1.0001.
_TO_LN = math.log(1.0001)
TO_LN = _TO_LN  # multiply a :attr:`NGramLM.raw_prob` result by this for natural log
_OOV_THRESHOLD = -10**8

# Out-of-vocabulary words (names, rare forms) cost the same whatever surrounds them, so the
# value only matters relative to in-vocabulary alternatives: a little below a rare word.
OOV_LOGP = -14.0


class NGramLM:
    """Thin wrapper: ``logp(word, prev1, prev2)`` with pocketsphinx's back-off."""

    def __init__(self, path: str | None = None):
        import pocketsphinx

        self.shipped = path is None  # the default model (precomputed look-ups apply)
        if path is None:
            path = os.path.join(os.path.dirname(pocketsphinx.__file__), "model", "en-us", "en-us.lm.bin")
        if not os.path.exists(path):
            raise FileNotFoundError(f"language model not found: {path}")
        self.path = path
        self._model = pocketsphinx.NGramModel.readfile(path)
        self._prob = self._model.prob
        self._vocab: dict[str, bool] = {}

    @property
    def raw_prob(self):
        """pocketsphinx's own bound ``prob([word, prev1, prev2, ...])``: log base 1.0001 (times
        :data:`TO_LN` for natural log), no vocabulary check (an unknown word scores below
        -10**8). For hot loops that cannot afford :meth:`logp`'s call and check per word."""
        return self._prob

    def known(self, word: str) -> bool:
        v = self._vocab.get(word)
        if v is None:
            if len(self._vocab) > 200_000:
                self._vocab.clear()  # bounded on endless streams (~80 B an entry)
            v = self._vocab[word] = self._prob([word]) > _OOV_THRESHOLD
        return v

    def logp(self, word: str, prev1: str, prev2: str) -> float:
        """ln P(word | prev2 prev1)."""
        if not self.known(word):
            return OOV_LOGP
        return self._prob([word, prev1, prev2]) * _TO_LN

    def unigram(self, word: str) -> float:
        if not self.known(word):
            return OOV_LOGP
        return self._prob([word]) * _TO_LN

    def sequence(self, words: list[str], prev1: str = "<s>", prev2: str = "<s>") -> float:
        # logp inlined (the hot loop of decoding); same arithmetic.
        total = 0.0
        vocab, prob = self._vocab, self._prob
        for w in words:
            v = vocab.get(w)
            if v is None:
                v = self.known(w)
            total += prob([w, prev1, prev2]) * _TO_LN if v else OOV_LOGP
            prev2, prev1 = prev1, w
        return total

    def known_all(self, words) -> bool:
        """Whether every word is in the vocabulary."""
        vocab = self._vocab
        for w in words:
            v = vocab.get(w)
            if v is None:
                v = self.known(w)
            if not v:
                return False
        return True


# Keyed by spelling, not by token (a token's offsets made every new document's tokens new
# entries, and the cache needed an LRU's bookkeeping); bounded all the same (docs/screen.md).
_FORMS: dict[str, str] = {}


def lm_form(tok) -> str:
    """The LM's spelling of a token: lower case, numbers as a number word (the 3-gram's
    vocabulary has none of the digits; "one" for 1 keeps singular agreement), and a British
    spelling the 3-gram lacks as its American form ("kilometres" as kilometers:
    :mod:`unspin.lang.spelling`)."""
    text = tok.text
    form = _FORMS.get(text)
    if form is None:
        if len(_FORMS) > 200_000:
            _FORMS.clear()  # bounded on endless streams
        if tok.is_number:
            form = "one" if text == "1" else "two"
        else:
            form = us_form(tok.lower, _known) or tok.lower  # None for a known word
        _FORMS[text] = form
    return form


_MODELS: dict[str | None, NGramLM] = {}


def get_lm(path: str | None = None) -> NGramLM:
    """The 3-gram at ``path`` (default: the shipped one), one instance per path and process:
    the restorer, its channel and the detector's scan share it and its vocabulary cache."""
    lm = _MODELS.get(path)
    if lm is None:
        lm = _MODELS[path] = NGramLM(path)
    return lm


def _known(word: str) -> bool:
    """In the default 3-gram's vocabulary (the model lm_form's forms are scored by)."""
    return get_lm().known(word)
