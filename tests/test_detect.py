import importlib
import json
import math
from pathlib import Path

import pytest

import unspin
from unspin.evaluation import metrics
from unspin.results import Detection, Span, risk_label

D = importlib.import_module("unspin.detection.detector")
M = importlib.import_module("unspin.detection.model")
S = importlib.import_module("unspin.detection.scan")
SP = importlib.import_module("unspin.detection.spans")
ROOT = Path(__file__).resolve().parents[1]

# Plain prose written for these tests (not from any data set).
CLEAN = (
    "The city council met on Tuesday evening to discuss the new budget for the coming year. "
    "Members said the plan would raise spending on schools and roads, while cutting costs in other areas. "
    "Several residents spoke at the meeting and asked the council to keep the public library open on weekends. "
    "The mayor told reporters that the final vote will take place next month, after a second public hearing. "
    "Local business owners have welcomed the proposal, saying that better roads will help bring more visitors "
    "to the town centre. Some people worry that the changes could lead to higher taxes in the future, but "
    "officials said there are no plans for a tax increase. The council also agreed to start work on a new "
    "park near the river, which is expected to open in the spring."
)


def _spin(text, rate=0.6, seed=3):
    from unspin.evaluation.spinners import spin

    return spin(text, rate, seed, "moby")[0]


@pytest.fixture(scope="module")
def spun():
    return _spin(CLEAN)


@pytest.fixture(scope="module")
def light_spun():
    """A light spin the scan puts in the cascade's band (0.5 to under 0.99): restored by default."""
    return _spin(CLEAN, rate=0.2)


def _logit(p):
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


# ----------------------------------------------------------------------------- API

def test_public_function_and_result_shape(spun):
    d = unspin.detect(spun)
    assert isinstance(d, Detection)
    assert 0.0 <= d.score <= 1.0 and d.words > 100
    for s in d.spans:
        assert 0 <= s.start < s.end <= len(spun)
        assert spun[s.start:s.end] == s.text
        assert 0.0 <= s.score <= 1.0 and isinstance(s.evidence, list)
    assert [s.start for s in d.spans] == sorted(s.start for s in d.spans)
    json.loads(d.to_json())


def test_spun_scores_above_its_clean_original(spun):
    clean, spun_d = unspin.detect(CLEAN), unspin.detect(spun)
    assert spun_d.score > clean.score
    assert spun_d.score >= 0.5 > clean.score
    assert len(spun_d.spans) > len(clean.spans)


def test_spans_point_at_substituted_words(spun):
    d = unspin.detect(spun)
    gold = metrics.gold_spans(spun, CLEAN)
    counts = metrics.span_scores([(s.start, s.end) for s in d.spans], gold, spun)
    m = metrics.span_metrics([counts])
    assert m["span_precision"] >= 0.5 and m["span_recall"] >= 0.3, m


def test_short_texts_get_less_extreme_scores(spun):
    long_d = unspin.detect(spun)
    short_d = unspin.detect(" ".join(spun.split()[:12]))
    assert abs(_logit(short_d.score)) < abs(_logit(long_d.score))
    assert short_d.note and "short" in short_d.note


def test_empty_and_whitespace():
    for t in ("", "   \n"):
        d = unspin.detect(t)
        assert d.score == 0.5 and d.spans == [] and not d.flagged() and d.label == "no text"


def test_non_str_rejected():
    with pytest.raises(TypeError):
        unspin.detect(b"bytes")


def test_fingerprint_hits_are_spans_with_the_correct_term():
    text = ("In this paper we apply counterfeit consciousness and profound learning to the data, "
            "and we train an irregular woodland on the features.")
    d = unspin.detect(text)
    fps = [e for s in d.spans for e in s.evidence if e["kind"] == "fingerprint"]
    assert {e["correct"] for e in fps} >= {"artificial intelligence", "random forest"}
    fast = unspin.detect(text, mode="fingerprints")
    assert fast.mode == "fingerprints" and len(fast.spans) >= 3
    assert fast.spans[0].original.lower() == "artificial intelligence"
    off = unspin.detect(text, fingerprints=False)
    assert not any(e["kind"] == "fingerprint" for s in off.spans for e in s.evidence)


def test_more_fingerprint_hits_raise_the_fingerprint_only_score():
    base = "We describe the method and report the results of the study in detail. " * 8
    one = base + "We used counterfeit consciousness."
    many = base + " ".join(["We used counterfeit consciousness and profound learning."] * 4)
    s0 = unspin.detect(base, mode="fingerprints").score
    s1 = unspin.detect(one, mode="fingerprints").score
    s4 = unspin.detect(many, mode="fingerprints").score
    assert s0 < s1 < s4


def test_user_fingerprint_list(tmp_path):
    p = tmp_path / "fp.json"
    p.write_text(json.dumps({"phrases": [{"tortured": "colossal information", "correct": "big data"}]}))
    d = unspin.detect("We study colossal information sets.", fingerprint_files=[str(p)])
    ev = [e for s in d.spans for e in s.evidence if e["kind"] == "fingerprint"]
    assert ev and ev[0]["correct"] == "big data" and ev[0]["list"] == str(p)
    assert any("big data" in s.original.lower() for s in d.spans)
    # One hit in a five-word text: evidence, not certainty.
    assert 0.5 < d.score < 0.99


def test_restore_option(spun):
    b = unspin.detect(spun, restore=True)
    clean = unspin.detect(CLEAN, restore=True)
    assert b.score > clean.score
    assert "edit_rate" in b.features
    for s in b.spans:
        assert spun[s.start:s.end] == s.text
    assert any(e["kind"] == "restoration" for s in b.spans for e in s.evidence)


def test_default_cascade_escalates_only_documents_the_scan_flags(light_spun):
    spun = light_spun
    fast_spun, fast_clean = unspin.detect(spun, fast=True), unspin.detect(CLEAN, fast=True)
    assert D.Detector.SETTLED_AT > fast_spun.score >= D.Detector.ESCALATE_AT > fast_clean.score, \
        "test texts no longer bracket the band"
    assert "edit_rate" not in fast_spun.features
    # Escalated: scored like the thorough mode; not escalated: the scan's score, unchanged.
    assert unspin.detect(spun).score == pytest.approx(unspin.detect(spun, restore=True).score)
    assert "edit_rate" in unspin.detect(spun).features
    assert unspin.detect(spun).restored and not fast_spun.restored and not unspin.detect(CLEAN).restored
    assert unspin.detect(spun).to_dict()["restored"] is True
    assert unspin.detect(CLEAN).score == pytest.approx(fast_clean.score)
    assert D.Detector(escalate=None).detect(spun).score == pytest.approx(fast_spun.score)
    # A scan score at or above ``settled`` is final: no restoration, the scan's score and spans,
    # without the scan's word-by-word guesses at their originals.
    settled = D.Detector(settled=fast_spun.score).detect(spun)
    assert settled.score == pytest.approx(fast_spun.score) and "edit_rate" not in settled.features
    assert [(s.start, s.end) for s in settled.spans] == [(s.start, s.end) for s in fast_spun.spans]
    assert any(s.original for s in fast_spun.spans) and not any(s.original for s in settled.spans)
    # Restored: an original is restoration's edit (or a fingerprint's term), never a guess.
    for s in unspin.detect(spun).spans:
        assert not s.original or {e["kind"] for e in s.evidence} & {"restoration", "fingerprint"}
    assert "edit_rate" in D.Detector(settled=fast_spun.score + 1e-6).detect(spun).features


def test_learned_swaps_send_a_low_scoring_document_to_restoration():
    import dataclasses

    from unspin.restoration.restorer import RestoreConfig, Restorer
    from unspin.restoration.table import SubstitutionTable

    table = SubstitutionTable.learn([("a", "They met within the hall.", "They met in the hall.")])
    text = CLEAN.replace(" in ", " within ")
    assert text.count(" within ") >= 3

    def detector(rate, tbl=table):
        model = dataclasses.replace(M.shipped_model(), swap_rate=rate)
        return D.Detector(model=model, restorer=Restorer(RestoreConfig(), table=tbl))

    det = detector(0.5)
    a = det.analyze(text)
    assert det.learned_swaps(a) >= 3  # "within" -> "in", which the 3-gram prefers in context
    assert det.learned_swaps(det.analyze(CLEAN)) == 0
    fast = D.Detector(escalate=None).detect(text).score
    assert fast < D.Detector.ESCALATE_AT, "test text no longer scores low in the scan"
    assert "edit_rate" in det.detect(text).features  # restored, scored by the thorough model
    assert "edit_rate" not in detector(1000.0).detect(text).features
    two = CLEAN.replace(" in ", " within ", 2)
    assert det.learned_swaps(det.analyze(two)) == 2 < D.Detector.MIN_SWAPS
    assert "edit_rate" not in det.detect(two).features  # two chance hits never decide
    assert "edit_rate" not in detector(None).detect(text).features
    no_table = D.Detector(model=det.model, restorer=Restorer(RestoreConfig(learned_table=False)))
    assert no_table.learned_swaps(a) == 0


def test_cli_fast_and_restore_exclude_each_other(run_cli, spun):
    code, _, err = run_cli(["detect", "--fast", "--restore"], spun.encode())
    assert code == 2 and "exclude" in err


def test_detection_flagged_is_the_flag_policy():
    hit = Span(0, 4, "text", "", 0.9)
    assert Detection(0.5, [], 200).flagged() and not Detection(0.49, [], 200).flagged()
    assert Detection(0.7, [], 200).flagged(0.7) and not Detection(0.7, [], 200).flagged(0.71)
    # Fingerprint-only mode: a score with no hit is no evidence, so never a flag.
    assert not Detection(0.9, [], 200, mode="fingerprints").flagged()
    assert Detection(0.9, [hit], 200, mode="fingerprints").flagged()
    assert not Detection(0.9, [hit], 200, mode="fingerprints").flagged(0.95)


def test_detect_config_is_frozen_and_equals_the_keyword_api(spun, tmp_path):
    import dataclasses

    cfg = unspin.DetectConfig(fast=True)
    assert unspin.DetectConfig is D.DetectConfig
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.fast = False
    p = tmp_path / "fp.json"
    p.write_text(json.dumps({"phrases": [{"tortured": "folks", "correct": "people"}]}))
    for opts in ({}, {"fast": True}, {"restore": True}, {"mode": "fingerprints"}, {"fingerprints": False},
                 {"fingerprint_files": [str(p)], "fast": True}):
        assert unspin.detect(spun, D.DetectConfig(**opts)).to_dict() == unspin.detect(spun, **opts).to_dict(), opts
    # Equal options are one configuration: one cached detector.
    assert D.DetectConfig(fingerprint_files=[p]) == D.DetectConfig(fingerprint_files=(str(p),))
    assert D.get_detector(D.DetectConfig(fast=1)) is D.get_detector(D.DetectConfig(fast=True))
    assert [D.DetectConfig(**o).label for o in ({}, {"fast": True}, {"restore": True}, {"mode": "fingerprints"})] == [
        "full", "fast", "full+restore", "fingerprints"]
    assert D.Detector(cfg).escalate is None and D.Detector().escalate == D.Detector.ESCALATE_AT
    with pytest.raises(TypeError):
        unspin.detect(spun, cfg, fast=True)
    with pytest.raises(ValueError):
        unspin.detect(spun, mode="other")


def test_restore_spans_restores_each_span_alone_in_text_offsets():
    from unspin.restoration.restorer import RestoreConfig, get_restorer

    text = "Intro line here. One resident mentioned at the least 12 folks have been killed within the assault."
    s = text.index("One")
    r = get_restorer(RestoreConfig())
    edits = r.restore_spans(text, [(0, 0), (s, len(text))])
    alone = r.restore(text[s:]).edits
    assert edits and [(e.start - s, e.end - s, e.spun, e.original, e.confidence) for e in edits] == [
        (e.start, e.end, e.spun, e.original, e.confidence) for e in alone]
    assert all(text[e.start:e.end] == e.spun for e in edits)


def test_risk_wording():
    assert risk_label(0.95) == "high risk of spinning"
    assert risk_label(0.1) == "no strong signs"


# ----------------------------------------------------------------------------- metrics

def test_auroc_and_tpr():
    assert metrics.auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert metrics.auroc([0.5, 0.5], [0, 1]) == 0.5
    neg = [i / 100 for i in range(100)]
    tpr, thr = metrics.tpr_at_fpr(neg + [0.995, 0.5], [0] * 100 + [1, 1], 0.01)
    assert thr == 0.98 and tpr == 0.5


def test_gold_spans_are_the_words_that_differ():
    spun = "the loss of life toll rose to 80"
    gold = metrics.gold_spans(spun, "the death toll rose to 80")
    assert [spun[s:e] for s, e in gold] == ["loss of life"]


def _analysis_with_probs(text, probs):
    """An Analysis whose token probabilities are set by hand (word -> p), scan left out."""
    from unspin.lang.tokenize import sentence_spans, tokenize

    toks = tokenize(text)
    sents = sentence_spans(text)
    evs = []
    for k, t in enumerate(toks):
        si = next(i for i, (s, e) in enumerate(sents) if s <= t.start < e)
        ev = S.TokenEvidence(k, t, si, eligible=t.lower not in S.STOP)
        ev.p = probs.get(t.lower, 0.0) if ev.eligible else 0.0
        evs.append(ev)
    return S.Analysis(text, toks, evs, [], len(toks))


def test_span_forming_hysteresis_and_function_word_bridge():
    text = "The loss of life toll rose. Health and fitness, and officials and residents agreed."
    a = _analysis_with_probs(text, {"loss": 0.5, "life": 0.12, "toll": 0.5, "health": 0.4, "fitness": 0.3,
                                    "officials": 0.05, "residents": 0.5})
    spans = lambda **kw: [s.text for s in SP.build_spans(a, 0.25, 1.0, **kw)]
    assert spans() == ["loss", "toll", "Health", "fitness", "residents"]
    # Hysteresis alone: "life" (>= low) joins its suspicious neighbour "toll"; "officials" (< low) does not.
    assert spans(low=0.1) == ["loss", "life toll", "Health", "fitness", "residents"]
    # Bridging one function word: "Health and fitness"; never over a content word ("life", below
    # the threshold), nor across a comma ("fitness, and officials").
    assert spans(gap=1) == ["loss", "toll", "Health and fitness", "residents"]
    assert spans(gap=1, low=0.1) == ["loss of life toll", "Health and fitness", "residents"]
    # Never across a sentence end, and a content word below the floor is never bridged.
    a2 = _analysis_with_probs("Rivers rose fast. Crowds came quickly home.", {"fast": 0.5, "crowds": 0.5,
                                                                              "quickly": 0.5, "came": 0.01})
    assert [s.text for s in SP.build_spans(a2, 0.25, 1.0, low=0.1, gap=2)] == ["fast", "Crowds", "quickly"]
    a3 = _analysis_with_probs("Health and fitness, and residents agreed.", {"health": 0.5, "fitness": 0.5,
                                                                              "residents": 0.5})
    assert [s.text for s in SP.build_spans(a3, 0.25, 1.0, gap=2)] == ["Health and fitness", "residents"]


def test_context_spinner_prefers_common_fitting_words():
    from unspin.evaluation.spinners import spin

    a, swaps = spin(CLEAN, 0.6, 5, "context")
    assert a == spin(CLEAN, 0.6, 5, "context")[0] and a != CLEAN and swaps  # seeded, and it spins
    # Its words are commoner than the uniform thesaurus draw's (3-gram unigram log-probability).
    from unspin.lang.lm import get_lm

    lm = get_lm()

    def mean_logp(pairs):
        words = [w for _, s in pairs for w in s.lower().split() if lm.known(w)]
        return sum(lm.unigram(w) for w in words) / len(words)

    assert mean_logp(swaps) > mean_logp(spin(CLEAN, 0.6, 5, "moby")[1]) + 1.0


def test_phrase_expansions_are_found_and_scored_against_one_word():
    det = D.get_detector(D.DetectConfig(fast=True))
    found = lambda text: [(text[a.tokens[p.first].start:a.tokens[p.first + p.length - 1].end], p.best, p.gain)
                          for a in [det.analyze(text)] for p in det.scanner.phrases(text, a.evidence)]
    hits = found("The team made use of the new tools and gave a hand to the farmers.")
    got = {phrase: (best, gain) for phrase, best, gain in hits}
    # An inflected first word still matches the lexicon's entry ("make use of").
    assert got["made use of"][0].endswith("ed")  # the neighbour inflected like "made"
    assert got["made use of"][1] > 0 and got["gave a hand"][1] > 0
    # Never across a sentence end or a line break.
    assert not [h for h in found("They had to make use. Of course it rained.") if h[0].startswith("make use")]
    assert not [h for h in found("They had to make use\nof the tools.") if h[0].startswith("make use")]
    # Nor over names and numbers, which spinners leave alone.
    assert not [h for h in found("Yesterday the Prime Minister said so.") if "Minister" in h[0]]
    assert [h for h in found("Yesterday the prime minister said so.") if "minister" in h[0]]
    # A phrase that reads much better as one word is a span of its own, explained as such.
    from unspin.report.views import evidence_text

    text = "The team made use of the new tools and gave a hand to the farmers."
    a = det.analyze(text)
    spans = SP.build_spans(a, 0.99, 1.0, phrase_p=0.8)
    ph = [sp for sp in spans if any(e["kind"] == "phrase" for e in sp.evidence)]
    assert ph and all(sp.score >= 0.8 for sp in ph) and "reads" in evidence_text(ph[0].evidence)
    assert not [sp for sp in SP.build_spans(a, 0.99, 1.0) if any(e["kind"] == "phrase" for e in sp.evidence)]
    # The document rates count phrases whose one-word neighbour reads better.
    text = "The team made use of the new tools and gave a hand to the farmers."
    r = det.raw_rates(det.analyze(text))
    assert r["phrase_rate"] >= 2 and r["phrase_gain"] > 0 and r["cand_n"] >= r["better_rate"] >= 0


def test_fit_logreg_separates():
    import numpy as np

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(2, 1, (200, 2))])
    y = np.array([0] * 200 + [1] * 200)
    lr = M.fit_logreg(X, y, ["a", "b"])
    assert metrics.auroc(lr.prob(X), y) > 0.9
    again = M.LogReg.from_dict(lr.to_dict())
    assert np.allclose(again.prob(X), lr.prob(X), atol=1e-4)


def test_shipped_model_file():
    m = M.shipped_model()
    assert m.doc.names == M.DOC_FEATURES and m.token.names == M.TOKEN_FEATURES
    assert 0 < m.span_threshold < 1
    assert m.span_low is None or 0 < m.span_low < m.span_threshold
    assert m.span_gap in (0, 1, 2)
    d = m.to_dict()
    assert d["span_gap"] == m.span_gap and d["span_low"] == m.span_low


# ----------------------------------------------------------------------------- CLI

def test_cli_stdin_human_line(run_cli, spun):
    code, out, err = run_cli(["detect"], spun.encode())
    assert code == 0, err
    line = out.strip().split("\t")
    assert len(out.strip().splitlines()) == 1
    assert 0 <= float(line[0]) <= 1 and line[1] in ("FLAG", "ok") and line[3] == "<stdin>"


def test_cli_json_and_fail_above(run_cli, spun, tmp_path):
    f = tmp_path / "spun.txt"
    f.write_text(spun, encoding="utf-8")
    code, out, err = run_cli(["detect", "--json", str(f)])
    assert code == 0, err
    obj = json.loads(out)
    assert obj["name"] == str(f) and "spans" in obj and 0 <= obj["score"] <= 1
    code, _, _ = run_cli(["detect", "--fail-above", "0.5", str(f)])
    assert code == 3
    code, _, _ = run_cli(["detect", "--fail-above", "0.99999", str(f)])
    assert code == 0


def test_cli_fingerprints_only_flags_only_hits(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text("We apply counterfeit consciousness to the data.", encoding="utf-8")
    (tmp_path / "b.txt").write_text(CLEAN, encoding="utf-8")
    code, out, err = run_cli(["detect", "--fingerprints-only", "--fail-above", "0.5", str(tmp_path)])
    assert code == 3, err
    lines = [line.split("\t") for line in out.strip().splitlines()]
    assert [(x[1], x[3].endswith("a.txt")) for x in lines] == [("FLAG", True), ("ok", False)]
    code, out, err = run_cli(["detect", "--fingerprints-only", "--fail-above", "0.5", str(tmp_path / "b.txt")])
    assert code == 0


def test_cli_threshold_must_be_a_probability(run_cli):
    code, out, err = run_cli(["detect", "--threshold", "2"], b"text")
    assert code == 2 and "between 0 and 1" in err


def test_cli_jsonl(run_cli, spun, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": "a", "body": spun}) + "\n" + json.dumps({"id": "b", "body": CLEAN}) + "\n")
    code, out, err = run_cli(["detect", "--format", "jsonl", "--text-field", "body", str(f)])
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["spin_score"] > rows[1]["spin_score"]
    assert isinstance(rows[0]["spin_spans"], list) and rows[0]["body"] == spun
    code, out, err = run_cli(["detect", "--format", "jsonl", str(f)])
    assert code == 1 and "field 'text'" in err and "Traceback" not in err


def test_cli_directory_html_pdf_and_report(run_cli, light_spun, tmp_path):
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text(light_spun, encoding="utf-8")
    (d / "sub" / "b.html").write_text(
        "<html><head><title>t</title><script>var x=1;</script></head><body><p>"
        + CLEAN.replace(". ", ".</p><p>") + "</p></body></html>", encoding="utf-8")
    (d / "sub" / "c.pdf").write_bytes(_pdf(CLEAN))
    (d / "skip.bin").write_bytes(b"\x00\x01")
    report = tmp_path / "r.html"
    code, out, err = run_cli(["detect", str(d), "--html", str(report)])
    assert code == 0, err
    names = [line.split("\t")[3] for line in out.strip().splitlines()]
    assert names == [str(d / "a.txt"), str(d / "sub" / "b.html"), str(d / "sub" / "c.pdf")]
    html = report.read_text(encoding="utf-8")
    assert html.count("<mark") >= 1 and "var x=1" not in html and "<script src" not in html
    assert "likely original:" in html
    # The spun text is restored by the cascade, the clean ones are not: the report says which.
    assert html.count("Evidence: 3-gram scan and restoration.") == 1 and html.count("Evidence: 3-gram scan.") == 2


def test_cli_pdf_without_text_layer(run_cli, tmp_path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    p = tmp_path / "scan.pdf"
    with open(p, "wb") as f:
        w.write(f)
    code, out, err = run_cli(["detect", str(p)])
    assert code == 1 and "no text layer" in err and out == "" and "Traceback" not in err


def test_cli_bad_inputs(run_cli, tmp_path):
    bad_pdf = tmp_path / "broken.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4\n garbage")
    code, out, err = run_cli(["detect", str(bad_pdf)])
    assert code == 1 and "PDF" in err and "Traceback" not in err
    code, out, err = run_cli(["detect"], b"abc \xff def")
    assert code == 1 and "byte offset 4" in err
    code, out, err = run_cli(["detect", "/nonexistent/x.txt"])
    assert code == 1 and "no such file" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run_cli(["detect", str(empty)])
    assert code == 1 and "no .txt" in err


def test_cli_one_bad_file_in_a_folder_does_not_stop_the_rest(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"bad \xff utf8")
    code, out, err = run_cli(["detect", str(tmp_path)])
    assert code == 1 and "b.txt" in err and len(out.strip().splitlines()) == 1


def test_cli_eval_detect(run_cli, spun, tmp_path):
    rows = [{"id": "x1", "text": spun, "label": 1, "original": CLEAN}, {"id": "x2", "text": CLEAN, "label": 0},
            {"id": "x3", "text": _spin(CLEAN, 0.6, 9), "label": 1, "original": CLEAN}]
    f = tmp_path / "ev.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    code, out, err = run_cli(["eval", "detect", str(f)])
    assert code == 0, err
    res = json.loads(out)
    assert res["documents"] == 3 and res["auroc"] == 1.0
    assert res["span_documents"] == 2 and 0 <= res["span_f1"] <= 1
    code, out, err = run_cli(["eval", "detect", str(f), "--where", "id=x1", "--where", "label=1", "--fast"])
    assert code == 0, err
    assert json.loads(out)["documents"] == 1
    assert run_cli(["eval", "detect", str(f), "--where", "id=nothing"])[0] == 1  # no documents to score
    assert run_cli(["eval", "detect", str(f), "--where", "id"])[0] == 2


def test_cli_eval_pairs_joined(run_cli, spun, tmp_path):
    paras = CLEAN.split(". ")
    sp = [_spin(p, 0.6, i) for i, p in enumerate(paras)]
    f = tmp_path / "pairs.jsonl"
    f.write_text("\n".join(json.dumps({"id": f"art1-p{i:02d}", "spun": s, "original": o, "family": "synonym"})
                           for i, (s, o) in enumerate(zip(sp, paras))) + "\n")
    code, out, err = run_cli(["eval", "detect", str(f), "--join", "--by", "family"])
    assert code == 0, err
    res = json.loads(out)
    assert res["documents"] == 2 and res["spun"] == 1 and res["clean"] == 1
    assert "synonym" in res["by_family"]


def test_cli_eval_bad_label(run_cli, tmp_path):
    f = tmp_path / "ev.jsonl"
    f.write_text(json.dumps({"text": "x", "label": "maybe"}) + "\n")
    code, out, err = run_cli(["eval", "detect", str(f)])
    assert code == 1 and "label" in err


# ----------------------------------------------------------------------------- wild-dev

def test_wild_dev_synonym_articles_outscore_their_originals(shared_dir):
    import collections

    arts = collections.defaultdict(list)
    for line in (shared_dir / "data" / "wild-dev" / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["family"] == "synonym":
            arts[r["id"].rsplit("-p", 1)[0]].append(r)
    spun, orig = [], []
    for rows in arts.values():
        rows.sort(key=lambda r: r["id"])
        s = "\n\n".join(r["spun"] for r in rows)
        if len(s.split()) < 100:
            continue
        spun.append(unspin.detect(s).score)
        orig.append(unspin.detect("\n\n".join(r["original"] for r in rows)).score)
    assert len(spun) >= 4
    assert metrics.auroc(spun + orig, [1] * len(spun) + [0] * len(orig)) >= 0.9
    assert sum(s >= 0.5 for s in spun) >= len(spun) - 1


# ----------------------------------------------------------------------------- helpers

def _pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in its text layer (Helvetica, one line per sentence)."""
    lines = [s.strip() for s in text.split(". ") if s.strip()]
    ops = ["BT", "/F1 9 Tf", "11 TL", "20 800 Td"]
    for ln in lines:
        safe = ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}.) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


# ----------------------------------------------------------------------------- evaluation tools

def test_torture_replaces_whole_terms_consistently_keeping_case():
    import random
    import re

    from tools.datasets.make_tortured_data import torture

    table = {"operating system": ["working framework", "OS thing"], "command line": ["summon line"]}
    pattern = re.compile(r"(?<![\w-])(?:operating system|command line)(?![\w-])", re.IGNORECASE)
    text = "Operating system calls. The operating system and the command-line tool; command line args."
    out, n = torture(text, table, pattern, random.Random(1))
    assert n == 3  # "command-line" is not the two-word term
    first = out.split(" calls.")[0]
    assert first[:1].isupper() and first.lower() in ("working framework", "os thing")
    assert out.count(first.lower()) == 1 and "summon line args" in out and "command-line tool" in out


def test_detect_targets_rows_and_f1():
    from tools.analysis.detect_targets import f1, rows

    meta = {"a": {"label": 1, "kind": "wild-synonym"}, "b": {"label": 1, "kind": "synthetic-moby", "rate": 0.6},
            "c": {"label": 1, "kind": "synthetic-moby", "rate": 0.1}, "d": {"label": 0, "kind": "clean"},
            "e": {"label": 0, "kind": "wild-original"}}
    scores = {"a": 0.9, "b": 0.7, "c": 0.2, "d": 0.6, "e": 0.1}
    got = rows(meta, scores)
    target = got["wild synonym + rate 0.6 vs all clean"]
    assert (target["spun"], target["clean"], target["auroc"]) == (2, 2, 1.0)
    assert got["wild synonym vs their originals"]["clean"] == 1
    assert got["all spins (rates 0.1-0.6) + wild vs all clean"]["recall_at_0.5"] == round(2 / 3, 4)
    assert f1([0.9, 0.7, 0.2], [0.6, 0.1]) == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))


def test_edit_spans_adds_the_edits_no_span_covers():
    from unspin.results import Edit

    text = "The folks mentioned it within the hall."
    scan = [Span(4, 9, "folks", "", 0.6, [{"kind": "surprisal"}])]
    edits = [Edit(4, 9, "folks", "people", 0.9, []), Edit(10, 19, "mentioned", "said", 0.8, []),
             Edit(23, 29, "within", "in", 0.5, [])]
    out = SP.edit_spans(text, scan, 0.9, edits)
    assert [(s.start, s.end, s.original) for s in out] == [(4, 9, ""), (10, 19, "said"), (23, 29, "in")]
    assert out[1].score == pytest.approx(0.9 * 0.8) and out[1].evidence[0]["kind"] == "restoration"
    assert all(text[s.start:s.end] == s.text for s in out)


def test_a_restored_document_called_spun_has_bold_restorations_edits_as_spans(light_spun, monkeypatch):
    spun = light_spun
    d = unspin.detect(spun)
    assert d.restored and d.score >= D.Detector.BOLD_SPANS_AT, "the fixture no longer escalates"
    bold = D.get_detector(D.DetectConfig()).restorer.restore_at(spun, d.score)
    assert bold.edits
    # Every bold edit lies in a span, and spans that hold one show restoration's original.
    for ed in bold.edits:
        assert any(s.start <= ed.start and ed.end <= s.end for s in d.spans), ed
    assert any(s.original and s.evidence[-1]["kind"] == "restoration" for s in d.spans)
    # Below the threshold only the cascade's conservative edits are used.
    monkeypatch.setattr(D.Detector, "BOLD_SPANS_AT", 1.01)
    less = D.Detector().detect(spun)
    assert less.score == pytest.approx(d.score)
    covered = lambda det: sum(s.end - s.start for s in det.spans)  # noqa: E731
    assert covered(less) < covered(d)


def test_scan_scores_ppdb_paraphrases_beside_thesaurus_neighbours():
    # "aircraft" is no common thesaurus neighbour of "plane" (level, point, side...): only PPDB
    # links them, and a spinner's "plane" for aircraft must meet its original in the scan.
    sc = S.Scanner()
    cands = dict(sc.candidates("plane"))
    assert cands.get("aircraft") == S.PPDB_LINK
    assert sum(1 for f in cands.values() if not f & S.PPDB_LINK) <= S.WORD_CANDIDATES
    assert 0 < sum(1 for f in cands.values() if f & S.PPDB_LINK) <= 2 * S.PPDB_CANDIDATES
    # the lemma's paraphrases come inflected like the word
    assert "aircraft" in dict(sc.candidates("planes")) or "airplanes" in dict(sc.candidates("planes"))
    ev = {e.form: e for e in sc.scan("The plane landed.", unspin.lang.tokenize.tokenize("The plane landed."))}
    assert ev["plane"].has_candidate


def test_scan_coverage_tool_counts_swaps_whose_original_the_scan_considers(tmp_path):
    from tools.analysis.scan_coverage import main

    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"spun": "The plane landed in the rain.", "original": "The aircraft landed in the rain."}) + "\n"
                     + json.dumps({"spun": "A blue zebra sang.", "original": "A red zebra sang."}) + "\n")
    import contextlib
    import io

    for extra, want in (([], 0.5), (["--no-ppdb"], 0.0)):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            main(["--set", f"t={pairs}"] + extra)
        out = json.loads(buf.getvalue())
        assert out["t"]["swaps"] == 2
        assert out["t"]["original_among_candidates"] == want, (extra, out)


def test_surprisal_evidence_names_where_the_alternative_came_from():
    from unspin.lang.lexicon import MOBY_HEAD_LISTS_SPUN, WORDNET_SYNONYM
    from unspin.report.views import evidence_text

    assert SP._sources(MOBY_HEAD_LISTS_SPUN | WORDNET_SYNONYM) == ["thesaurus"]
    assert SP._sources(S.PPDB_LINK) == ["ppdb"]
    assert SP._sources(WORDNET_SYNONYM | S.PPDB_LINK) == ["thesaurus", "ppdb"]
    line = evidence_text([{"kind": "surprisal", "alternative": "aircraft", "gain_nats": 6.1, "from": ["ppdb"]}])
    assert line == "'aircraft' (ppdb) fits the context 6.1 nats better"
