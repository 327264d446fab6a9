"""Noisy-channel decoding of one sentence.

For each position the lattice holds "keep the input" and a few candidate originals (single
words or phrases, possibly covering several input tokens). A reading's score is

    lm_weight * ln P_LM(reading) + sum over edits of channel(edit)

where ``channel`` is a log-linear score of how plausibly a spinner turned the original into
what we see (learned substitutions, thesaurus relations and their direction, frequency shift)
minus a fixed cost that keeps the input unless the evidence is strong. Adjacent choices are
decoded jointly with a beam Viterbi over trigram states.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields

from ..lang import formdata
from ..lang.morph import lemmas
from ..lang.words import FUNCTION_WORDS  # editing one on its own needs learned evidence
from .candidates import Candidate, CandidateGenerator
from ..lang.lexicon import MOBY_HEAD_LISTS_SPUN, MOBY_SPUN_LISTS_HEAD, WORDNET_SYNONYM
from ..lang.lm import NGramLM



@dataclass
class Weights:
    """Channel and decision weights (natural-log units). Set by hand and by a small grid over
    wild-dev scored leave-one-article-out (docs/quality.md); ``tools/tune_restore.py`` fits them
    by regression, which has not beaten these yet. ``data/weights.json``, when present, overrides."""

    lm: float = 1.0
    bias: float = -13.0          # cost of any edit: the input is kept unless evidence outweighs it
    table: float = 5.5           # per ln(1 + learned count) of this exact substitution
    table_lemma: float = 2.5     # per ln(1 + learned count) at lemma level
    fingerprint: float = 15.0     # a curated list: one hit alone carries the edit unless the LM strongly objects
    moby_head: float = 1.0       # the original's thesaurus entry lists the spun word (spinner's direction)
    moby_spun: float = 0.3
    wordnet: float = 0.8
    zipf: float = 0.4            # per unit of zipf frequency the original is more common than the spun form
    length: float = -0.5         # per word of length change
    function_word: float = -3.0  # the spun side is a lone function word and no table supports it
    table_function: float = -4.0  # per ln(1 + learned count) when the spun side is only function words
    spun_zipf: float = -0.3      # per zipf unit the spun form is more common than 4 (common words are rarely spins)
    to_function_word: float = -3.0  # a content word "restored" to a function word, unsupported
    pos_mismatch: float = -2.0   # no shared part of speech, unsupported

    @classmethod
    def from_dict(cls, d: dict) -> "Weights":
        names = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in d.items() if k in names})


@functools.lru_cache(maxsize=1 << 18)
def _zipf(words: tuple[str, ...]) -> float:
    return formdata.zipf(words)  # = zipf_frequency(" ".join(words), "en"), precomputed where possible


def _share_pos(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two single words can be the same part of speech (phrases: assumed yes)."""
    if len(a) != 1 or len(b) != 1:
        return True
    pa, pb = lemmas(a[0]), lemmas(b[0])
    if not pa or not pb:
        return True
    return bool(set(pa) & set(pb))


@dataclass(slots=True)
class Option:
    start: int            # token index
    n: int                # input tokens covered
    words: tuple[str, ...]
    channel: float        # 0 for "keep"
    candidate: Candidate | None


@dataclass(slots=True)
class Choice:
    start: int
    n: int
    words: tuple[str, ...]
    candidate: Candidate
    margin: float         # score(best path) - score(same path keeping the input here), local estimate


class Decoder:
    MIN_ZIPF = 4.0  # thesaurus-only originals must be at least this common (wordfreq zipf)
    CACHE_LIMIT = 300_000

    def __init__(self, lm: NGramLM, generator: CandidateGenerator, weights: Weights,
                 max_candidates: int = 6, beam: int = 8, prune_margin: float = 4.0,
                 min_zipf: float = MIN_ZIPF, min_zipf_gain: float = 0.5):
        self.min_zipf = min_zipf
        self.min_zipf_gain = min_zipf_gain
        self.lm = lm
        self.gen = generator
        self.w = weights
        self.max_candidates = max_candidates
        # Candidates per span kept by channel score before the LM sees them (the LM scores
        # every one of them at every occurrence: this is the main cost of decoding).
        self.prior_limit = 3 * max_candidates
        self.beam = beam
        self.prune_margin = prune_margin
        self._prior_cache: dict[tuple[str, ...], list[tuple[float, Candidate]]] = {}

    # -- channel -------------------------------------------------------------------------
    def features(self, spun: tuple[str, ...], c: Candidate) -> dict[str, float]:
        """Context-free features of "a spinner turned ``c`` into ``spun``" (names match Weights)."""
        spun_fw = len(spun) == 1 and spun[0] in FUNCTION_WORDS
        learned = bool(c.table or c.table_lemma or c.fingerprint)
        return {
            "bias": 1.0,
            "table": math.log1p(c.table),
            "table_lemma": math.log1p(c.table_lemma),
            "fingerprint": float(c.fingerprint),
            "moby_head": float(bool(c.flags & MOBY_HEAD_LISTS_SPUN)),
            "moby_spun": float(bool(c.flags & MOBY_SPUN_LISTS_HEAD)),
            "wordnet": float(bool(c.flags & WORDNET_SYNONYM)),
            "zipf": _zipf(c.words) - _zipf(spun),
            "spun_zipf": _zipf(spun) - 4.0,
            "length": float(abs(len(c.words) - len(spun))),
            "function_word": float(spun_fw and not learned),
            # "within"->"in", "have been"->"were": real spinner habits, but the spun side is
            # common in clean text too, so a learned count says less there.
            "table_function": (math.log1p(c.table) + math.log1p(c.table_lemma)
                               if all(x in FUNCTION_WORDS for x in spun) else 0.0),
            "to_function_word": float(not learned and not spun_fw
                                      and any(x in FUNCTION_WORDS for x in c.words)
                                      and not any(x in FUNCTION_WORDS for x in spun)),
            "pos_mismatch": float(not learned and not _share_pos(spun, c.words)),
        }

    def channel(self, spun: tuple[str, ...], c: Candidate) -> float:
        w = self.w
        if c.table or c.table_lemma or c.fingerprint:
            return sum(getattr(w, k) * v for k, v in self.features(spun, c).items() if v)
        # Thesaurus-only candidates (nearly all of them): the same sum as over features(),
        # term by term in the same order, without building the dict (tests check equality).
        zs, zc = _zipf(spun), _zipf(c.words)
        flags = c.flags
        s = w.bias
        if flags & MOBY_HEAD_LISTS_SPUN:
            s += w.moby_head
        if flags & MOBY_SPUN_LISTS_HEAD:
            s += w.moby_spun
        if flags & WORDNET_SYNONYM:
            s += w.wordnet
        s += w.zipf * (zc - zs)
        s += w.spun_zipf * (zs - 4.0)
        s += w.length * float(abs(len(c.words) - len(spun)))
        if len(spun) == 1 and spun[0] in FUNCTION_WORDS:
            s += w.function_word
        elif (any(x in FUNCTION_WORDS for x in c.words)
              and not any(x in FUNCTION_WORDS for x in spun)):
            s += w.to_function_word
        if not _share_pos(spun, c.words):
            s += w.pos_mismatch
        return s

    def plausible(self, spun: tuple[str, ...], c: Candidate) -> bool:
        """Hard channel constraints for thesaurus-only candidates: the original must be a common
        word, linked in the spinner's direction (or by WordNet), and more common than what we
        see by ``min_zipf_gain``. Real spinners also swap words of equal frequency (home/house:
        about a quarter of wild-dev's swaps are lost here, ``tools/restore_ceiling.py``);
        ``min_zipf_gain=-0.5`` admits them, which gained repair on synthetic spins (+0.015) but
        none on wild-dev, at 20-45 % of the speed, so the default keeps the filter."""
        if c.table or c.table_lemma or c.fingerprint:
            return True
        zc = _zipf(c.words)
        return (zc >= self.min_zipf and zc - _zipf(spun) >= self.min_zipf_gain
                and bool(c.flags & (MOBY_HEAD_LISTS_SPUN | WORDNET_SYNONYM)))

    def prior(self, spun: tuple[str, ...]) -> list[tuple[float, Candidate]]:
        """Context-free channel scores of a span's candidates, best first (cached per form)."""
        p = self._prior_cache.get(spun)
        if p is None:
            if len(spun) > 1 and not self.gen.may_have(spun):
                return []  # most word sequences are no known phrase; don't cache them
            if len(self._prior_cache) > self.CACHE_LIMIT:
                self._prior_cache.clear()  # bounded memory on endless streams
            # Learned and fingerprint originals may be words the 3-gram never saw (technical terms).
            cands = [c for c in self.gen.candidates(spun)
                     if self.plausible(spun, c)  # (both tests are pure: the cheaper-to-fail first)
                     and (c.fingerprint or c.table or self.lm.known_all(c.words))]
            p = sorted(((self.channel(spun, c), c) for c in cands), key=lambda x: -x[0])
            p = p[: self.prior_limit]
            self._prior_cache[spun] = p
        return p

    # -- lattice -------------------------------------------------------------------------
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
                boost: float = 0.0) -> list[list[Option]]:
        """Per start position: keep, plus candidates that survive local pruning.

        ``joinable[i]`` says whether tokens i and i+1 are separated by plain spaces only
        (a phrase may cover them). ``protected[i]`` (numbers, names, acronyms) admits only
        learned or fingerprint evidence. ``boost`` lowers the cost of every edit (for a document
        already shown to be spun).
        """
        N = len(words)
        opts: list[list[Option]] = []
        lmw = self.w.lm
        sequence = self.lm.sequence
        for i in range(N):
            row = [Option(i, 1, (words[i],), 0.0, None)]
            scored = []
            p2 = words[i - 2] if i >= 2 else "<s>"
            p1 = words[i - 1] if i >= 1 else "<s>"
            for n in range(1, self.gen.max_words + 1):
                if i + n > N or (n > 1 and not joinable[i + n - 2]):
                    break
                spun = tuple(words[i:i + n])
                if any(protected[i:i + n]):
                    if not self.gen.may_have_exact_learned(spun):
                        continue  # fast path: the filter below would leave nothing
                    prior = [(ch, c) for ch, c in self.prior(spun) if c.table or c.fingerprint]
                else:
                    prior = self.prior(spun)
                if not prior:
                    continue
                # window_score(words, i, n, ·), inlined: the context is shared by the candidates
                follow = words[i + n:i + n + 2]
                if i + n + 2 > N:
                    follow.append("</s>")
                base = sequence(list(spun) + follow, p1, p2)
                # No reading scores above 0, so no candidate gains more than -base: once the
                # channel (the prior is sorted by it) can't reach the pruning margin, stop.
                reach = -self.prune_margin - boost + lmw * base if lmw > 0 else -math.inf
                for ch, c in prior:
                    if ch <= reach:
                        break
                    local = lmw * (sequence(list(c.words) + follow, p1, p2) - base) + ch + boost
                    scored.append((local, n, c, ch))
            scored.sort(key=lambda x: -x[0])
            for local, n, c, ch in scored[: self.max_candidates]:
                if local > -self.prune_margin:
                    row.append(Option(i, n, c.words, ch + boost, c))
            opts.append(row)
        return opts

    def decode(self, words: list[str], joinable: list[bool], protected: list[bool],
               boost: float = 0.0) -> list[Choice]:
        N = len(words)
        if N == 0:
            return []
        opts = self.options(words, joinable, protected, boost)
        if all(len(r) == 1 for r in opts):
            return []
        lm = self.lm
        lmw = self.w.lm
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
        lm, lmw = self.lm, self.w.lm
        left = out[:k]
        right = out[k + len(opt.words):][:2]
        p2 = left[-2] if len(left) >= 2 else "<s>"
        p1 = left[-1] if left else "<s>"
        tail = right + (["</s>"] if len(out) - (k + len(opt.words)) <= 2 else [])
        with_edit = lm.sequence(list(opt.words) + tail, p1, p2)
        keep = lm.sequence(words[opt.start:opt.start + opt.n] + tail, p1, p2)
        return lmw * (with_edit - keep) + opt.channel
