#!/usr/bin/env python3
"""Share of tortured phrases that restore turns back into their expected term, exactly,
when each is placed in a neutral sentence ("We applied profound learning to the data.").

    .venv/bin/python -m tools.analysis.eval_pps ../shared/data/pps/tortured-phrases.json --no-fingerprints

Without ``--no-fingerprints`` the list itself is used, which measures lookup, not restoration.

``--terms-folds 5``: the term source (:mod:`unspin.restoration.sources.terms`) must not know an
entry's term from that entry alone, so the entries are split in 5 seeded folds, and each fold is
scored with a term list built (``tools.build.build_terms.build_terms``) from the other folds'
correct sides plus WordNet. The figures are split by whether the fold's list has the term from
another PPS entry (``seen``), only from WordNet (``wordnet``), or not at all (``new``).
``--fold K`` scores fold K alone (weights were set on fold 0 only: docs/restore.md).
``--no-terms`` turns the source off. The folds hold the word-swap source
(:mod:`unspin.restoration.sources.ppswords`, off by default; ``--pps-words``) to the other
folds' entries too. Without ``--terms-folds`` both use the shipped tables, built from every entry: an
in-sample figure.

    .venv/bin/python -m tools.analysis.eval_pps ../shared/data/pps/tortured-phrases.json --no-fingerprints --terms-folds 5 [--sample 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys

from unspin.restoration.restorer import RestoreConfig, get_restorer
from unspin.lang.tokenize import eval_words

TEMPLATES = ["We applied {} to the data.", "In this paper, {} is discussed in detail."]


def load_phrases(path: str, sample: int = 0) -> list[dict]:
    """The PPS entries (``tortured``, ``correct``); ``sample``: a seeded random sample of this size."""
    phrases = json.load(open(path, encoding="utf-8"))["phrases"]
    if sample:
        phrases = random.Random(0).sample(phrases, min(sample, len(phrases)))
    return phrases


def score_phrases(phrases: list[dict], restorer, keys: list[int] | None = None) -> dict:
    """Shares of ``phrases`` restored exactly to their expected term, and changed at all.
    ``keys``: each phrase's template number (default: its position)."""
    exact = changed = 0
    for k, p in enumerate(phrases):
        t = TEMPLATES[(k if keys is None else keys[k]) % len(TEMPLATES)]
        sent = t.format(p["tortured"])
        want = eval_words(t.format(p["correct"]))
        got = restorer.restore(sent).text
        exact += eval_words(got) == want
        changed += got != sent
    n = len(phrases)
    return {"phrases": n, "exact": round(exact / n, 4) if n else None, "changed": round(changed / n, 4) if n else None,
            "exact_n": exact}


def score_after_listed(phrases: list[dict], restorer, keys: list[int], firsts: list[dict]) -> dict:
    """:func:`score_phrases` with each sentence after one that holds a listed tortured phrase
    (``firsts``, drawn by key): only the entry's own sentence is scored."""
    exact = changed = 0
    for k, p in enumerate(phrases):
        t = TEMPLATES[keys[k] % len(TEMPLATES)]
        first = TEMPLATES[(keys[k] + 1) % len(TEMPLATES)].format(firsts[keys[k] % len(firsts)]["tortured"])
        sent = t.format(p["tortured"])
        want = eval_words(t.format(p["correct"]))
        got = eval_words(restorer.restore(first + " " + sent).text)
        exact += got[-len(want):] == want
        changed += got[-len(want):] != eval_words(sent)
    n = len(phrases)
    return {"phrases": n, "exact": round(exact / n, 4) if n else None, "changed": round(changed / n, 4) if n else None,
            "exact_n": exact}


def fold_of(phrases: list[dict], folds: int) -> list[int]:
    """A seeded assignment of each entry (by position in the full list) to a fold."""
    order = list(range(len(phrases)))
    random.Random(0).shuffle(order)
    out = [0] * len(phrases)
    for rank, i in enumerate(order):
        out[i] = rank % folds
    return out


def _fold_tables(r, train: list[dict], terms: dict, fingerprints: dict | None) -> None:
    """Give restorer ``r`` the tables of one fold: the term list, the word swaps (the term
    source's links in every mode, and the word-swap source's when its option is on) and, with
    ``fingerprints``, the fingerprint list; and clear its caches."""
    from tools.build.build_terms import word_pairs
    from unspin.lang.lm import get_lm

    src = r.generator._by_name["term"]
    src.set_terms(terms)
    pairs = word_pairs(train, get_lm().known)  # the list's word swaps: other folds only
    src.set_swaps(pairs)
    words_src = r.generator._by_name.get("pps_word")
    if words_src is not None and r.config.pps_words:
        words_src.set_pairs(pairs)
    if fingerprints is not None:
        r.generator._by_name["fingerprint"].phrases = fingerprints
    r.generator._cache.clear()
    r.channel.forget()


def score_folds(all_phrases: list[dict], picked: list[int], restorer, folds: int, only: int | None = None,
                with_listed: bool = False) -> dict:
    """Score entries ``picked`` (positions in ``all_phrases``) fold by fold, each with a term list
    that does not know its own fold (module docstring). ``with_listed``: each entry's sentence
    follows one holding a listed tortured phrase (an entry of the other folds), the fingerprint
    list holds the other folds' entries only, and the entry's sentence alone is scored."""
    from tools.build.build_terms import build_terms, wordnet_terms
    from unspin.lang.fingerprints import phrase_table_of
    from unspin.lang.lm import get_lm
    from unspin.restoration.sources.terms import term_words

    fold = fold_of(all_phrases, folds)
    wn_terms = wordnet_terms()
    groups: dict[str, list[tuple[dict, int]]] = {"seen": [], "wordnet": [], "new": []}
    per_fold = {}
    for f in range(folds):
        if only is not None and f != only:
            continue
        train = [p for i, p in enumerate(all_phrases) if fold[i] != f]
        terms = build_terms(train, wn_terms, get_lm().known)
        listed = None
        if with_listed:
            listed = phrase_table_of([(p["tortured"], p["correct"]) for p in train])
            firsts = [p for p in train if phrase_table_of([(p["tortured"], p["correct"])]).keys() & listed.keys()]
        _fold_tables(restorer, train, terms, listed)
        if getattr(restorer, "papers", None) is not None:  # the automatic papers option's pipeline
            _fold_tables(restorer.papers, train, terms, listed)
        mine = [i for i in picked if fold[i] == f]
        rows = {"seen": [], "wordnet": [], "new": []}
        for i in mine:
            t = term_words(all_phrases[i]["correct"])
            rows["seen" if terms.get(t) else "wordnet" if t in terms else "new"].append(i)
        res = {}
        for g, idx in rows.items():
            if with_listed:
                res[g] = score_after_listed([all_phrases[i] for i in idx], restorer, idx, firsts)
                continue
            res[g] = score_phrases([all_phrases[i] for i in idx], restorer, idx)
        per_fold[f] = res
        for g in rows:
            groups[g].extend((all_phrases[i], i) for i in rows[g])
    out = {}
    for g in groups:
        n = sum(per_fold[f][g]["phrases"] for f in per_fold)
        e = sum(per_fold[f][g]["exact_n"] for f in per_fold)
        out[g] = {"phrases": n, "exact": round(e / n, 4) if n else None}
    n = sum(v["phrases"] for v in out.values())
    e = sum(per_fold[f][g]["exact_n"] for f in per_fold for g in per_fold[f])
    out["all"] = {"phrases": n, "exact": round(e / n, 4) if n else None}
    out["per_fold"] = {f: round(sum(r[g]["exact_n"] for g in r) / max(1, sum(r[g]["phrases"] for g in r)), 4)
                       for f, r in per_fold.items()}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pps")
    ap.add_argument("--no-fingerprints", action="store_true")
    ap.add_argument("--sample", type=int, default=0, help="score a seeded random sample of this size")
    ap.add_argument("--threshold", type=float, default=0.0)
    ap.add_argument("--backend", default="ngram", help="context model: ngram, or a neural spec (gguf, hf:NAME)")
    ap.add_argument("--no-terms", action="store_true", help="turn the term source off")
    ap.add_argument("--pps-words", action="store_true", help="turn the list's word-swap source on (the papers option)")
    ap.add_argument("--no-auto-papers", action="store_true",
                    help="do not turn the word swaps on by themselves where a listed tortured phrase is found")
    ap.add_argument("--terms-folds", type=int, default=0, help="score the term source k-fold by entry (module docstring)")
    ap.add_argument("--every-word", action="store_true", help="term source: admit spans with every word changed")
    ap.add_argument("--fold", type=int, default=None, help="with --terms-folds: score this fold only")
    ap.add_argument("--with-listed", action="store_true",
                    help="with --terms-folds: each sentence follows one holding a listed tortured phrase of the "
                         "other folds (fingerprints on, their list the other folds' entries)")
    ap.add_argument("--weight", action="append", default=[], help="NAME=VALUE: a channel weight override")
    args = ap.parse_args()
    weights = tuple((k, float(v)) for k, v in (w.split("=", 1) for w in args.weight))
    restorer = get_restorer(RestoreConfig(fingerprints=not args.no_fingerprints, threshold=args.threshold,
                                          backend=args.backend, terms=not args.no_terms, weights=weights,
                                          pps_words=args.pps_words, auto_papers=not args.no_auto_papers))
    if args.every_word:
        restorer.generator._by_name["term"].every_word = True
    meta = dict(every_word=args.every_word, fingerprints=not args.no_fingerprints, terms=not args.no_terms,
                pps_words=args.pps_words, auto_papers=not args.no_auto_papers, with_listed=args.with_listed,
                backend=args.backend,
                sample=args.sample, weights=dict(weights))
    if args.terms_folds:
        if args.no_terms:
            ap.error("--terms-folds needs the term source")
        all_phrases = load_phrases(args.pps)
        picked = list(range(len(all_phrases)))
        if args.sample:
            picked = sorted(random.Random(0).sample(picked, min(args.sample, len(picked))))
        if args.with_listed and args.no_fingerprints:
            ap.error("--with-listed needs the fingerprint list")
        print(json.dumps(dict(score_folds(all_phrases, picked, restorer, args.terms_folds, args.fold,
                                          with_listed=args.with_listed),
                              folds=args.terms_folds, fold=args.fold, **meta)))
        return 0
    phrases = load_phrases(args.pps, args.sample)
    print(json.dumps(dict(score_phrases(phrases, restorer), **meta)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
