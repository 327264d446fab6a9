#!/usr/bin/env python3
"""Seeded synonym spinners, for making training and evaluation data (development tooling only).

They imitate what article spinners do: context-blind thesaurus swaps of single words
(re-inflected), a few phrase swaps, at a chosen rate. The styles differ in where their replacements
come from, so that a model is not only tested on the spinner it was built with:

* ``moby``: any Moby Thesaurus II neighbour the original's entry lists (the classic "spinbot");
* ``wordnet``: WordNet synonyms only (a more conservative spinner);
* ``context``: Moby and WordNet neighbours, drawn with probability proportional to
  P(neighbour | context)^(1/T) under the 3-gram LM (two words each side, T = ``CONTEXT_T``): like
  the commercial spinners, it mostly writes common words that fit the sentence ("authorities",
  "additionally") and still makes sense errors, where the two others draw uniformly from the
  thesaurus and so write many rare words;
* ``ppdb`` ("pivot"): a word's PPDB-XL lexical line (``--ppdb``, read from ``../shared``: this is
  development tooling), drawn with probability 1/(1 + rank in the line), re-inflected like the
  original; its phrase swaps are the multi-word ones of ``PHRASES``;
* ``phrase`` (phrase expansion): only the multi-word Moby and WordNet neighbours of a word
  ("use" -> "make use of", "help" -> "give a hand"), drawn uniformly; a word without one is kept.

``--consistent`` makes a spinner decide each word type once per document, as real spinners do
("said" -> "mentioned" everywhere, or nowhere); a document is a row, or the rows of one article
(ids ``<article>-pNN``, or ``--group-field``), so that ``unspin eval restore --by-article``
scores whole spun articles.

Usage::

    python -m unspin.evaluation.spinners INPUT.jsonl --rate 0.3 --seed 1 --style moby > spun.jsonl
    python -m unspin.evaluation.spinners INPUT.jsonl --style ppdb --consistent > spun.jsonl

Each output object is the input object plus ``spun`` (and ``original`` = the input text).
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys

import numpy as np

from unspin.lang.lexicon import MOBY_HEAD_LISTS_SPUN, WORDNET_SYNONYM, get_lexicon
from unspin.lang.tokenize import tokenize

# Words a spinner leaves alone (function words, auxiliaries): swapping them breaks grammar
# so badly that real spinners mostly skip them.
_STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    have has had do does did not no it its this that these those he she they we you i me him her
    them us our your their his my who whom which what when where why how than then there here so
    very can could will would shall should may might must s t""".split()
)

# Phrase swaps common to real spinners (original -> spun), applied at the same rate.
PHRASES = {
    "at least": ["at the least", "a minimum of"],
    "because": ["as a result of", "for the reason that"],
    "including": ["together with", "along with"],
    "several": ["a number of", "numerous"],
    "through": ["by way of", "by means of"],
    "became": ["grew to become", "turned into"],
    "year": ["12 months", "yr"],
    "people": ["folks", "individuals"],
    "said": ["mentioned", "stated"],
    "were": ["have been", "had been"],
    "where": ["the place", "wherein"],
    "millions": ["thousands and thousands", "tens of millions"],
}


CONTEXT_T = 1.5  # temperature of the context style's draw (chosen a priori, not tuned)


@functools.lru_cache(maxsize=1)
def _inverse():
    """original term -> list of (spun term, flags): the lexicon read in the spinner's direction."""
    lex = get_lexicon()
    src = np.repeat(np.arange(len(lex.terms)), np.diff(lex.offsets))
    order = np.argsort(lex.dst, kind="stable")
    dst_sorted = lex.dst[order]
    src_sorted = src[order]
    fl_sorted = lex.flags[order]
    starts = np.searchsorted(dst_sorted, np.arange(len(lex.terms) + 1))
    return lex, src_sorted, fl_sorted, starts


def synonyms(word: str, style: str) -> list[str]:
    lex, src_sorted, fl_sorted, starts = _inverse()
    i = lex.index.get(word)
    if i is None:
        return []
    need = {"moby": MOBY_HEAD_LISTS_SPUN, "wordnet": WORDNET_SYNONYM}.get(style, MOBY_HEAD_LISTS_SPUN | WORDNET_SYNONYM)
    out = []
    for j, f in zip(src_sorted[starts[i]:starts[i + 1]].tolist(), fl_sorted[starts[i]:starts[i + 1]].tolist()):
        if f & need:
            t = lex.terms[j]
            if " " not in t or style != "wordnet":
                out.append(t)
    return out


def _inflect_like(lemma_syn: str, word: str, lemma: str, upos: str) -> str | None:
    import lemminflect

    parts = lemma_syn.split()
    if parts[0] in ("the", "a", "an"):
        return None
    head = 0 if upos == "VERB" else len(parts) - 1
    if upos not in lemminflect.getAllLemmas(parts[head]):
        return None  # a noun offered for a verb would be inflected into nonsense ("bloodlettinged")
    if word == lemma:
        return lemma_syn
    infl = lemminflect.getAllInflections(lemma, upos=upos)
    tags = [t for t, forms in infl.items() if word in forms]
    if not tags:
        return None
    # Thesaurus entries are sometimes inflected already ("twins"): inflect their lemma, or
    # the result is "twinses".
    base = lemminflect.getLemma(parts[head], upos=upos)
    forms = lemminflect.getInflection(base[0] if base else parts[head], tag=tags[0])
    if not forms:
        return None
    parts[head] = forms[0]
    return " ".join(parts)


def _context_choice(options: list[str], tokens, i: int, rng: random.Random) -> str | None:
    """Draw a replacement for ``tokens[i]`` by its 3-gram fit between the two words on each side."""
    import math

    from unspin.lang.lm import get_lm

    lm = get_lm()
    low = [t.text.lower() for t in tokens[max(0, i - 2):i + 3]]
    k = i - max(0, i - 2)
    prev = ["<s>", "<s>"] + low[:k]
    after = low[k + 1:]
    scored = []
    for opt in options:
        words = opt.lower().split()
        if not all(lm.known(w) for w in words):
            continue
        scored.append((lm.sequence(words + after, prev[-1], prev[-2]), opt))
    if not scored:
        return None
    top = max(sc for sc, _ in scored)
    weights = [math.exp((sc - top) / CONTEXT_T) for sc, _ in scored]
    return rng.choices([o for _, o in scored], weights)[0]


DEFAULT_PPDB = "../shared/data/ppdb/ppdb-1.0-xl-lexical.txt"


@functools.lru_cache(maxsize=2)
def load_ppdb(path: str = DEFAULT_PPDB) -> dict[str, tuple[str, ...]]:
    """PPDB lexical lines: head word -> its paraphrases, best first (a missing file is an error
    naming the path)."""
    from unspin.errors import UnspinError

    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.split() for line in f]
    except OSError as e:
        raise UnspinError(f"cannot read the PPDB file {path}: {e.strerror or e} (give its path with --ppdb)") from None
    return {w[0]: tuple(w[1:]) for w in lines if len(w) > 1}


def _ppdb_options(low: str, ppdb: dict[str, tuple[str, ...]]) -> list[tuple[str, float]]:
    """(replacement, weight) from the PPDB line of ``low`` (or of its lemma, when the form has no
    line), re-inflected like ``low``; weight 1/(1 + rank in the line), so the top of the line wins."""
    import lemminflect

    analyses = [(upos, lemma) for upos, lemmas in lemminflect.getAllLemmas(low).items() for lemma in lemmas]
    heads = [low] + [lemma for _, lemma in analyses if lemma != low]
    head = next((h for h in heads if h in ppdb), None)
    if head is None:
        return []
    line = ppdb[head]
    # A line found by its lemma is inflected by that reading ("damages" -> damage's line -> "harms",
    # not the plural-noun reading "damages" -> "harm").
    analyses.sort(key=lambda a: a[1] != head)
    out: dict[str, float] = {}
    for rank, para in enumerate(line):
        if analyses:
            form = next((f for f in (_inflect_like(para, low, lemma, upos) for upos, lemma in analyses) if f), None)
        else:
            form = para  # a word lemminflect does not know: take the paraphrase as written
        if form and form != low and form not in out:
            out[form] = 1.0 / (1 + rank)
    return list(out.items())


def _propose(text: str, tokens, i: int, rng: random.Random, style: str, ppdb,
             phrases: dict = PHRASES) -> tuple[str | None, int]:
    """A replacement for the word (or two-word phrase) at ``tokens[i]``, and how many tokens it
    replaces; (None, 1) when the style has none."""
    import lemminflect

    PHRASES = phrases  # noqa: N806 (the table in use: the module's, or none)
    tok = tokens[i]
    low = tok.text.lower()
    two = f"{low} {tokens[i + 1].text.lower()}" if i + 1 < len(tokens) else None
    if two in PHRASES and text[tok.end:tokens[i + 1].start] == " ":
        return rng.choice(PHRASES[two]), 2
    if low in PHRASES:
        # A pivot spinner's single words come from its table; it keeps the phrase swaps.
        opts = PHRASES[low] if style != "ppdb" else [o for o in PHRASES[low] if " " in o]
        if opts:
            return rng.choice(opts), 1
    if low in _STOP or tok.is_number or (tok.text[0].isupper() and tok.start > 0):
        return None, 1
    if style == "ppdb":
        weighted = _ppdb_options(low, ppdb)
        return (rng.choices([o for o, _ in weighted], [w for _, w in weighted])[0] if weighted else None), 1
    options = []
    for upos, lemmas in lemminflect.getAllLemmas(low).items():
        for lemma in lemmas:
            for syn in synonyms(lemma, style):
                form = _inflect_like(syn, low, lemma, upos)
                if form and form != low:
                    options.append(form)
    if style == "phrase":
        options = [o for o in options if " " in o]
    if options and style == "context":
        return _context_choice(sorted(set(options)), tokens, i, rng), 1
    return (rng.choice(sorted(set(options))) if options else None), 1


def _swap_key(text: str, tokens, i: int, phrases: dict = PHRASES) -> str | None:
    """The word type (or PHRASES phrase) at ``tokens[i]`` a consistent spinner decides once per
    document; None for what it never swaps (function words, numbers, names)."""
    PHRASES = phrases  # noqa: N806
    tok = tokens[i]
    low = tok.text.lower()
    if i + 1 < len(tokens) and text[tok.end:tokens[i + 1].start] == " ":
        two = f"{low} {tokens[i + 1].text.lower()}"
        if two in PHRASES:
            return two
    if tok.is_number or (tok.text[0].isupper() and tok.start > 0):
        return None  # a name's capital, or a number: left alone in every occurrence
    if low in PHRASES or low not in _STOP:
        return low
    return None


def spin(text: str, rate: float, seed: int, style: str = "moby", *, memo: dict | None = None,
         ppdb: dict | None = None, phrases: bool = True) -> tuple[str, list[tuple[str, str]]]:
    """Return the spun text and the list of (original, spun) swaps made.

    ``memo`` makes the spinner consistent, as real ones are: each word type (lower case) is
    decided once, by the rate, and then spun to the same replacement (or kept) wherever it
    occurs; pass the same dict for every paragraph of a document. ``ppdb``: the lines of
    :func:`load_ppdb`, needed by the ``ppdb`` style. ``phrases=False``: no swaps from
    ``PHRASES`` (a hand list of real spinners' habits: data that fits a model uses none of it).
    """
    table = PHRASES if phrases else {}
    if style == "ppdb" and ppdb is None:
        ppdb = load_ppdb()
    rng = random.Random(seed)
    tokens = tokenize(text)
    out, swaps, pos = [], [], 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        replacement, n = None, 1
        if memo is None:
            if rng.random() < rate:
                replacement, n = _propose(text, tokens, i, rng, style, ppdb, table)
        else:
            key = _swap_key(text, tokens, i, table)
            if key is not None and key not in memo:
                memo[key] = _propose(text, tokens, i, rng, style, ppdb, table)[0] if rng.random() < rate else None
            replacement = memo.get(key) if key is not None else None
            n = len(key.split()) if replacement is not None else 1
        span_end = tokens[i + n - 1].end
        if replacement is not None:
            if tok.text[0].isupper():
                replacement = replacement[0].upper() + replacement[1:]
            out.append(text[pos:tok.start])
            out.append(replacement)
            swaps.append((text[tok.start:span_end], replacement))
            pos = span_end
        i += n
    out.append(text[pos:])
    return "".join(out), swaps


def document_of(obj: dict, n: int, group_field: str | None) -> str:
    """The document a row belongs to, for a consistent spinner: the ``group_field`` value, else
    the article of its id (``<article>-pNN``), else the row itself."""
    from .data import group_of

    if group_field:
        return str(obj.get(group_field, n))
    return group_of(obj, n)


def spin_rows(rows, rate: float, seed: int, style: str = "moby", *, text_field: str = "text",
              consistent: bool = False, group_field: str | None = None, ppdb: dict | None = None,
              phrases: bool = True):
    """Yield each row (``(n, obj)``) with ``original``, ``spun`` and ``swaps`` added; row ``n`` is
    spun with seed ``seed * 1_000_003 + n``. ``consistent``: one mapping per document
    (:func:`document_of`)."""
    memos: dict[str, dict] = {}
    for n, obj in rows:
        text = obj[text_field]
        memo = memos.setdefault(document_of(obj, n, group_field), {}) if consistent else None
        spun, swaps = spin(text, rate, seed * 1_000_003 + n, style, memo=memo, ppdb=ppdb, phrases=phrases)
        yield dict(obj, original=text, spun=spun, swaps=len(swaps))


def _read_rows(path: str, text_field: str):
    """``(n, row)``, n counting lines from 0 (blank ones too), as the seeds always have."""
    from unspin.inputs.textio import iter_jsonl

    for lineno, obj in iter_jsonl(path, text_field=text_field):
        yield lineno - 1, obj


def main(argv: list[str] | None = None) -> int:
    from unspin.errors import UnspinError

    ap = argparse.ArgumentParser(prog="spinners", description=__doc__.split("\n")[0])
    ap.add_argument("input", help="JSONL with a text field, or - for stdin")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--rate", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--style", choices=["moby", "wordnet", "context", "ppdb", "phrase"], default="moby")
    ap.add_argument("--consistent", action="store_true",
                    help="one replacement per word type throughout a document, as real spinners do")
    ap.add_argument("--group-field", help="with --consistent: rows with the same value of this field are one "
                                          "document (default: the article of the id <article>-pNN)")
    ap.add_argument("--ppdb", default=DEFAULT_PPDB, help=f"PPDB lexical file for --style ppdb (default {DEFAULT_PPDB})")
    args = ap.parse_args(argv)
    try:
        ppdb = load_ppdb(args.ppdb) if args.style == "ppdb" else None
        for obj in spin_rows(_read_rows(args.input, args.text_field), args.rate, args.seed, args.style,
                             text_field=args.text_field, consistent=args.consistent,
                             group_field=args.group_field, ppdb=ppdb):
            print(json.dumps(obj, ensure_ascii=False))
    except UnspinError as e:
        print(f"spinners: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
