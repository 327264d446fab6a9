"""Re-score the decoder's candidate windows with a neural causal LM (optional backend).

The 3-gram lattice proposes; for every position that has surviving candidates, the neural
model scores ``left context (window words) + option + right context (right words)`` for "keep"
and each candidate, and the decision adds the neural log-probability to the 3-gram window score
and the same channel score. A short right context works better on spun text: the neural model
adapts to the spun wording around a window and starts to find spun readings likely.
Only these few windows reach the neural model, which keeps it affordable on a CPU.
"""

from __future__ import annotations

from ..lang.words import FUNCTION_WORDS
from .decode import Choice, Decoder, Option
from .sources import Candidate


class NeuralRescorer:
    def __init__(self, spec: str, decoder: Decoder, window: int = 12, right: int = 4, compose: bool = True):
        from ..scorers import get_scorer

        self.compose = compose
        self.scorer = get_scorer(spec)
        self.decoder = decoder
        self.window = window
        self.right = right

    def rescore(self, words: list[str], joinable: list[bool], protected: list[bool],
                boost: float = 0.0, bonus=None, unsupported: float = 1.0) -> list[Choice]:
        opts = self.decoder.options(words, joinable, protected, boost, bonus, unsupported)
        W = self.window
        out: list[Choice] = []
        i = 0
        while i < len(words):
            row = opts[i]
            if len(row) == 1:
                i += 1
                continue
            # the right context ends at the same input position for every option
            far = min(len(words), i + max(o.n for o in row) + self.right)
            left = " ".join(words[max(0, i - W):i])
            texts = [" ".join(list(o.words) + words[i + o.n:far]) for o in row]
            o, margin = self._decide(words, i, row, left, texts)
            if o is None:
                i += 1
                continue
            out.append(Choice(o.start, o.n, o.words, o.candidate, margin))
            i += o.n
        return out

    def _decide(self, words: list[str], i: int, row: list, prefix: str, texts: list[str]):
        """The best of ``row`` (keep first) at position ``i``: neural log-probability of each
        reading after ``prefix``, plus the 3-gram window score and the channel; (None, 0) when
        keeping wins, else (option, its margin over keeping)."""
        d = self.decoder
        lm = self.scorer.score_continuations(prefix, texts)
        totals = [s + d.lm_weight * d.window_score(words, i, o.n, o.words) + o.channel
                  for s, o in zip(lm, row)]
        best = max(range(len(row)), key=totals.__getitem__)
        return (None, 0.0) if best == 0 else (row[best], totals[best] - totals[0])

    # Document decoding's last pass (:meth:`rerank`): how many candidates a doubtful place
    # puts to the neural model besides keeping the input, and what "doubtful" means (nats).
    RERANK_CANDIDATES = 3
    DOUBT = 3.0

    def rerank(self, words: list[str], joinable: list[bool], protected: list[bool], first: list[Choice],
               boost: float = 0.0, bonus=None, unsupported: float = 1.0) -> list[Choice]:
        """Re-decide the doubtful places of a finished 3-gram decoding ``first`` with the neural
        model, in context that is already restored: the left context is this pass's reading so
        far, the right context the first pass's reading. A causal LM prefers the original far
        more often in restored context than in spun context (docs/neural.md), and only places
        whose 3-gram decision is within ``DOUBT`` nats (an edit made by a small margin, or a
        candidate that nearly won) reach it, with the ``RERANK_CANDIDATES`` best candidates."""
        opts = self.decoder.options(words, joinable, protected, boost, bonus, unsupported)
        if self.compose:
            for i, extra in self._compositions(words, joinable, protected, boost * unsupported):
                opts[i].extend(extra)
        chosen = {c.start: c for c in first}
        out: list[Choice] = []
        left: list[str] = []
        i, N = 0, len(words)
        while i < N:
            c = chosen.get(i)
            row = self._doubtful(opts[i], c)
            if not row:
                if c is not None:
                    out.append(c)
                    left.extend(c.words)
                    i += c.n
                else:
                    left.append(words[i])
                    i += 1
                continue
            far = i + max(o.n for o in row)
            tail = self._reading(words, chosen, far, self.right)
            texts = [" ".join(list(o.words) + words[i + o.n:far] + tail) for o in row]
            o, margin = self._decide(words, i, row, " ".join(left[-self.window:]), texts)
            if o is None:
                left.append(words[i])
                i += 1
                continue
            out.append(Choice(o.start, o.n, o.words, o.candidate, margin))
            left.extend(o.words)
            i += o.n
        return out

    # Compositions (:meth:`_compositions`): neighbours per word, and readings per word pair
    # that reach the neural model.
    COMPOSE_NEIGHBOURS = 8
    COMPOSE_READINGS = 2

    def _compositions(self, words: list[str], joinable: list[bool], protected: list[bool], boost: float):
        """Two-word readings where each word is one of its own best thesaurus neighbours
        ("counterfeit consciousness" -> "artificial intelligence"): a tortured phrase is made
        word by word, so the original pair is rarely reached one word at a time. The 3-gram and
        the channel pick the ``COMPOSE_READINGS`` best pairs; the neural model decides, as for
        any other option (Option.local is the 3-gram's view)."""
        d = self.decoder
        prior, seq, lmw = d.channel.prior, d.lm.sequence, d.lm_weight
        for i in range(len(words) - 1):
            a, b = words[i], words[i + 1]
            if (protected[i] or protected[i + 1] or not joinable[i]
                    or a in FUNCTION_WORDS or b in FUNCTION_WORDS):
                continue
            pa = prior((a,), True)[:self.COMPOSE_NEIGHBOURS]
            pb = prior((b,), True)[:self.COMPOSE_NEIGHBOURS]
            if not pa or not pb:
                continue
            p2 = words[i - 2] if i >= 2 else "<s>"
            p1 = words[i - 1] if i >= 1 else "<s>"
            follow = words[i + 2:i + 4]
            base = seq([a, b] + follow, p1, p2)
            scored = []
            for ca, x in pa:
                for cb, y in pb:
                    if len(x.words) + len(y.words) != 2:
                        continue
                    ch = ca + cb + 2 * boost
                    local = lmw * (seq([x.words[0], y.words[0]] + follow, p1, p2) - base) + ch
                    scored.append((local, ch, x, y))
            scored.sort(key=lambda t: -t[0])
            yield i, [Option(i, 2, x.words + y.words, ch,
                             Candidate(x.words + y.words, x.flags | y.flags, x.support + y.support,
                                       bold=x.bold or y.bold), local)
                      for local, ch, x, y in scored[:self.COMPOSE_READINGS]]

    def _doubtful(self, row, chosen: Choice | None) -> list:
        """Keep plus the candidates worth the neural model's time at this place, or [] when the
        3-gram's decision is clear."""
        cands = sorted(row[1:], key=lambda o: -o.local)
        if chosen is None:
            if not cands or cands[0].local <= -self.DOUBT:
                return []
        elif chosen.margin >= self.DOUBT:
            return []
        picked = cands[:self.RERANK_CANDIDATES]
        if chosen is not None and all(o.words != chosen.words or o.n != chosen.n for o in picked):
            hit = [o for o in cands if o.words == chosen.words and o.n == chosen.n]
            if not hit:
                return []  # the first pass saw options this pass does not: keep its decision
            picked.append(hit[0])
        return [row[0]] + picked

    @staticmethod
    def _reading(words: list[str], chosen: dict, start: int, limit: int) -> list[str]:
        """Up to ``limit`` words of the first pass's reading from input position ``start``."""
        out: list[str] = []
        j = start
        while j < len(words) and len(out) < limit:
            c = chosen.get(j)
            if c is not None:
                out.extend(c.words)
                j += c.n
            else:
                out.append(words[j])
                j += 1
        return out[:limit]
