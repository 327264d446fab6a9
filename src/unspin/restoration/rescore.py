"""Re-score the decoder's candidate windows with a neural causal LM (optional backend).

The 3-gram lattice proposes; for every position that has surviving candidates, the neural
model scores ``left context (window words) + option + right context (right words)`` for "keep"
and each candidate, and the decision adds the neural log-probability to the 3-gram window score
and the same channel score. A short right context works better on spun text: the neural model
adapts to the spun wording around a window and starts to find spun readings likely.
Only these few windows reach the neural model, which keeps it affordable on a CPU.
"""

from __future__ import annotations

from .decode import Choice, Decoder


class NeuralRescorer:
    def __init__(self, spec: str, decoder: Decoder, window: int = 12, right: int = 4):
        from ..scorers import get_scorer

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
            lm = self.scorer.score_continuations(left, texts)
            d = self.decoder
            totals = [s + d.lm_weight * d.window_score(words, i, o.n, o.words) + o.channel
                      for s, o in zip(lm, row)]
            best = max(range(len(row)), key=totals.__getitem__)
            if best == 0:
                i += 1
                continue
            o = row[best]
            out.append(Choice(o.start, o.n, o.words, o.candidate, totals[best] - totals[0]))
            i += o.n
        return out
