"""A table of spinner substitutions, learned from aligned (spun, original) pairs.

No thesaurus knows that spinners write "for the reason that" for "since" or "our bodies" for
"bodies"; aligned pairs do. Each learned entry keeps its counts per source group (an article
id), so an evaluation can drop the group it is scoring: what is scored is never what was
learned from.

>>> t = SubstitutionTable.learn([("the g1", "One resident mentioned 12 folks died.", "One resident said 12 people died.")])
>>> t.lookup(("mentioned",))
[(('said',), 1.0)]
>>> t.without("the g1").lookup(("mentioned",))
[]
"""

from __future__ import annotations

import difflib
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from ..lang.tokenize import tokenize

MAX_SIDE = 4


def _words(text: str) -> list[str]:
    return [t.lower for t in tokenize(text)]


def aligned_substitutions(spun: str, original: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Word-aligned (spun, original) substitutions between two texts.

    >>> aligned_substitutions("at the least 12 our bodies", "at least 12 bodies")
    [(('the', 'least'), ('least',)), (('our', 'bodies'), ('bodies',))]
    """
    a, b = _words(spun), _words(original)
    out = []
    for (i, n), o in aligned_units(a, b):
        s = tuple(a[i:i + n])
        if n > MAX_SIDE or len(o) > MAX_SIDE:
            continue
        if "".join(s) == "".join(o) and any(len(w) == 1 for w in s + o):
            continue  # "US" vs "U.S." (tokenised "u s"): spelling, not a swap
        out.append((s, o))
    return out


def aligned_units(a: list[str], b: list[str]) -> list[tuple[tuple[int, int], tuple[str, ...]]]:
    """The swaps between spun words ``a`` and original words ``b``: ((start, length) in ``a``,
    original words), in text order; unequal blocks are split by :func:`split_block`."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal" or op == "insert":
            continue
        if op == "delete":
            # An extra spun word is learned together with a neighbour it attaches to:
            # "our bodies" -> "bodies", "at the least" -> "at least".
            if i2 - i1 > 2:
                continue
            if i2 < len(a) and j1 < len(b):
                out.append(((i1, i2 - i1 + 1), (b[j1],)))
            elif i1 > 0 and j1 > 0:
                out.append(((i1 - 1, i2 - i1 + 1), (b[j1 - 1],)))
            continue
        if i2 - i1 == j2 - j1:
            out.extend(((i1 + k, 1), (b[j1 + k],)) for k in range(i2 - i1))
            continue
        i = i1
        for s, o in split_block(a[i1:i2], b[j1:j2]):
            if s != o:
                out.append(((i, len(s)), o))
            i += len(s)
    return out


def _related(s: str, o: str) -> bool:
    """Whether the thesaurus links two words (at lemma level, either direction)."""
    from ..lang.morph import lemmas
    from ..lang.lexicon import get_lexicon

    lex = get_lexicon()
    ls = {s} | {x for v in lemmas(s).values() for x in v}
    lo = {o} | {x for v in lemmas(o).values() for x in v}
    for x in ls:
        if lo & {t for t, _ in lex.originals(x)}:
            return True
    return any(ls & {t for t, _ in lex.originals(y)} for y in lo)


_UNIT = 3  # the longest side of one aligned unit inside a block


def split_block(a: list[str], b: list[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Split an unequal replace block into aligned units anchored on thesaurus-linked words
    (identical pairs included, so the units cover both sides in order).

    difflib sees "mentioned a number of folks have been" -> "said several people were" as one
    block; spinners made four swaps there (mentioned->said, "a number of"->several,
    folks->people, "have been"->were), and only the split ones recur in other articles.

    >>> split_block("folks have been".split(), "people were".split())
    [(('folks',), ('people',)), (('have', 'been'), ('were',))]
    """
    n, m = len(a), len(b)
    if n > 12 or m > 12:
        return [(tuple(a), tuple(b))]
    NEG = -1e9
    best = [[NEG] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == NEG:
                continue
            for k in range(1, _UNIT + 1):
                for l in range(1, _UNIT + 1):
                    if i + k > n or j + l > m:
                        continue
                    if k == 1 and l == 1:
                        gain = 3.0 if (a[i] == b[j] or _related(a[i], b[j])) else 0.5
                    else:
                        gain = 0.0
                    if best[i][j] + gain > best[i + k][j + l]:
                        best[i + k][j + l] = best[i][j] + gain
                        back[i + k][j + l] = (i, j)
    if best[n][m] == NEG:
        return [(tuple(a), tuple(b))]
    units = []
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj = back[i][j]
        units.append((tuple(a[pi:i]), tuple(b[pj:j])))
        i, j = pi, pj
    units.reverse()
    return units


class SubstitutionTable:
    def __init__(self, entries: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, float]] | None = None):
        self.entries = entries or {}
        self._build()

    def _build(self) -> None:
        from ..lang.morph import analyses

        exact: dict[tuple[str, ...], dict[tuple[str, ...], float]] = defaultdict(dict)
        lemma: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
        for (s, o), groups in self.entries.items():
            total = float(sum(groups.values()))
            if total <= 0:
                continue
            exact[s][o] = exact[s].get(o, 0.0) + total
            if len(s) == 1 and len(o) == 1:
                # Learn at lemma level too: "mentioned"->"said" teaches "mentions"->"says".
                sa = {(u, lem, tag) for u, lem, tag in analyses(s[0])}
                oa = {(u, lem, tag) for u, lem, tag in analyses(o[0])}
                for u, ls, tag in sa:
                    for u2, lo, tag2 in oa:
                        if u == u2 and tag == tag2:
                            key = (ls, u)
                            lemma[key][lo] = lemma[key].get(lo, 0.0) + total
        self._exact = dict(exact)
        self._lemma = dict(lemma)

    @classmethod
    def learn(cls, rows: Iterable[tuple[str, str, str]]) -> "SubstitutionTable":
        """Learn from ``(group, spun, original)`` triples."""
        entries: dict = defaultdict(lambda: defaultdict(float))
        for group, spun, original in rows:
            for s, o in aligned_substitutions(spun, original):
                entries[(s, o)][group] += 1.0
        return cls({k: dict(v) for k, v in entries.items()})

    def without(self, *groups: str) -> "SubstitutionTable":
        drop = set(groups)
        entries = {}
        for k, g in self.entries.items():
            kept = {name: c for name, c in g.items() if name not in drop}
            if kept:
                entries[k] = kept
        return SubstitutionTable(entries)

    def merged(self, other: "SubstitutionTable") -> "SubstitutionTable":
        entries = {k: dict(v) for k, v in self.entries.items()}
        for k, g in other.entries.items():
            e = entries.setdefault(k, {})
            for name, c in g.items():
                e[name] = e.get(name, 0.0) + c
        return SubstitutionTable(entries)

    @property
    def groups(self) -> set[str]:
        return {g for v in self.entries.values() for g in v}

    def spun_sides(self):
        """Every spun side (word tuple) the table has an entry for."""
        return self._exact.keys()

    def lookup(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], float]]:
        return sorted(self._exact.get(words, {}).items())

    def lookup_lemma(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], float]]:
        if len(words) != 1:
            return []
        from ..lang.morph import analyses, inflect

        out = []
        for upos, lemma, tag in analyses(words[0]):
            for orig_lemma, count in self._lemma.get((lemma, upos), {}).items():
                form = inflect(orig_lemma, upos, tag)
                if form and form != words[0]:
                    out.append(((form,), count))
        return out

    def __len__(self) -> int:
        return len(self.entries)

    def to_json(self) -> dict:
        return {
            "format": "unspin-substitution-table/1",
            "entries": [[" ".join(s), " ".join(o), g] for (s, o), g in sorted(self.entries.items())],
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path) -> "SubstitutionTable":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != "unspin-substitution-table/1":
            raise ValueError(f"{path}: not an unspin substitution table")
        return cls({(tuple(s.split()), tuple(o.split())): g for s, o, g in data["entries"]})
