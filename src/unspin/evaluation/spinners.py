#!/usr/bin/env python3
"""Seeded synonym spinners, for making training and evaluation data (development tooling only).

They imitate what article spinners do: context-blind thesaurus swaps of single words
(re-inflected), a few phrase swaps, at a chosen rate. Two styles differ in which thesaurus
entries they draw from, so that a model is not only tested on the spinner it was built with:

* ``moby``: any Moby Thesaurus II neighbour the original's entry lists (the classic "spinbot");
* ``wordnet``: WordNet synonyms only (a more conservative spinner);
* ``context``: Moby and WordNet neighbours, drawn with probability proportional to
  P(neighbour | context)^(1/T) under the 3-gram LM (two words each side, T = ``CONTEXT_T``): like
  the commercial spinners, it mostly writes common words that fit the sentence ("authorities",
  "additionally") and still makes sense errors, where the two others draw uniformly from the
  thesaurus and so write many rare words.

Usage::

    python -m unspin.evaluation.spinners INPUT.jsonl --rate 0.3 --seed 1 --style moby > spun.jsonl

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


def spin(text: str, rate: float, seed: int, style: str = "moby") -> tuple[str, list[tuple[str, str]]]:
    """Return the spun text and the list of (original, spun) swaps made."""
    import lemminflect

    rng = random.Random(seed)
    tokens = tokenize(text)
    out, swaps, pos = [], [], 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.text.lower()
        replacement = None
        span_end = tok.end
        if rng.random() < rate:
            two = f"{low} {tokens[i + 1].text.lower()}" if i + 1 < len(tokens) else None
            if two in PHRASES and text[tok.end:tokens[i + 1].start] == " ":
                replacement = rng.choice(PHRASES[two])
                span_end = tokens[i + 1].end
                i += 1
            elif low in PHRASES:
                replacement = rng.choice(PHRASES[low])
            elif low not in _STOP and not tok.is_number and not (tok.text[0].isupper() and tok.start > 0):
                options = []
                for upos, lemmas in lemminflect.getAllLemmas(low).items():
                    for lemma in lemmas:
                        for syn in synonyms(lemma, style):
                            form = _inflect_like(syn, low, lemma, upos)
                            if form and form != low:
                                options.append(form)
                if options and style == "context":
                    replacement = _context_choice(sorted(set(options)), tokens, i, rng)
                elif options:
                    replacement = rng.choice(sorted(set(options)))
        if replacement is not None:
            if tok.text[0].isupper():
                replacement = replacement[0].upper() + replacement[1:]
            out.append(text[pos:tok.start])
            out.append(replacement)
            swaps.append((text[tok.start:span_end], replacement))
            pos = span_end
        i += 1
    out.append(text[pos:])
    return "".join(out), swaps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", help="JSONL with a text field, or - for stdin")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--rate", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--style", choices=["moby", "wordnet", "context"], default="moby")
    args = ap.parse_args()
    f = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")
    for n, line in enumerate(f):
        if not line.strip():
            continue
        obj = json.loads(line)
        text = obj[args.text_field]
        spun, swaps = spin(text, args.rate, args.seed * 1_000_003 + n, args.style)
        obj.update(original=text, spun=spun, swaps=len(swaps))
        print(json.dumps(obj, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
