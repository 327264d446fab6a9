"""Morphology: lemmas, context-free analyses and inflection of English word forms.

lemminflect does the work; its answers are cached per form (lemminflect deep-copies its tables
on every call) and read from the precomputed form data (:mod:`.formdata`) for frequent forms.
"""

from __future__ import annotations

import functools

import lemminflect

from .formdata import get_formdata

# Penn tags that are the lemma form itself.
_BASE_TAGS = {"NOUN": "NN", "VERB": "VB", "ADJ": "JJ", "ADV": "RB", "PROPN": "NNP"}


@functools.lru_cache(maxsize=1 << 18)
def lemmas(word: str) -> dict:
    """lemminflect's lemmas by part of speech (cached: lemminflect deep-copies on every call;
    precomputed for frequent forms, :mod:`unspin.lang.formdata`)."""
    fd = get_formdata()
    if fd is not None:
        got = fd.lemmas(word)
        if got is not None:
            return got
    return lemmas_uncached(word)


def lemmas_uncached(word: str) -> dict:
    return lemminflect.getAllLemmas(word)


@functools.lru_cache(maxsize=1 << 16)
def _inflections(lemma: str, upos: str) -> dict:
    return lemminflect.getAllInflections(lemma, upos=upos)


@functools.lru_cache(maxsize=1 << 18)
def analyses(word: str) -> tuple[tuple[str, str, str], ...]:
    """(upos, lemma, penn tag) readings of a word form, context-free (precomputed for
    frequent forms, :mod:`unspin.lang.formdata`)."""
    fd = get_formdata()
    if fd is not None:
        got = fd.analyses(word)
        if got is not None:
            return got
    return analyses_uncached(word)


def analyses_uncached(word: str) -> tuple[tuple[str, str, str], ...]:
    out = []
    for upos, lems in lemmas(word).items():
        for lemma in lems:
            if lemma == word:
                tag = _BASE_TAGS.get(upos)
                if tag:
                    out.append((upos, lemma, tag))
            for tag, forms in _inflections(lemma, upos).items():
                if word in forms and tag not in ("NN", "VB") or (word in forms and lemma != word):
                    out.append((upos, lemma, tag))
    return tuple(dict.fromkeys(out))


@functools.lru_cache(maxsize=1 << 16)
def _all_inflections(lemma: str) -> dict:
    """``lemminflect.getAllInflections(lemma)``, cached: only read, never mutated."""
    return lemminflect.getAllInflections(lemma)


@functools.lru_cache(maxsize=1 << 16)
def _inflection(lemma: str, tag: str) -> tuple[str, ...]:
    """``lemminflect.getInflection(lemma, tag=tag)``. For lemminflect 0.2.3 its logic is
    mirrored over one cached ``getAllInflections`` per lemma (lemminflect deep-copies its
    tables on every call); ``tests/test_formdata.py`` checks the two agree."""
    if not _MIRROR_INFLECTION:
        return lemminflect.getInflection(lemma, tag=tag)
    from lemminflect.core.Inflections import Inflections
    from lemminflect.core.LexicalUtils import pennTagAlts, tagToUPos

    upos = tagToUPos(tag)
    if upos == "PROPN":
        return lemminflect.getInflection(lemma, tag=tag)
    forms = _all_inflections(lemma)
    form = Inflections._extractForm(forms, tag)
    if form is None:
        for alt_tag in pennTagAlts(tag):
            form = forms.get(alt_tag, None)
            if form:
                break
    if form is None:
        form = Inflections._extractForm(lemminflect.getAllInflectionsOOV(lemma, upos), tag)
    if form is None:
        return ()
    return form


def _lemminflect_version() -> str | None:
    import importlib.metadata as md

    try:
        return md.version("lemminflect")
    except md.PackageNotFoundError:
        return None


_MIRROR_INFLECTION = _lemminflect_version() == "0.2.3"


@functools.lru_cache(maxsize=1 << 18)
def inflect(term: str, upos: str, tag: str) -> str | None:
    """Inflect a lemma term (word or phrase) with a Penn tag, or None if it can't take it."""
    parts = term.split()
    head = 0 if upos == "VERB" else len(parts) - 1
    if tag in ("NN", "VB", "JJ", "RB", "NNP", "VBP"):
        if upos in lemmas(parts[head]) or len(parts) > 1:
            return term
        return None
    if upos not in lemmas(parts[head]):
        return None
    forms = _inflection(parts[head], tag)
    if not forms:
        return None
    parts[head] = forms[0]
    return " ".join(parts)


# ----------------------------------------------------------------------------- the scan's forms
# Two analysis functions exist on purpose. :func:`analyses` serves the restorer: every
# context-free reading of a form, base forms and other parts of speech included. The detector's
# scan asks something narrower for every content word of every document: the NOUN/VERB/ADJ/ADV
# lemmas a form inflects, the form itself left out. :func:`content_analyses` and
# :func:`inflect_tag` answer it straight from lemminflect's own inflection table (no copies,
# their own dict cache): they are on the scan's hot path.

_CONTENT_TAGS = {"NOUN": ("NN", "NNS"), "VERB": ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ"),
                 "ADJ": ("JJ", "JJR", "JJS"), "ADV": ("RB", "RBR", "RBS")}
_content: dict[str, tuple] = {}
_infl_table: dict | None = None  # lemminflect's lemma -> {penn tag: forms}, loaded on first use


def _load_infl_table() -> dict:
    global _infl_table
    from lemminflect.core.Inflections import Inflections

    _infl_table = Inflections()._getInflDict()
    return _infl_table


def content_analyses(word: str) -> tuple:
    """((lemma, (penn tags of ``word``)), ...) for the noun, verb, adjective and adverb lemmas
    of ``word`` other than itself.

    >>> content_analyses("studies")
    (('study', ('NNS',)), ('study', ('VBZ',)))
    """
    a = _content.get(word)
    if a is not None:
        return a
    if len(_content) > 200_000:
        _content.clear()  # bounded on endless streams (~160 B an entry)
    infl = _infl_table or _load_infl_table()
    out = []
    for upos, lems in lemmas(word).items():  # cached (lemminflect deep-copies its answer)
        tags_ok = _CONTENT_TAGS.get(upos)
        if not tags_ok:
            continue
        for lemma in lems:
            if lemma == word:
                continue
            d = infl.get(lemma)
            if not d:
                continue
            tags = tuple(t for t in tags_ok if word in d.get(t, ()))
            if tags:
                out.append((lemma, tags))
    if len(_content) > 300_000:
        _content.clear()
    a = _content[word] = tuple(out)
    return a


def inflect_tag(lemma: str, tag: str) -> str | None:
    """The first form lemminflect's table lists for ``lemma`` with Penn ``tag``, or None.

    >>> inflect_tag("walk", "VBD")
    'walked'
    """
    d = (_infl_table or _load_infl_table()).get(lemma)
    if not d:
        return None
    forms = d.get(tag)
    return forms[0] if forms else None
