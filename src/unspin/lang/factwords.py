"""Words that carry facts: units, numbers and compass directions.

A spinner swaps a word for a synonym. It does not turn kilometres into miles, forty into
thousand, or a southerly wind into a north one. The 3-gram, though, often prefers the commoner
word, and the thesaurus links such words ("kilometre" and "mile" are both "measures"). An
edit that changes one of these facts is never a restoration, so :func:`fact_change` names the
edits the channel must not propose.

>>> fact_change(("kilometres",), ("miles",))
'unit'
>>> fact_change(("km",), ("kilometre",)) is None
True
>>> fact_change(("kilogram",), ("thousand",))
'unit'
>>> fact_change(("southerly",), ("north",))
'direction'
>>> fact_change(("northerly",), ("northern",)) is None
True
>>> fact_change(("southerly", "winds"), ("north", "winds"))
'direction'
>>> fact_change(("twelve",), ("ten",))
'number'
>>> fact_change(("12", "months"), ("year",)) is None  # a spinner's periphrasis: same quantity
True
"""

from __future__ import annotations

import functools
from importlib import resources

from .morph import lemmas

# Calendar units: WordNet files "year" or "week" under periods of time, not units, so the
# shipped table (first senses under unit_of_measurement and time_unit) lacks them.
_CALENDAR = {w: f"{w}.calendar" for w in "week fortnight month year decade century millennium".split()}

# Cardinal and ordinal number words with their values.
_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " \
        "sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
NUMBERS: dict[str, float] = {
    **{w: float(i) for i, w in enumerate(_ONES)},
    **{w: float(20 + 10 * i) for i, w in enumerate(_TENS)},
    "dozen": 12.0, "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}
_MAGNITUDES = frozenset("ten dozen hundred thousand million billion trillion".split())
# Ordinals are positions, kept apart from the cardinals ("second" -> two is a change too).
ORDINALS: dict[str, float] = {w: float(i + 1) for i, w in enumerate(_ORDINALS)}

# Compass directions by bearing (degrees); adjectives and adverbs share their noun's.
_POINTS = {"north": 0, "northeast": 45, "east": 90, "southeast": 135, "south": 180, "southwest": 225,
           "west": 270, "northwest": 315}
DIRECTIONS: dict[str, int] = {}
for _p, _b in _POINTS.items():
    for _form in (_p, _p + "ern", _p + "erly", _p + "ward", _p + "wards", _p + "erner", _p + "erners"):
        DIRECTIONS[_form] = _b
    for _head in ("north", "south"):  # northeast -> north-east, north-eastern
        if _p.startswith(_head) and _p != _head:
            DIRECTIONS[_head + "-" + _p[len(_head):]] = _b
            DIRECTIONS[_head + "-" + _p[len(_head):] + "ern"] = _b


@functools.lru_cache(maxsize=1)
def shipped_units() -> dict[str, str]:
    """Word -> the unit it names first (``data/units.tsv``, built by tools/build/build_units.py)."""
    raw = (resources.files("unspin") / "data" / "units.tsv").read_text(encoding="utf-8")
    out = dict(_CALENDAR)
    for line in raw.splitlines():
        if line and not line.startswith("#"):
            word, sense = line.split("\t")
            out[word] = sense
    return out


@functools.lru_cache(maxsize=65536)
def _unit(word: str) -> str | None:
    units = shipped_units()
    u = units.get(word)
    if u is None:
        for lemma in lemmas(word).get("NOUN", ()):  # kilometres -> kilometre
            u = units.get(lemma.lower())
            if u is not None:
                break
    return u


def unit_of(words: tuple[str, ...]) -> str | None:
    """The unit a span names ("nautical mile", "kms"), or None."""
    if len(words) == 1:
        return _unit(words[0])
    return shipped_units().get(" ".join(words))


def number_of(words: tuple[str, ...]) -> tuple[str, float] | None:
    """("cardinal" or "ordinal", value) of a one-word number ("forty", "12", "third"), or None."""
    if len(words) != 1:
        return None
    w = words[0]
    if w in NUMBERS:
        return "cardinal", NUMBERS[w]
    if w.endswith("s") and w[:-1] in _MAGNITUDES:  # "hundreds of people": a magnitude too
        return "cardinal", NUMBERS[w[:-1]]
    if w in ORDINALS:
        return "ordinal", ORDINALS[w]
    digits = w.replace(",", "")
    if digits.replace(".", "", 1).isdigit():
        return "cardinal", float(digits)
    return None


@functools.lru_cache(maxsize=1 << 16)
def is_fact_word(word: str) -> bool:
    """Whether ``word`` is a unit, a number or a compass point, or a word of a multi-word unit
    ("nautical"): the spans :func:`fact_change` need look at (most spans have none)."""
    return (_unit(word) is not None or number_of((word,)) is not None or word in DIRECTIONS
            or word in _unit_parts())


@functools.lru_cache(maxsize=1)
def _unit_parts() -> frozenset[str]:
    return frozenset(w for unit in shipped_units() if " " in unit for w in unit.split())


def fact_change(spun: tuple[str, ...], original: tuple[str, ...]) -> str | None:
    """What replacing ``spun`` by ``original`` (lower-case words) would change: "unit",
    "number" or "direction"; None when it changes none of these. Spans of equal length are
    also compared word by word ("southerly winds" -> north winds)."""
    if not any(map(is_fact_word, spun)) or not any(map(is_fact_word, original)):
        return None  # the cheap answer for nearly every candidate
    why = _span_change(spun, original)
    if why is None and len(spun) == len(original) > 1:
        for a, b in zip(spun, original):
            if a != b and (why := _span_change((a,), (b,))) is not None:
                break
    return why


def _span_change(spun: tuple[str, ...], original: tuple[str, ...]) -> str | None:
    su, ou = unit_of(spun), unit_of(original)
    sn, on = number_of(spun), number_of(original)
    if (su or sn) and (ou or on):
        if su and ou:
            return None if su == ou else "unit"
        if sn and on:
            return None if sn == on else "number"
        return "unit"  # a unit for a number or the other way round ("kilogram" -> thousand)
    if len(spun) == 1 and len(original) == 1:
        sd, od = DIRECTIONS.get(spun[0]), DIRECTIONS.get(original[0])
        if sd is not None and od is not None and sd != od:
            return "direction"
    return None
