"""Aligned (spun, original) pairs as the evaluations and tools read them, and their groups.

A pair's group is its article: the id ``<article>-pNN`` without the paragraph suffix. What was
learned from aligned pairs is scored leave-one-group-out.

>>> group_of({"id": "w002-p01"}, 1)
'w002'
"""

from __future__ import annotations

from dataclasses import dataclass


def group_of(row: dict, index: int) -> str:
    """The group (article) of a JSONL row; ``index`` stands in for a missing id."""
    pid = str(row.get("id", index))
    return pid.rsplit("-p", 1)[0]


@dataclass
class Pair:
    group: str
    spun: str
    original: str
    id: str


def load_pairs(path: str, family: str | None = None) -> list[Pair]:
    """Aligned pairs from JSONL (``spun``, ``original``; optional ``id``, ``family``)."""
    from ..errors import UnspinError
    from ..inputs.textio import iter_jsonl

    pairs = []
    for lineno, obj in iter_jsonl(path):
        if family and obj.get("family") != family:
            continue
        if not isinstance(obj.get("spun"), str) or not isinstance(obj.get("original"), str):
            raise UnspinError(f"{path}:{lineno}: needs string fields 'spun' and 'original'")
        pairs.append(Pair(group_of(obj, lineno), obj["spun"], obj["original"], str(obj.get("id", lineno))))
    if not pairs:
        raise UnspinError(f"{path}: no pairs" + (f" of family '{family}'" if family else ""))
    return pairs
