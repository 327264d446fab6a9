"""Restoration quality on aligned (spun, original) pairs.

``repair = 1 - E(restored, original) / E(spun, original)`` and
``false_edit_rate = E(restore(original), original) / words(original)``, with E the word-level
Levenshtein distance summed over the set (words as :func:`unspin.lang.tokenize.eval_words` counts them).

Whatever was learned from aligned pairs is scored leave-one-group-out: the pairs of the
article being scored (id ``<article>-pNN``) are removed from the substitution table first.

>>> levenshtein("a b c".split(), "a x c".split())
1
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection

from ..restoration.restorer import Restorer, RestoreConfig, shipped_table
from ..restoration.table import SubstitutionTable
from .data import Pair, join_articles
from ..lang.tokenize import eval_words

MODES = ("full", "identity", "table-only", "lexicon-lm")


def levenshtein(a: list[str], b: list[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def _table_only(table: SubstitutionTable, text: str) -> str:
    """Baseline: apply the learned table everywhere, no context, most frequent original."""
    from ..lang.tokenize import tokenize

    toks = tokenize(text)
    out, pos, i = [], 0, 0
    while i < len(toks):
        done = False
        for n in (4, 3, 2, 1):
            if i + n > len(toks):
                continue
            key = tuple(t.lower for t in toks[i:i + n])
            hits = table.lookup(key)
            if hits:
                orig = max(hits, key=lambda h: h[1])[0]
                out.append(text[pos:toks[i].start])
                out.append(" ".join(orig))
                pos = toks[i + n - 1].end
                i += n
                done = True
                break
        if not done:
            i += 1
    out.append(text[pos:])
    return "".join(out)


def evaluate_restore(pairs: list[Pair], config: RestoreConfig, mode: str = "full",
                     loao: bool = True, details: list | None = None, by_article: bool = False,
                     articles: Collection[str] | None = None) -> dict:
    """Repair and false-edit rate of ``pairs`` (module docstring).

    ``by_article``: the paragraphs of each article are joined (:func:`~.data.join_articles`) and
    restored as one document; the distances are those of the joined texts. ``articles``: score
    only these groups; the learned table is still learned from all ``pairs`` (leave-one-out as
    usual), so an article scores the same alone as within the whole file.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    groups = sorted({p.group for p in pairs})
    by_group = defaultdict(list)
    for p in pairs:
        by_group[p.group].append(p)
    base = shipped_table() if config.learned_table else SubstitutionTable()
    file_table = SubstitutionTable.learn((p.group, p.spun, p.original) for p in pairs)
    if mode == "lexicon-lm":
        config = RestoreConfig(**{**config.__dict__, "learned_table": False})
    tot = dict.fromkeys(("E_spun", "E_restored", "E_clean", "original_words", "spun_words"), 0)
    elapsed = 0.0
    scored = [g for g in groups if articles is None or g in articles]
    for g in scored:
        if loao:
            # What the shipped table learned from this file's articles is replaced by what the
            # file itself teaches, minus the article being scored.
            table = base.without(*groups).merged(file_table.without(g))
        else:
            table = base
        restorer = None
        if mode in ("full", "lexicon-lm"):
            restorer = Restorer(config, table=table if config.learned_table else None)
        units = join_articles(by_group[g]) if by_article else by_group[g]
        for p in units:
            elapsed += _score_unit(p, mode, table, restorer, tot, details)
    e_spun, n_orig = tot["E_spun"], tot["original_words"]
    out = {
        "pairs": sum(len(by_group[g]) for g in scored),
        "groups": len(scored),
        "mode": mode,
        "leave_one_group_out": loao,
        "fingerprints": config.fingerprints,
        "backend": config.backend,
        "repair": round(1 - tot["E_restored"] / e_spun, 4) if e_spun else None,
        "false_edit_rate": round(tot["E_clean"] / n_orig, 4) if n_orig else None,
        "E_spun": e_spun,
        "E_restored": tot["E_restored"],
        "E_clean": tot["E_clean"],
        "original_words": n_orig,
        "words_per_s": round(tot["spun_words"] / elapsed) if elapsed > 0 else None,
    }
    # Only when asked for, so that the paragraph-level output of a whole file stays as it was.
    if by_article:
        out["by_article"] = True
    if articles is not None:
        out["articles"] = scored
    return out


def _score_unit(p: Pair, mode: str, table: SubstitutionTable, restorer: Restorer | None, tot: dict,
                details: list | None) -> float:
    """Restore one pair (paragraph or joined article), add its distances to ``tot``; returns the
    seconds spent restoring the spun text."""
    t0 = time.perf_counter()
    if mode == "identity":
        restored, clean = p.spun, p.original
    elif mode == "table-only":
        restored, clean = _table_only(table, p.spun), _table_only(table, p.original)
    else:
        restored = restorer.restore(p.spun).text
    elapsed = time.perf_counter() - t0
    if restorer is not None:
        # Clean text scored as its own spin (spun == original) is restored once.
        clean = restored if p.spun == p.original else restorer.restore(p.original).text
    ow, sw, rw, cw = (eval_words(x) for x in (p.original, p.spun, restored, clean))
    d_spun, d_rest, d_clean = levenshtein(sw, ow), levenshtein(rw, ow), levenshtein(cw, ow)
    tot["E_spun"] += d_spun
    tot["E_restored"] += d_rest
    tot["E_clean"] += d_clean
    tot["original_words"] += len(ow)
    tot["spun_words"] += len(sw)
    if details is not None:
        details.append({"id": p.id, "spun": p.spun, "restored": restored, "original": p.original,
                        "clean_restored": clean, "E_spun": d_spun, "E_restored": d_rest,
                        "E_clean": d_clean})
    return elapsed
