"""Decoding one sentence: a lattice of candidate readings and a beam Viterbi over it.

For each position the lattice holds "keep the input" and a few candidate originals (single
words or phrases, possibly covering several input tokens). A reading's score is

    lm_weight * ln P_LM(reading) + sum over edits of channel(edit)

where the channel score (:mod:`unspin.restoration.channel`) says how plausibly a spinner
turned the original into what we see, minus a fixed cost that keeps the input unless the
evidence is strong. Adjacent choices are decoded jointly with a beam Viterbi over trigram
states.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..lang.lm import NGramLM
from .candidates import Candidate
from .channel import Channel


@dataclass(slots=True)
class Option:
    start: int            # token index
    n: int                # input tokens covered
    words: tuple[str, ...]
    channel: float        # 0 for "keep"
    candidate: Candidate | None
    local: float = 0.0    # channel plus the LM gain over keeping the input, in this window


@dataclass(slots=True)
class Choice:
    start: int
    n: int
    words: tuple[str, ...]
    candidate: Candidate
    margin: float         # score(best path) - score(same path keeping the input here), local estimate


class Decoder:
    def __init__(self, lm: NGramLM, channel: Channel, max_candidates: int = 6, beam: int = 8,
                 prune_margin: float = 4.0, wide: bool = False):
        self.lm = lm
        self.channel = channel
        self.gen = channel.gen
        self.max_candidates = max_candidates
        self.beam = beam
        self.prune_margin = prune_margin
        self.wide = wide  # draw on the channel's wide candidate list (Channel.prior)
        # Sentence words -> {(start, length): (LM score of the span as it is, {candidate words:
        # LM gain}), "empty": (channel epoch, {(start, length) with no candidate})}. A document
        # is decoded several times (the detector's gate restores its doubtful sentences, then
        # the document is decoded boldly, then with its ties), each pass with other edit costs
        # but the same LM scores, which are most of the time.
        self._lm_memo: dict[tuple[str, ...], dict] = {}

    MEMO_SENTENCES = 2048  # bounded: only a document's own sentences are read again

    @property
    def lm_weight(self) -> float:
        return self.channel.w.lm

    def window_score(self, words: list[str], i: int, n: int, repl: tuple[str, ...]) -> float:
        """LM score of ``repl`` in place of words[i:i+n], plus the two following words."""
        lm = self.lm
        p2 = words[i - 2] if i >= 2 else "<s>"
        p1 = words[i - 1] if i >= 1 else "<s>"
        seq = list(repl) + words[i + n:i + n + 2]
        if i + n + 2 > len(words):
            seq.append("</s>")
        return lm.sequence(seq, p1, p2)

    def options(self, words: list[str], joinable: list[bool], protected: list[bool],
                boost: float = 0.0, bonus: Mapping | None = None, unsupported: float = 1.0) -> list[list[Option]]:
        """Per start position: keep, plus candidates that survive local pruning.

        ``joinable[i]`` says whether tokens i and i+1 are separated by plain spaces only
        (a phrase may cover them). ``protected[i]`` (numbers, names, acronyms) admits only
        learned or fingerprint evidence. ``boost`` lowers the cost of every edit (for a document
        already shown to be spun). ``bonus``: extra channel score per (spun span, original)
        pair wherever it occurs (the document's own evidence, :mod:`unspin.restoration.document`).
        ``unsupported``: the share of ``boost`` a candidate only the thesaurus proposes gets.
        """
        N = len(words)
        opts: list[list[Option]] = []
        lmw = self.channel.w.lm
        sequence = self.lm.sequence
        prior_of = self.channel.prior
        wide = self.wide
        top_bonus = max(max(bonus.values(), default=0.0), 0.0) if bonus else 0.0
        key = tuple(words)
        memo = self._lm_memo.get(key)
        if memo is None:
            if len(self._lm_memo) >= self.MEMO_SENTENCES:
                self._lm_memo.clear()
            memo = self._lm_memo[key] = {}
        # Spans of this sentence with no candidate at all, as of the channel's epoch: most
        # multi-word spans are no known phrase, and asking the sources again on every pass
        # over the sentence cost a tenth of restoring a spun document.
        empty = memo.get("empty")
        if empty is None or empty[0] != self.channel.epoch:
            empty = memo["empty"] = (self.channel.epoch, set())
        empty = empty[1]
        for i in range(N):
            row = [Option(i, 1, (words[i],), 0.0, None)]
            scored = []
            p2 = words[i - 2] if i >= 2 else "<s>"
            p1 = words[i - 1] if i >= 1 else "<s>"
            for n in range(1, self.gen.max_words + 1):
                if i + n > N or (n > 1 and not joinable[i + n - 2]):
                    break
                if (i, n) in empty:
                    continue
                spun = tuple(words[i:i + n])
                if any(protected[i:i + n]):
                    if not self.gen.may_have_exact_learned(spun):
                        continue  # fast path: the filter below would leave nothing
                    prior = prior_of(spun, wide)
                    if not prior:
                        empty.add((i, n))
                    prior = [(ch, c) for ch, c in prior if c.exact]
                else:
                    prior = prior_of(spun, wide)
                    if not prior:
                        empty.add((i, n))
                if not prior:
                    continue
                # window_score(words, i, n, ·), inlined: the context is shared by the candidates
                follow = words[i + n:i + n + 2]
                if i + n + 2 > N:
                    follow.append("</s>")
                known = memo.get((i, n))
                if known is None:
                    known = memo[(i, n)] = (sequence(list(spun) + follow, p1, p2), {})
                base, gains = known
                # No reading scores above 0, so no candidate gains more than -base: once the
                # channel (the prior is sorted by it) can't reach the pruning margin, stop.
                reach = -self.prune_margin - boost - top_bonus + lmw * base if lmw > 0 else -math.inf
                for ch, c in prior:
                    if ch <= reach:
                        break
                    if bonus:
                        ch += bonus.get((spun, c.words), 0.0)
                    b = boost if c.support and c.bold else boost * unsupported
                    gain = gains.get(c.words)
                    if gain is None:
                        gain = gains[c.words] = sequence(list(c.words) + follow, p1, p2) - base
                    local = lmw * gain + ch + b
                    scored.append((local, n, c, ch + b))
            scored.sort(key=lambda x: -x[0])
            for local, n, c, ch in scored[: self.max_candidates]:
                if local > -self.prune_margin:
                    row.append(Option(i, n, c.words, ch, c, local))
            opts.append(row)
        return opts

    def decode(self, words: list[str], joinable: list[bool], protected: list[bool],
               boost: float = 0.0, bonus: Mapping | None = None, unsupported: float = 1.0) -> list[Choice]:
        N = len(words)
        if N == 0:
            return []
        opts = self.options(words, joinable, protected, boost, bonus, unsupported)
        if all(len(r) == 1 for r in opts):
            return []
        lm = self.lm
        lmw = self.channel.w.lm
        # dp[i]: state (prev2, prev1) -> (score, back-pointer (i0, state0, option))
        dp: list[dict] = [dict() for _ in range(N + 1)]
        dp[0][("<s>", "<s>")] = (0.0, None)
        for i in range(N):
            if not dp[i]:
                continue
            states = sorted(dp[i].items(), key=lambda kv: -kv[1][0])[: self.beam]
            for state, (score, _) in states:
                for opt in opts[i]:
                    p2, p1 = state
                    s = score + opt.channel
                    for wd in opt.words:
                        s += lmw * lm.logp(wd, p1, p2)
                        p2, p1 = p1, wd
                    j = i + opt.n
                    key = (p2, p1)
                    cur = dp[j].get(key)
                    if cur is None or s > cur[0]:
                        dp[j][key] = (s, (i, state, opt))
        best_state, best = None, -math.inf
        for state, (score, _) in dp[N].items():
            s = score + lmw * lm.logp("</s>", state[1], state[0])
            if s > best:
                best_state, best = state, s
        path: list[Option] = []
        j, state = N, best_state
        while j > 0:
            _, back = dp[j][state]
            i, state, opt = back
            path.append(opt)
            j = i
        path.reverse()
        out_words: list[str] = []
        choices = []
        for opt in path:
            if opt.candidate is not None:
                choices.append((opt, len(out_words)))
            out_words.extend(opt.words)
        result = []
        for opt, k in choices:
            result.append(Choice(opt.start, opt.n, opt.words, opt.candidate,
                                 self._margin(out_words, k, opt, words)))
        return result

    def _margin(self, out: list[str], k: int, opt: Option, words: list[str]) -> float:
        """How much better the chosen reading is than keeping the input at this spot, with the
        rest of the decoded sentence as context."""
        lm, lmw = self.lm, self.channel.w.lm
        left = out[:k]
        right = out[k + len(opt.words):][:2]
        p2 = left[-2] if len(left) >= 2 else "<s>"
        p1 = left[-1] if left else "<s>"
        tail = right + (["</s>"] if len(out) - (k + len(opt.words)) <= 2 else [])
        with_edit = lm.sequence(list(opt.words) + tail, p1, p2)
        keep = lm.sequence(words[opt.start:opt.start + opt.n] + tail, p1, p2)
        return lmw * (with_edit - keep) + opt.channel
