"""Aligned (spun, original) pairs as the evaluations and tools read them, and their groups.

A pair's group is its article: the id ``<article>-pNN`` without the paragraph suffix. What was
learned from aligned pairs is scored leave-one-group-out.

>>> group_of({"id": "w002-p01"}, 1)
'w002'
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# Paragraphs of one article are joined with a blank line, as a text file would hold them.
PARAGRAPH_SEP = "\n\n"


def group_of(row: dict, index: int) -> str:
    """The group (article) of a JSONL row; ``index`` stands in for a missing id."""
    pid = str(row.get("id", index))
    return pid.rsplit("-p", 1)[0]


def paragraph_number(pid: str) -> tuple[int, str]:
    """Sort key of a paragraph id ``<article>-pNN`` within its article: NN as a number (p2
    before p10), then the id itself (ids without a number keep their text order)."""
    tail = pid.split(":")[0].rsplit("-p", 1)
    return (int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else -1, pid)


def grouped(items: Iterable[T], key: Callable[[T], Hashable],
            pid: Callable[[T], str]) -> list[tuple[Hashable, list[T]]]:
    """Items by ``key``, groups in order of first appearance, each in paragraph order of ``pid``."""
    groups: dict[Hashable, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return [(k, sorted(v, key=lambda it: paragraph_number(pid(it)))) for k, v in groups.items()]


@dataclass
class Pair:
    group: str
    spun: str
    original: str
    id: str


def join_articles(pairs: Iterable[Pair]) -> list[Pair]:
    """One pair per article: its paragraphs (ids ``<article>-pNN``, in pNN order) joined with a
    blank line, spun and original alike; the article's pair has the article as its id.

    >>> arts = join_articles([Pair("a", "S2", "O2", "a-p2"), Pair("b", "T", "U", "b-p01"),
    ...                       Pair("a", "S10", "O10", "a-p10"), Pair("a", "S1", "O1", "a-p1")])
    >>> [(p.id, p.spun, p.original) for p in arts]
    [('a', 'S1\\n\\nS2\\n\\nS10', 'O1\\n\\nO2\\n\\nO10'), ('b', 'T', 'U')]
    """
    return [Pair(g, PARAGRAPH_SEP.join(p.spun for p in ps), PARAGRAPH_SEP.join(p.original for p in ps), g)
            for g, ps in grouped(pairs, lambda p: p.group, lambda p: p.id)]


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


def select_groups(pairs: list[Pair], wanted: Iterable[str], path: str = "") -> list[Pair]:
    """The pairs of the named groups (articles); an unknown name is an error naming the known ones."""
    from ..errors import UnspinError

    wanted = list(dict.fromkeys(wanted))
    known = list(dict.fromkeys(p.group for p in pairs))
    missing = [w for w in wanted if w not in known]
    if missing:
        shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        raise UnspinError(f"{path + ': ' if path else ''}no article {', '.join(map(repr, missing))} "
                          f"(articles: {shown})")
    return [p for p in pairs if p.group in set(wanted)]
