"""Spans: suspicious tokens grouped into stretches, each with its likely original and evidence.

:func:`build_spans` forms them from the scan (thresholds with hysteresis, function-word
bridges, fingerprint hits kept whole); :func:`refine_spans` takes restoration's edits as their
likely originals when restoration ran, and :func:`edit_spans` adds the edits no span covers;
:func:`fingerprint_spans` is the fingerprint-only mode's; :class:`TopSpans` keeps the best spans
of a text too long for one window.
"""

from __future__ import annotations

import dataclasses
import heapq
import math

from ..lang.words import match_case
from ..results import Edit, Span
from .scan import PPDB_LINK, Analysis, TokenEvidence, counted

MIN_SPAN_SCORE = 0.05       # spans less likely than this (document score x token probability) are not listed
# A phrase whose best one-word neighbour reads this much better (nats) is a span of its own
# ("by way of" for "via"): the token model's first hinge, chosen a priori.
PHRASE_SPAN_GAIN = 4.0


def attach(evidence: list[TokenEvidence], hits: list) -> None:
    """Point every token inside a hit's [start, end) at the hit."""
    j = 0
    for h in sorted(hits, key=lambda x: x.start):
        while j < len(evidence) and evidence[j].token.end <= h.start:
            j += 1
        k = j
        while k < len(evidence) and evidence[k].token.start < h.end:
            evidence[k].fingerprint = h
            k += 1


def build_spans(a: Analysis, threshold: float, doc_score: float = 1.0, low: float | None = None,
                gap: int = 0, phrase_p: float | None = None) -> list[Span]:
    """Group suspicious tokens into spans, each with a likely original and its evidence.

    A token is suspicious when P(substitution | spun text) >= ``threshold`` or it lies in a
    fingerprint hit (a hit's tokens stay together). With ``low``, a token at or above ``low``
    next to a suspicious token in its sentence is suspicious too (hysteresis: real spinners swap
    neighbouring words, "loss of life", "health and fitness"). Suspicious tokens in one sentence
    form one span when no word lies between them, or at most ``gap`` function words (words the
    scan does not question) and no punctuation but hyphens. A span's score is ``doc_score``
    times the probability that at least one of its tokens is a substitution. With ``phrase_p``
    (the share of such phrases a spinner wrote, in the spun training text), every phrase of
    ``a.phrases`` whose one-word neighbour gains :data:`PHRASE_SPAN_GAIN` is a suspicious unit
    too, kept whole, that neighbour its likely original, its probability at least ``phrase_p``.
    """
    text = a.text
    evs = a.evidence
    sus = _suspicious(evs, threshold, low)
    phrase_at = span_phrases(a) if phrase_p is not None else {}
    spans = []
    for first, last, s, e in _units(text, evs, sus, gap, phrase_at):
        toks = evs[first:last + 1]
        original, evidence = _likely_original(text, toks, s, e, threshold, phrase_at)
        p_any = 1.0 - math.prod([1.0 - min(max(ev.p, 0.0), 0.999) for ev in toks])
        if any(ev.fingerprint is not None for ev in toks):
            p_any = max(p_any, 0.9)
        if phrase_p is not None and any(ev.index in phrase_at for ev in toks):
            p_any = max(p_any, phrase_p)
        spans.append(Span(s, e, text[s:e], original if original != text[s:e] else "", doc_score * p_any, evidence))
    return spans


def _suspicious(evs: list[TokenEvidence], threshold: float, low: float | None) -> list[bool]:
    n = len(evs)
    sus = [ev.p >= threshold for ev in evs]
    if low is not None and low < threshold:
        # Grow every run of suspicious tokens over adjacent tokens at or above ``low``.
        for i in range(n):
            if sus[i] or evs[i].p < low:
                continue
            if i > 0 and sus[i - 1] and evs[i - 1].sentence == evs[i].sentence:
                sus[i] = True
        for i in range(n - 1, -1, -1):
            if sus[i] or evs[i].p < low:
                continue
            if i + 1 < n and sus[i + 1] and evs[i + 1].sentence == evs[i].sentence:
                sus[i] = True
    return sus


def span_phrases(a: Analysis) -> dict:
    """Token index -> the phrase (scan.PhraseEvidence) it belongs to, for the phrases that make
    spans: gain of at least PHRASE_SPAN_GAIN, no fingerprint hit inside."""
    out = {}
    for ph in a.phrases or ():
        idx = range(ph.first, ph.first + ph.length)
        if ph.gain >= PHRASE_SPAN_GAIN and all(a.evidence[k].fingerprint is None for k in idx):
            out.update((k, ph) for k in idx)
    return out


def _units(text: str, evs: list[TokenEvidence], sus: list[bool], gap: int, phrase_at: dict) -> list[list[int]]:
    """[first token, last token, start, end] of each span: suspicious tokens and whole
    fingerprint hits, neighbours in a sentence merged (see :func:`build_spans`)."""
    n = len(evs)
    units: list[list[int]] = []
    i = 0
    while i < n:
        ev = evs[i]
        ph = phrase_at.get(i)
        if ph is not None:
            k = ph.first + ph.length - 1
            units.append([i, k, ev.token.start, evs[k].token.end])
            i = k + 1
            continue
        h = ev.fingerprint
        if h is not None:
            k = i
            while k + 1 < n and evs[k + 1].fingerprint is h:
                k += 1
            units.append([i, k, min(h.start, ev.token.start), max(h.end, evs[k].token.end)])
            i = k + 1
            continue
        if sus[i]:
            units.append([i, i, ev.token.start, ev.token.end])
        i += 1
    merged: list[list[int]] = []
    for u in units:
        if merged and evs[u[0]].sentence == evs[merged[-1][1]].sentence and (
                u[0] == merged[-1][1] + 1 or _bridgeable(text, evs, merged[-1][1], u[0], gap)):
            merged[-1][1] = u[1]
            merged[-1][3] = u[3]
        else:
            merged.append(u)
    return merged


def _likely_original(text: str, toks: list[TokenEvidence], s: int, e: int,
                     threshold: float, phrase_at: dict) -> tuple[str, list[dict]]:
    """``text[s:e]`` with fingerprint hits corrected and the tokens suspicious on their own
    replaced by the scan's best neighbour, and the evidence for each."""
    pieces, evidence, pos = [], [], s
    seen: set[int] = set()
    for ev in toks:
        ph = phrase_at.get(ev.index)
        if ph is not None:
            if id(ph) not in seen:
                seen.add(id(ph))
                end = next(t.token.end for t in toks if t.index == ph.first + ph.length - 1)
                pieces.append(text[pos:ev.token.start])
                pieces.append(match_case(ph.best, ev.token.text))
                evidence.append({"kind": "phrase", "phrase": text[ev.token.start:end],
                                 "alternative": ph.best, "gain_nats": round(ph.gain, 2)})
                pos = end
            continue
        h = ev.fingerprint
        if h is not None:
            if id(h) in seen:
                continue
            seen.add(id(h))
            pieces.append(text[pos:max(pos, h.start)])
            pieces.append(h.correct or h.tortured)
            evidence.append({"kind": "fingerprint", "list": h.source, "entry": h.entry, "correct": h.correct})
            pos = max(pos, h.end)
            continue
        pieces.append(text[pos:ev.token.start])
        # Only the words suspicious on their own get a likely original: a span grown over
        # weaker neighbours would otherwise read as a rewrite of the whole phrase.
        fits = ev.has_candidate and ev.gain > 0 and ev.p >= threshold
        pieces.append(match_case(ev.best, ev.token.text) if fits else ev.token.text)
        pos = ev.token.end
        if fits:
            evidence.append({"kind": "surprisal", "word": ev.token.text, "alternative": ev.best,
                             "gain_nats": round(ev.gain, 2), "from": _sources(ev.flags)})
            if ev.freq_gain > 1.0:
                evidence.append({"kind": "rare-synonym", "word": ev.token.text, "common": ev.best,
                                 "frequency_ratio": round(math.exp(min(ev.freq_gain, 20.0)), 1)})
    pieces.append(text[pos:e])
    return "".join(pieces), evidence


def _sources(flags: int) -> list[str]:
    """Which resources proposed the scan's alternative: the thesaurus (Moby, WordNet), PPDB."""
    return [name for name, on in (("thesaurus", flags & ~PPDB_LINK), ("ppdb", flags & PPDB_LINK)) if on]


def _bridgeable(text: str, evs: list[TokenEvidence], last: int, nxt: int, gap: int) -> bool:
    """May the tokens strictly between ``last`` and ``nxt`` join two spans? At most ``gap`` of
    them, none a word the models weigh, and only spaces or hyphens between the words."""
    if nxt - last - 1 > gap or nxt - last - 1 < 1:
        return False
    if any(counted(evs[k]) for k in range(last + 1, nxt)):
        return False
    for k in range(last, nxt):
        between = text[evs[k].token.end:evs[k + 1].token.start]
        if between.strip(" -\u2010\u2011") or between.count("\n") > 0:
            return False
    return True



def refine_spans(text: str, spans: list[Span], score: float, edits: list[Edit]) -> list[Span]:
    """Use restoration's edits (offsets into ``text``) as the spans' likely originals and as
    evidence; a confident edit outside every span becomes a span of its own. A span with no edit
    keeps no guessed original (:func:`unguessed`)."""
    out = []
    used = set()
    for sp in spans:
        inside = [ed for ed in edits if ed.start < sp.end and ed.end > sp.start]
        if not inside:
            out.append(unguessed(sp))
            continue
        lo = min(sp.start, min(ed.start for ed in inside))
        hi = max(sp.end, max(ed.end for ed in inside))
        pieces, pos = [], lo
        for ed in sorted(inside, key=lambda x: x.start):
            pieces.append(text[pos:ed.start])
            pieces.append(ed.original)
            pos = ed.end
            used.add(id(ed))
        pieces.append(text[pos:hi])
        ev = list(sp.evidence) + [_restoration_evidence(ed) for ed in inside]
        out.append(Span(lo, hi, text[lo:hi], "".join(pieces), sp.score, ev))
    for ed in edits:
        s, e = ed.start, ed.end
        if id(ed) not in used and ed.confidence >= 0.9 and not any(s < x.end and e > x.start for x in out):
            out.append(Span(s, e, text[s:e], ed.original, score * ed.confidence * 0.5, [_restoration_evidence(ed)]))
    out.sort(key=lambda x: x.start)
    merged: list[Span] = []
    for sp in out:
        if merged and sp.start < merged[-1].end:
            continue
        merged.append(sp)
    return merged


def edit_spans(text: str, spans: list[Span], score: float, edits: list[Edit]) -> list[Span]:
    """``spans`` plus a span for every edit that overlaps none of them (its score ``score``
    times the edit's confidence, restoration's edit its evidence), in text order."""
    out = list(spans)
    for ed in sorted(edits, key=lambda x: x.start):
        if not any(ed.start < sp.end and ed.end > sp.start for sp in out):
            out.append(Span(ed.start, ed.end, text[ed.start:ed.end], ed.original, score * ed.confidence,
                            [_restoration_evidence(ed)]))
    out.sort(key=lambda x: x.start)
    return out


def unguessed(sp: Span) -> Span:
    """``sp`` without the scan's word-by-word guess at its original (kept: a fingerprint's
    correct term). The guesses are each word's best thesaurus neighbour, chosen alone: right for
    4 of 71 spans of the wild-dev articles, and often not English ("overall variety" -> "total
    kind"). Restoration's edits are the originals a person is shown."""
    if not sp.original or any(ev.get("kind") == "fingerprint" for ev in sp.evidence):
        return sp
    return dataclasses.replace(sp, original="")


def _restoration_evidence(ed: Edit) -> dict:
    return {"kind": "restoration", "spun": ed.spun, "original": ed.original,
            "confidence": ed.confidence, "sources": list(ed.evidence)}


def fingerprint_spans(hits: list, score: float) -> list[Span]:
    """The fingerprint-only mode's spans: one per hit, its correct term as the likely original."""
    return [Span(h.start, h.end, h.tortured, h.correct, score,
                 [{"kind": "fingerprint", "list": h.source, "entry": h.entry, "correct": h.correct}])
            for h in hits]


class TopSpans:
    """The ``limit`` highest-scoring spans of a long text, collected window by window (so the
    result stays bounded however long the text), shifted to whole-text offsets."""

    def __init__(self, limit: int):
        self.limit = limit
        self.seen = 0
        self._heap: list[tuple[float, int, Span]] = []

    def add(self, spans: list[Span], offset: int) -> None:
        for sp in spans:
            self.seen += 1
            item = (sp.score, self.seen, dataclasses.replace(sp, start=sp.start + offset, end=sp.end + offset))
            if len(self._heap) < self.limit:
                heapq.heappush(self._heap, item)
            elif item[0] > self._heap[0][0]:
                heapq.heapreplace(self._heap, item)

    def result(self, scale: float = 1.0) -> list[Span]:
        """The kept spans in text order, their scores times ``scale`` (the document score, when
        it was not known while they were collected); those under MIN_SPAN_SCORE dropped."""
        out = [dataclasses.replace(sp, score=sp.score * scale) for _, _, sp in self._heap]
        return sorted((sp for sp in out if sp.score >= MIN_SPAN_SCORE), key=lambda sp: sp.start)
