#!/usr/bin/env python3
"""How often a detected span's likely original is the original wording, by where it came from.

For the wild-dev synonym articles of 100 words or more (paragraphs joined), each span of the
default mode is matched to the original text by a word alignment (difflib over lower-case word
tokens: equal words kept, each replaced run's original words once) and counted by the source of
its ``original``: ``restoration`` (an edit inside it), ``scan`` (the scan's word-by-word guess),
``none`` (no original shown); and by whether the spinner changed anything inside it.

    PYTHONPATH=$PWD/src .venv/bin/python -m tools.analysis.span_originals [../shared/data/wild-dev/pairs.jsonl]
"""
import difflib, json, os, re, sys
from unspin import detect
pairs = [json.loads(l) for l in open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data', 'wild-dev', 'pairs.jsonl'))]
arts = {}
for p in pairs:
    if p['family'] != 'synonym': continue
    a = p['id'].rsplit('-p', 1)[0]
    arts.setdefault(a, []).append(p)
W = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
stats = {}
for a, ps in arts.items():
    ps.sort(key=lambda p: p['id'])
    spun = "\n\n".join(p['spun'] for p in ps); orig = "\n\n".join(p['original'] for p in ps)
    if len(spun.split()) < 100: continue
    st = [(m.start(), m.end(), m.group().lower()) for m in W.finditer(spun)]
    ot = [m.group().lower() for m in W.finditer(orig)]
    sm = difflib.SequenceMatcher(None, [t[2] for t in st], ot, autojunk=False)
    # map each spun token index -> (block op, original words of its replace block)
    truth = {}
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        for i in range(i1, i2):
            truth[i] = (op, tuple(ot[j1:j2]), i1, i2)
    d = detect(spun)
    for sp in d.spans:
        if not sp.original: 
            src = 'none'
        else:
            src = 'restoration' if any(e.get('kind') == 'restoration' for e in sp.evidence) else 'scan'
        idx = [k for k, t in enumerate(st) if t[0] >= sp.start and t[1] <= sp.end]
        if not idx: continue
        # the span's true original: the original words aligned to its tokens (equal tokens kept)
        true = []
        seen = set()
        for k in idx:
            op, ow, i1, i2 = truth[k]
            if op == 'equal': true.append(st[k][2])
            elif (i1, i2) not in seen: seen.add((i1, i2)); true.extend(ow)
        spun_changed = any(truth[k][0] != 'equal' for k in idx)
        guess = tuple(w.lower() for w in W.findall(sp.original)) if sp.original else None
        key = (src, spun_changed)
        s = stats.setdefault(key, [0, 0])
        s[0] += 1; s[1] += guess == tuple(true)
for (src, changed), (n, right) in sorted(stats.items()):
    print(f"{src:12s} {'spun inside' if changed else 'nothing spun':13s} spans {n:4d}  original exactly right {right:4d}")
