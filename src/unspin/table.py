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

from .tokenize import tokenize

MAX_SIDE = 4


def _words(text: str) -> list[str]:
    return [t.lower for t in tokenize(text)]


def aligned_substitutions(spun: str, original: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Word-aligned (spun, original) substitutions between two texts.

    >>> aligned_substitutions("at the least 12 our bodies", "at least 12 bodies")
    [(('the', 'least'), ('least',)), (('our', 'bodies'), ('bodies',))]
    """
    a, b = _words(spun), _words(original)
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
                out.append((tuple(a[i1:i2 + 1]), (b[j1],)))
            elif i1 > 0 and j1 > 0:
                out.append((tuple(a[i1 - 1:i2]), (b[j1 - 1],)))
            continue
        n, m = i2 - i1, j2 - j1
        if n == m:
            out.extend(((a[i1 + k],), (b[j1 + k],)) for k in range(n))
        elif n <= MAX_SIDE and m <= MAX_SIDE:
            out.append((tuple(a[i1:i2]), tuple(b[j1:j2])))
    return out


class SubstitutionTable:
    def __init__(self, entries: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, float]] | None = None):
        self.entries = entries or {}
        self._build()

    def _build(self) -> None:
        from .candidates import analyses

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

    def lookup(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], float]]:
        return sorted(self._exact.get(words, {}).items())

    def lookup_lemma(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], float]]:
        if len(words) != 1:
            return []
        from .candidates import analyses, inflect

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
