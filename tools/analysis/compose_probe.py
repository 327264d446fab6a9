#!/usr/bin/env python3
"""Can two-word tortured phrases be undone word by word? For 400 seeded two-word PPS entries (no
function words, expected term in the 3-gram's vocabulary): how often both expected words are among
each tortured word's candidates ("reach"), and how often the expected pair comes first (top1) or in
the first three (top3) when every pair of candidates is ranked by its 3-gram collocation strength,
ln P(c2 | c1) - ln P(c2), and must beat the tortured pair's by 2 nats.

    PYTHONPATH=$PWD/src .venv/bin/python -m tools.analysis.compose_probe [prior|thesaurus]

``prior``: the restorer's own candidate lists (filtered and capped as the decoder sees them);
``thesaurus``: every single-word Moby/WordNet neighbour the 3-gram knows. Results: docs/restore.md.
"""
import json, os, random, time, sys
from unspin.restoration.restorer import get_restorer, RestoreConfig
from unspin.restoration.rescore import FUNCTION_WORDS
from unspin.lang.lm import get_lm, TO_LN
R = get_restorer(RestoreConfig(fingerprints=False))
prior = R.decoder.channel.prior
lm = get_lm(); prob = lm.raw_prob; known = lm.known
from unspin.restoration.sources.thesaurus import ThesaurusSource
from unspin.lang.lexicon import get_lexicon
TH = ThesaurusSource(get_lexicon())
MODE = sys.argv[1] if len(sys.argv) > 1 else "prior"
def cands(w):
    if MODE == "prior":
        return [c.words[0] for ch, c in prior((w,), True) if len(c.words) == 1]
    return sorted({o[0] for o, _ in TH.originals(w) if len(o) == 1 and known(o[0])})
def pmi(c1, c2):
    return (prob((c2, c1)) - prob((c2,))) * TO_LN
ph = json.load(open(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data', 'pps', 'tortured-phrases.json')))["phrases"]
random.Random(0).shuffle(ph)
n = reach = top1 = top3 = 0; sizes = []; t0 = time.time(); calls = 0
for p in ph:
    t, c = p["tortured"].lower().split(), p["correct"].lower().split()
    if len(t) != 2 or len(c) != 2 or any(w in FUNCTION_WORDS for w in t) or not all(known(w) for w in c): continue
    n += 1
    A, B = cands(t[0]), cands(t[1])
    sizes.append((len(A), len(B)))
    if c[0] in A and c[1] in B: reach += 1
    base = pmi(t[0], t[1])
    scored = sorted(((pmi(x, y), x, y) for x in A for y in B), reverse=True); calls += len(A) * len(B)
    top = [(x, y) for s, x, y in scored[:3] if s > base + 2]
    if top and top[0] == tuple(c): top1 += 1
    if tuple(c) in top: top3 += 1
    if n >= 400: break
import statistics
print(f"n={n} reach={reach} top1={top1} top3={top3} median sizes={statistics.median(a for a,b in sizes)},{statistics.median(b for a,b in sizes)} calls/pair={calls/n:.0f} {time.time()-t0:.1f}s")
