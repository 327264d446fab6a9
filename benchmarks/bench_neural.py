#!/usr/bin/env python3
"""Benchmark of the optional neural scorer (unspin.scorers): speed and a synonym-swap probe.

    python benchmarks/bench_neural.py                       # gguf (Gemma 3 270M), 2 threads
    python benchmarks/bench_neural.py --spec hf:gpt2 --threads 2
    python benchmarks/bench_neural.py --spinner 200         # + 200 pairs made by unspin.evaluation.spinners
    python benchmarks/bench_neural.py --no-speed --wild ../shared/data/wild-dev/pairs.jsonl --wild-right 4 1

Reports:

* load time (first get_scorer call; for gguf this includes assembling/verifying the file);
* ms per window: a window of 25 words (12 left, the doubtful word, 12 right) with K
  alternative readings of the middle word, scored as K full texts (``score``) and as a
  shared prefix + K continuations (``score_continuations``);
* probe accuracy: for sentences where one word was replaced by a thesaurus synonym, how often
  the LM gives the original the higher score, as-is and lower-cased, against the 3-gram LM
  of unspin.lang.lm as a baseline. With --wild, the same question for the word edits of real
  spun/original pairs, in spun or original context, with 12 or fewer words of right context. With --spinner N, N more pairs are made from the prose of
  Python's own documentation (pydoc_data) by the project's spinner, and an n-way test asks
  whether the original ranks first among the original and up to 5 thesaurus alternatives.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time

# (original, one word replaced by a context-blind thesaurus synonym), made by hand: some
# swaps are glaring ("hyperlink"), some nearly fine ("printed", "shut").
PAIRS = [
    ("The company reported strong growth in the last quarter.", "The company reported powerful growth in the last quarter."),
    ("She took a deep breath before the interview.", "She took a profound breath before the interview."),
    ("He made a big mistake by ignoring the warning.", "He made a large mistake by ignoring the warning."),
    ("The meeting will take place next week.", "The meeting will take spot next week."),
    ("Prices have risen sharply over the past year.", "Prices have risen sharply over the previous year."),
    ("The results were published in a scientific journal.", "The results were printed in a scientific journal."),
    ("Many people lost their jobs during the crisis.", "Many people misplaced their jobs during the crisis."),
    ("The government announced new measures to fight inflation.", "The government announced new measures to battle inflation."),
    ("The children played in the garden all afternoon.", "The children performed in the garden all afternoon."),
    ("The storm caused heavy damage to the coastal towns.", "The storm caused weighty damage to the coastal towns."),
    ("He has a good chance of winning the election.", "He has a good opportunity of winning the election."),
    ("The doctor said the patient was in stable condition.", "The doctor said the patient was in steady condition."),
    ("The film received mixed reviews from critics.", "The film received combined reviews from critics."),
    ("We need to make a decision quickly.", "We need to create a decision quickly."),
    ("The bridge was closed for repairs.", "The bridge was shut for repairs."),
    ("The new law comes into force next month.", "The new law comes into power next month."),
    ("The team played well in the second half.", "The team played well in the moment half."),
    ("The study found a clear link between diet and health.", "The study found a clear hyperlink between diet and health."),
    ("The museum is open to the public every day.", "The museum is open to the populace every day."),
    ("Scientists have discovered a new species of frog.", "Scientists have discovered a fresh species of frog."),
    ("The price of oil fell to its lowest level in years.", "The price of oil fell to its lowest degree in years."),
    ("He works as a teacher at a local school.", "He works as a teacher at a neighborhood school."),
    ("The fire spread quickly through the old building.", "The fire distributed quickly through the old building."),
    ("They spent the weekend at their house in the country.", "They invested the weekend at their house in the country."),
    ("The minister refused to answer questions from reporters.", "The minister refused to reply questions from reporters."),
    ("Most of the students passed the final exam.", "Most of the students handed the final exam."),
    ("The river flows through the center of the city.", "The river flows through the core of the city."),
    ("The plan was approved by the board of directors.", "The plan was approved by the panel of directors."),
    ("She has lived in London for ten years.", "She has existed in London for ten years."),
    ("The economy is expected to grow slowly this year.", "The economy is expected to grow gradually this year."),
    ("Please turn off the lights when you leave the room.", "Please flip off the lights when you leave the room."),
    ("The soldiers were sent to protect the border.", "The soldiers were sent to shield the border."),
]

WINDOW_TEXT = ("In the early years of the century the small town grew quickly as new families arrived "
               "from the countryside looking for work in the mills and the busy port along the river")
ALTERNATIVES = ["families", "households", "kin", "clans", "relatives", "folks", "broods", "tribes",
                "dynasties", "houses"]

# Fresh sentences written for this benchmark (so not memorised by a model trained on the web),
# for the spinner to swap a word in: --spinner-source fresh.
FRESH = [p[0] for p in PAIRS] + [
    "Our neighbour keeps three goats behind the shed and sells the milk at the Sunday market.",
    "The committee postponed its final vote because two members were stuck in traffic.",
    "After the rain stopped, the children ran outside to look for snails on the wet path.",
    "The bakery on the corner closes early on Mondays, so we usually buy bread the night before.",
    "Her first novel sold poorly, but the second one won a small regional prize.",
    "The engineers replaced the old pump and the village finally had clean water again.",
    "He forgot his umbrella at the station and had to walk home through the storm.",
    "The new manager asked every employee to write a short report about their daily tasks.",
    "Several farmers complained that the dry summer had ruined most of their wheat.",
    "The museum guide explained how the ancient pots were repaired with gold lacquer.",
    "Traffic on the main road was slow because a truck had lost part of its load.",
    "The school plans to open a second library next spring if the budget allows it.",
    "My grandmother still writes letters by hand and sends them to all her friends.",
    "The hotel staff were friendly, but the rooms were small and rather noisy at night.",
    "A young fox was seen crossing the bridge early this morning near the old mill.",
    "The council agreed to repair the damaged roof before the start of the winter.",
    "Students who finish the course early may help their classmates with the exercises.",
    "The singer cancelled the rest of the tour after she injured her knee on stage.",
    "The price of fresh fish has doubled since the harbour was closed for repairs.",
    "Doctors advise people to drink more water during long periods of hot weather.",
    "The team celebrated their surprising victory with a quiet dinner at a local restaurant.",
    "Workers found an old coin while they were digging the foundations of the new hall.",
    "The river rose quickly after three days of heavy rain and flooded several fields.",
    "Most visitors arrive by train, although a few still prefer to come by boat.",
    "The company hopes to hire twenty new engineers before the end of the year.",
    "She carefully packed the glasses in paper so that none of them would break.",
    "The small theatre struggled for years before a local family bought the building.",
    "Police asked drivers to avoid the area while the damaged bridge was inspected.",
    "The garden looks best in early summer, when the roses are fully open.",
    "Local officials promised to publish the results of the survey next month.",
]

_WORD = re.compile(r"[A-Za-z']+|[^\sA-Za-z']")


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def ngram_score(lm, text: str) -> float:
    ws = [w.lower() for w in words_of(text) if w[0].isalnum()]
    return lm.sequence(ws + ["</s>"])


def pct(k: int, n: int) -> str:
    return f"{k}/{n} = {100.0 * k / max(n, 1):.1f}%"


def bench_speed(scorer, k_values=(2, 5, 10), reps=5) -> None:
    ws = WINDOW_TEXT.split()
    mid = ws.index("families")
    left, right = ws[mid - 12: mid], ws[mid + 1: mid + 13]
    prefix = " ".join(left)
    for k in k_values:
        alts = ALTERNATIVES[:k]
        texts = [" ".join(left + [a] + right) for a in alts]
        options = [" " + " ".join([a] + right) for a in alts]
        ntok = sum(len(scorer.encode(t)) for t in texts)
        scorer.score(texts)  # warm-up
        t_full, t_cont, c_full, c_cont = [], [], [], []
        for _ in range(reps):
            t0, c0 = time.perf_counter(), time.process_time()
            scorer.score(texts)
            t_full.append(time.perf_counter() - t0)
            c_full.append(time.process_time() - c0)
            t0, c0 = time.perf_counter(), time.process_time()
            scorer.score_continuations(prefix, options)
            t_cont.append(time.perf_counter() - t0)
            c_cont.append(time.process_time() - c0)
        med = statistics.median
        # CPU time (all threads) barely depends on what else the machine runs; wall time does.
        print(f"  window of 25 words, {len(alts):2d} readings ({ntok} tokens in all): "
              f"score() {1000 * med(t_full):6.0f} ms wall / {1000 * med(c_full):6.0f} ms CPU;  "
              f"score_continuations() {1000 * med(t_cont):6.0f} ms wall / {1000 * med(c_cont):6.0f} ms CPU")


def probe(scorer, lm, pairs, label: str) -> None:
    n = len(pairs)
    ok_case = ok_low = ok_ng = 0
    for orig, spun in pairs:
        a, b = scorer.score([orig, spun])
        ok_case += a > b
        a, b = scorer.score([orig.lower(), spun.lower()])
        ok_low += a > b
        if lm is not None:
            ok_ng += ngram_score(lm, orig) > ngram_score(lm, spun)
    print(f"  {label}: LM prefers the original, text as-is: {pct(ok_case, n)}; "
          f"lower-cased: {pct(ok_low, n)}" + (f"; 3-gram LM: {pct(ok_ng, n)}" if lm is not None else ""))


def window_of(text: str, start: int, end: int, radius: int = 12) -> tuple[str, str, str]:
    """(left, word, right) of at most `radius` words each side of text[start:end]."""
    left = text[:start].split()[-radius:]
    right = text[end:].split()[:radius]
    return " ".join(left), text[start:end], " ".join(right)


def pydoc_sentences() -> list[str]:
    """Prose sentences of 10-30 words from Python's own documentation (pydoc_data)."""
    from pydoc_data.topics import topics

    sents = []
    for body in topics.values():
        for para in body.split("\n\n"):
            para = " ".join(para.split())
            if not para or any(c in para for c in "*`=()[]{}<>|:_\\#"):
                continue
            for s in re.split(r"(?<=[.!?])\s+", para):
                ws = s.split()
                if 10 <= len(ws) <= 30 and s[0].isupper() and s.endswith("."):
                    sents.append(s)
    return sorted(set(sents))


def spinner_pairs(n: int, source: str = "pydoc", seed: int = 0):
    """Single-swap pairs made by unspin.evaluation.spinners (moby style), with alternative readings."""
    import lemminflect

    from unspin.evaluation import spinners as spinner

    from unspin.lang.tokenize import tokenize

    sents = pydoc_sentences() if source == "pydoc" else list(FRESH)
    rng = random.Random(seed)
    rng.shuffle(sents)
    out = []
    for i, s in enumerate(sents):
        if len(out) >= n:
            break
        for attempt in range(8):
            spun, swaps = spinner.spin(s, 0.12, seed * 7919 + i * 31 + attempt)
            if len(swaps) == 1 and " " not in swaps[0][0] and " " not in swaps[0][1]:
                break
        else:
            continue
        orig_w, spun_w = swaps[0]
        # locate the swapped word: the first token where the texts differ
        toks = tokenize(s)
        tok = next((t for t in toks if t.text == orig_w and spun[t.start:t.start + len(spun_w)] == spun_w), None)
        if tok is None:
            continue
        low = orig_w.lower()
        alts = set()
        for upos, lemmas in lemminflect.getAllLemmas(low).items():
            for lemma in lemmas:
                for syn in spinner.synonyms(lemma, "moby"):
                    f = spinner._inflect_like(syn, low, lemma, upos)
                    if f and f != low and " " not in f:
                        alts.add(f)
        alts.discard(spun_w.lower())
        alts = [spun_w] + rng.sample(sorted(alts), min(4, len(alts)))
        out.append((s, spun, tok.start, tok.end, alts))
    return out


def probe_nway(scorer, lm, items) -> None:
    n = len(items)
    ok = ok_low = ok_ng = 0
    ks = []
    for s, _spun, start, end, alts in items:
        left, word, right = window_of(s, start, end)
        readings = [word] + alts
        ks.append(len(readings))
        opts = [" " + " ".join([r] + ([right] if right else [])) for r in readings]
        sc = scorer.score_continuations(left, opts) if left else scorer.score([o.strip() for o in opts])
        ok += max(range(len(sc)), key=sc.__getitem__) == 0
        sc = (scorer.score_continuations(left.lower(), [o.lower() for o in opts]) if left
              else scorer.score([o.strip().lower() for o in opts]))
        ok_low += max(range(len(sc)), key=sc.__getitem__) == 0
        if lm is not None:
            ng = [ngram_score(lm, f"{left} {o}") for o in opts]
            ok_ng += max(range(len(ng)), key=ng.__getitem__) == 0
    print(f"  n-way (original among {statistics.mean(ks):.1f} readings on average, +-12-word window): "
          f"original ranked first, as-is: {pct(ok, n)}; lower-cased: {pct(ok_low, n)}"
          + (f"; 3-gram LM: {pct(ok_ng, n)}" if lm is not None else ""))


def _norm(w: str) -> str:
    return re.sub(r"[^\w]", "", w.lower().replace("\u2019", "'"))


def wild_edits(path: str, radius: int = 12, right_radius: int | None = None, context: str = "spun"):
    """Word edits of real spins: (left, spun phrase, original phrase, right).

    Pairs of ``family == "synonym"`` are aligned word by word (difflib); each replacement of
    at most 3 words by at most 3 words is one edit. Case/punctuation-only changes are skipped.
    ``context="spun"``: the window is the spun text, every other spun word left as it is (what
    a decoder sees on its first pass); ``"original"``: the window is the original text (every
    other edit already restored: the best a decoder that restores iteratively could hope for).
    """
    import difflib
    import json

    out = []
    rr = radius if right_radius is None else right_radius
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("family", "synonym") != "synonym":
                continue
            sw, ow = r["spun"].split(), r["original"].split()
            sm = difflib.SequenceMatcher(a=[_norm(w) for w in sw], b=[_norm(w) for w in ow], autojunk=False)
            for tag, i1, i2, j1, j2 in sm.get_opcodes():
                if tag != "replace" or i2 - i1 > 3 or j2 - j1 > 3:
                    continue
                spun, orig = " ".join(sw[i1:i2]), " ".join(ow[j1:j2])
                if _norm(spun) == _norm(orig):
                    continue
                ws, a, z = (sw, i1, i2) if context == "spun" else (ow, j1, j2)
                out.append((" ".join(ws[max(0, a - radius):a]), spun, orig, " ".join(ws[z:z + rr])))
    return out


def probe_wild(scorer, lm, edits, label: str, lower: bool = False) -> None:
    """Does the LM prefer the original phrase to the spun one in the same window?"""
    n = len(edits)
    ok = ok_low = ok_ng = ok_sum = 0
    for left, spun, orig, right in edits:
        opts = [" " + w + (" " + right if right else "") for w in (orig, spun)]
        sc = scorer.score_continuations(left, opts) if left else scorer.score([x.strip() for x in opts])
        margin = sc[0] - sc[1]
        ok += margin > 0
        if lower:
            o = [x.lower() for x in opts]
            sc = scorer.score_continuations(left.lower(), o) if left else scorer.score([x.strip() for x in o])
            ok_low += sc[0] > sc[1]
        if lm is not None:
            ng = ngram_score(lm, left + opts[0]) - ngram_score(lm, left + opts[1])
            ok_ng += ng > 0
            ok_sum += margin + ng > 0
    print(f"  real spins, {n} edits, {label}: LM prefers the original: {pct(ok, n)}"
          + (f"; lower-cased: {pct(ok_low, n)}" if lower else "")
          + (f"; 3-gram LM: {pct(ok_ng, n)}; sum of both margins: {pct(ok_sum, n)}" if lm is not None else ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default="gguf")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--spinner", type=int, default=0, metavar="N", help="also probe N spinner-made pairs")
    ap.add_argument("--spinner-source", choices=["pydoc", "fresh"], default="pydoc",
                    help="sentences to spin: Python's docs (pydoc_data) or fresh ones written for this file")
    ap.add_argument("--no-ngram", action="store_true", help="skip the 3-gram baseline")
    ap.add_argument("--wild", metavar="PAIRS.jsonl",
                    help="also probe the word edits of real spun/original pairs (e.g. ../shared/data/wild-dev/pairs.jsonl)")
    ap.add_argument("--wild-right", type=int, nargs="*", default=[], metavar="N",
                    help="repeat the real-spin probe with only N words of right context")
    ap.add_argument("--lower", action="store_true", help="real-spin probe: also score lower-cased text")
    ap.add_argument("--no-speed", action="store_true", help="skip the timing of windows")
    args = ap.parse_args()

    from unspin.scorers import get_scorer

    t0 = time.perf_counter()
    scorer = get_scorer(args.spec, n_threads=args.threads)
    print(f"{scorer.name}: loaded in {time.perf_counter() - t0:.2f} s ({args.threads} threads; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    t0 = time.perf_counter()
    scorer.score(["Hello world."])
    print(f"  first call: {1000 * (time.perf_counter() - t0):.0f} ms")
    if not args.no_speed:
        bench_speed(scorer)

    lm = None
    if not args.no_ngram:
        from unspin.lang.lm import get_lm

        lm = get_lm()
    probe(scorer, lm, PAIRS, f"hand-made pairs ({len(PAIRS)})")
    if args.wild:
        t0 = time.perf_counter()
        for ctx in ("spun", "original"):
            for rr in [12] + args.wild_right:
                probe_wild(scorer, lm, wild_edits(args.wild, right_radius=rr, context=ctx),
                           f"{ctx} text around, 12 words left / {rr} right", lower=args.lower and rr == 12)
        print(f"  (real-spin probes took {time.perf_counter() - t0:.1f} s)")
    if args.spinner:
        t0 = time.perf_counter()
        items = spinner_pairs(args.spinner, args.spinner_source)
        pairs = [(s, spun) for s, spun, *_ in items]
        probe(scorer, lm, pairs, f"spinner pairs from {args.spinner_source} sentences ({len(pairs)})")
        probe_nway(scorer, lm, items)
        print(f"  (spinner probes took {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
