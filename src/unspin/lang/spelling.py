"""British spellings the 3-gram never saw, read as their American form when a text is scored.

The default 3-gram was trained on American text: "kilometres", "metres", "realise", "analysed",
"optimisation" are out of its vocabulary, so a clean Australian or British story looked to the
scorers like a text full of unknown words next to well-known synonyms ("kilometres" ->
"miles" was restored at 0.9998 in clean news, and each such word was evidence of spinning).
Spelling is no sign of spinning. :func:`us_form` gives the American form of a word the LM does
not know, by the regular correspondences of the two spellings, when the LM knows that form.

Only out-of-vocabulary words are mapped (a known word keeps its own score, whichever side of
the Atlantic it is spelled on), and only to a known word, so the rules cannot turn one known
word into another. The rules are the systematic ones (-our/-or, -tre/-ter, -ise/-ize,
-yse/-yze, -ence/-ense, doubled l, ae/oe in medical words, -logue/-log, -gramme/-gram), not a
list of words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# (pattern, replacement): each tried on its own, then every pair of them in order (for
# "manoeuvres": oe -> e and -vres -> -vers).
_RULES: list[tuple[re.Pattern, str | Callable[[re.Match], str]]] = [(re.compile(p), r) for p, r in [
    (r"isation(s?)$", r"ization\1"),
    (r"is(e|es|ed|ing|er|ers|able)$", r"iz\1"),
    (r"ys(e|es|ed|ing|er|ers)$", r"yz\1"),
    (r"our(s|ed|ing|ite|ites|able|ably|ful|less|er|ers)?$", r"or\1"),
    (r"our(ite|ab|i)", r"or\1"),  # inside a longer word: favourites, honourably, colourist
    (r"(t|b|v|g|ch)re(s|d)?$", r"\1er\2"),  # centre, metres, fibres, manoeuvres, meagre, ochre
    (r"(fen|cen|ten)ce(s?)$", r"\1se\2"),  # defence, licence, pretences
    (r"([aeiou])ll(ed|ing|er|ers|or|ors|ation|ations)$", r"\1l\2"),  # travelled, counsellor
    (r"([aeiou])l(ment|ments)$", r"\1ll\2"),  # enrolment, instalments
    (r"(?<=[aeiou][^aeiou])l(s?)$", r"ll\1"),  # enrol, fulfils
    (r"(logue|gogue)(s?)$", lambda m: m.group(1)[:-2] + m.group(2)),  # catalogue, demagogue
    (r"gramme(s?)$", r"gram\1"),
    (r"ellery$", r"elry"),
    (r"^(sc)(ept)", r"sk\2"),  # sceptical
    (r"(paed|haem|anaem|aemi|orthopaed|encyclopaed|gynaec|leukaem|caes|aetiol)",
     lambda m: m.group(1).replace("ae", "e")),
    (r"(oestr|oesoph|foet|diarrhoe|manoeuv|oedem|amoeb)", lambda m: m.group(1).replace("oe", "e")),
    (r"ageing", r"aging"),
    (r"yre(s?)$", r"ire\1"),  # tyres
    (r"ould(s|ed|ing|er|ers|y)?$", r"old\1"),  # mould, smouldering
    (r"^practis", r"practic"),
]]


def _variants(word: str):
    once = []
    for pat, rep in _RULES:
        v = pat.sub(rep, word, count=1)
        if v != word:
            once.append(v)
            yield v
    for v in once:
        for pat, rep in _RULES:
            w = pat.sub(rep, v, count=1)
            if w != v and w != word:
                yield w


def us_form(word: str, known: Callable[[str], bool]) -> str | None:
    """The American spelling of ``word`` (lower case) that ``known`` accepts, or None (also for
    a word ``known`` accepts as it is)."""
    if not word.isalpha() or len(word) < 4 or known(word):
        return None
    for v in _variants(word):
        if known(v):
            return v
    return None
