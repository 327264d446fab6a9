"""Word lists and surface helpers shared by restore, detect and trace.

One list of English function words; the few places that need a different set derive it from
this one and say why, so the lists cannot drift apart.

>>> match_case("said", "Mentioned"), match_case("at least", "AT THE LEAST"), match_case("new york", "Big Apple")
('Said', 'AT LEAST', 'New York')
"""

from __future__ import annotations

# Closed-class words: articles, pronouns, auxiliaries, conjunctions, common prepositions and
# the particles of contractions ("s", "t"). Spinners rarely touch them on their own.
FUNCTION_WORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    have has had do does did not no it its this that these those he she they we you i me him her
    them us our your their his my who whom which what when where why how than then there here so
    can could will would shall should may might must s t all any each both some such only just
    also into onto up down out over under about after before while since until""".split()
)

# Contracted forms the tokenizer keeps whole ("don't"): function words too, but written whole.
CONTRACTIONS = frozenset(
    """it's i'm don't doesn't didn't isn't aren't wasn't weren't won't can't""".split()
)

# Determiners, quantifiers and degree words that a document index treats as function words
# (they occur in nearly every document), although a spinner may swap them like content words.
QUANTIFIERS = frozenset(
    """nor yet upon am having done whose mine very too either neither other another own same
    more most less least much many few one""".split()
)

# Prepositions and particles that carry a story's content in an index key ("fled before the
# attack", "shut down"), so trace keeps them in its posting lists.
CONTENT_PARTICLES = frozenset("after before down out since until up while".split())


def match_case(original: str, like: str) -> str:
    """``original`` (lower case) written in the case pattern of the text it replaces.

    All capitals stay all capitals; a run of capitalised words one space apart (a title) capitalises each word;
    a capitalised first word capitalises the first. An original that already has capitals
    (a name or an acronym from a curated list) is kept as it is.
    """
    if not like or not original[:1].islower():
        return original
    parts = like.split(" ")  # a title is words on one line, one space apart
    if len(like) > 1 and like.isupper() and like.replace(" ", "").replace("-", "").isalpha():
        return original.upper()
    if len(parts) > 1 and all(p[:1].isupper() for p in parts):
        return " ".join(w[:1].upper() + w[1:] for w in original.split(" "))
    if like[:1].isupper():
        return original[:1].upper() + original[1:]
    return original
