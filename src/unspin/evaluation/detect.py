"""Detector evaluation on labelled JSONL (``unspin eval detect``): the rows, the scoring, the report.

Rows carry ``text`` and ``label`` (1 spun, 0 clean); gold spans come from ``original`` (the words
that differ) or ``spans``; a row with ``spun`` and ``original`` but no text (an aligned pair)
gives one spun and one clean document. Substitutions the shipped table learned from a row's
group are left out when scoring it (leave-one-group-out), as in ``docs/detect.md``.
"""

from __future__ import annotations

import math
import time

from ..detection.detector import DetectConfig, Detector
from ..errors import UnspinError, UsageError
from ..inputs.textio import iter_jsonl
from .data import PARAGRAPH_SEP, grouped
from .metrics import calibration, doc_metrics, gold_spans, span_metrics, span_scores

RELIABILITY_BINS = tuple(k / 10 for k in range(10)) + (1.0001,)


def load_rows(path: str, text_field: str = "text", label_field: str = "label", join: bool = False,
              where=(), min_words: int = 0) -> list[dict]:
    """Labelled documents of a JSONL file. ``join``: the rows of one article (id
    ``<article>-pNN``) become one document, in id order; ``where``: ``FIELD=VALUE`` conditions
    a row must meet; ``min_words``: shorter documents are dropped."""
    from ..lang.tokenize import WORD_RE

    rows = []
    for lineno, obj in iter_jsonl(path):
        rid = str(obj.get("id", lineno))
        if text_field not in obj and isinstance(obj.get("spun"), str) and isinstance(obj.get("original"), str):
            base = {k: v for k, v in obj.items() if k not in ("spun", "original")}
            rows.append(dict(base, id=rid, text=obj["spun"], label=1, original=obj["original"], _line=lineno))
            rows.append(dict(base, id=rid + ":original", text=obj["original"], label=0, _line=lineno,
                             _pair_original=True))
            continue
        text = obj.get(text_field)
        label = obj.get(label_field)
        if not isinstance(text, str):
            raise UnspinError(f"{path}:{lineno}: field '{text_field}' is missing or not a string")
        if label in (0, 1, True, False, "0", "1"):
            label = int(label)
        else:
            raise UnspinError(f"{path}:{lineno}: field '{label_field}' must be 1 (spun) or 0 (clean)")
        rows.append(dict(obj, id=rid, text=text, label=label, _line=lineno))
    if join:
        rows = _join(rows)
    for cond in where:
        field, sep, value = cond.partition("=")
        if not sep or not field:
            raise UsageError(f"--where takes FIELD=VALUE, not {cond!r}")
        rows = [r for r in rows if str(r.get(field)) == value]
    if min_words:
        rows = [r for r in rows if sum(1 for _ in WORD_RE.finditer(r["text"])) >= min_words]
    if not rows:
        raise UnspinError(f"{path}: no documents to score")
    return rows


def _join(rows: list[dict]) -> list[dict]:
    joined = []

    def key(r):
        return r["id"].split(":")[0].rsplit("-p", 1)[0], r["label"], bool(r.get("_pair_original"))

    for (art, label, pair_original), rs in grouped(rows, key, lambda r: r["id"]):
        first = dict(rs[0])
        first["id"] = art + ("-original" if pair_original else ("-spun" if label else ""))
        first["text"] = PARAGRAPH_SEP.join(r["text"] for r in rs)
        if all(isinstance(r.get("original"), str) for r in rs) and label == 1:
            first["original"] = PARAGRAPH_SEP.join(r["original"] for r in rs)
        else:
            first.pop("original", None)
        first.pop("spans", None)
        first["group"] = art
        joined.append(first)
    return joined


def _group(row: dict) -> str:
    for k in ("group", "article"):
        if isinstance(row.get(k), str):
            return row[k]
    return row["id"].split(":")[0].rsplit("-p", 1)[0]


def evaluate_detect(rows: list[dict], config: DetectConfig, *, data: str = "", loao: bool = True,
                    by: str | None = None, progress=None, model=None) -> tuple[dict, list[dict]]:
    """The report (document metrics, span metrics at span and word level where gold spans exist,
    per value of the field ``by``, false flags per value among the clean documents, and a
    10-bin reliability diagram) and the per-document results. ``progress`` wraps the row
    iterator; ``model``: a :class:`~unspin.detection.model.Model` instead of the shipped one."""
    results, counts, words, secs = _score(rows, config, loao, by, progress, model)
    out = {"data": data, "documents": len(results), "words": words, "mode": config.label,
           "fingerprints": "on" if config.fingerprints else "off", "leave_group_out": loao}
    out.update(_doc_metrics(results))
    if counts:
        out.update({k: _r(v) for k, v in span_metrics(counts).items()})
        out["span_documents"] = len(counts)
    if by:
        out["by_" + by] = _by_value(rows, results)
        out["clean_by_" + by] = _clean_by_value(results)
    # The score assumes even prior odds (the fit's classes are balanced); the set's own share of
    # spun documents is given so that observed shares can be read against it.
    out["spun_share"] = _r(sum(x["label"] for x in results) / len(results)) if results else None
    out["reliability"] = calibration([x["score"] for x in results], [x["label"] for x in results],
                                     RELIABILITY_BINS)
    out["seconds"] = round(secs, 2)
    return out, results


def _score(rows: list[dict], config: DetectConfig, loao: bool, by: str | None, progress, model=None):
    base = Detector(config, model=model)
    table = None
    if loao:
        try:
            from ..restoration.restorer import shipped_table

            table = shipped_table()
        except (ImportError, AttributeError):
            table = None
    dets = {}
    results = []
    counts = []
    words = 0
    t0 = time.time()
    for r in (progress(rows) if progress else rows):
        det = base
        g = _group(r)
        if table is not None and g in table.groups:
            det = dets.get(g)
            if det is None:
                from ..restoration.restorer import Restorer, RestoreConfig

                restorer = Restorer(RestoreConfig(fingerprints=config.fingerprints), table=table.without(g))
                det = dets[g] = Detector(config, model=model, restorer=restorer)
        d = det.detect(r["text"])
        words += d.words
        gold = None
        if r["label"] == 1:
            if isinstance(r.get("original"), str):
                gold = gold_spans(r["text"], r["original"])
            elif isinstance(r.get("spans"), list):
                gold = [(int(s), int(e)) for s, e in r["spans"]]
        if gold is not None:
            counts.append(span_scores([(s.start, s.end) for s in d.spans], gold, r["text"]))
        results.append({"id": r["id"], "label": r["label"], "score": d.score, "words": d.words,
                        "by": r.get(by) if by else None, "spans": [s.to_dict() for s in d.spans],
                        "gold": gold})
    return results, counts, words, time.time() - t0


def _doc_metrics(res: list[dict]) -> dict:
    return doc_metrics([x["score"] for x in res], [x["label"] for x in res])


def _by_value(rows: list[dict], results: list[dict]) -> dict:
    """Metrics per value of the ``by`` field, each with all clean documents as negatives."""
    per = {}
    neg = [x for x in results if x["label"] == 0]
    for v in sorted({str(x["by"]) for x in results if x["label"] == 1}):
        pos = [x for x in results if x["label"] == 1 and str(x["by"]) == v]
        m = _doc_metrics(pos + neg)
        cs = [span_scores([(s["start"], s["end"]) for s in x["spans"]], x["gold"], _text(rows, x["id"]))
              for x in pos if x["gold"] is not None]
        if cs:
            m.update({k: _r(val) for k, val in span_metrics(cs).items()})
        per[v] = m
    return per


def _clean_by_value(results: list[dict]) -> dict:
    """Among the clean documents, per value of the ``by`` field: how many, their mean score and
    the share flagged at 0.5 (false flags)."""
    per: dict[str, list[float]] = {}
    for x in results:
        if x["label"] == 0:
            per.setdefault(str(x["by"]), []).append(x["score"])
    return {v: {"n": len(sc), "mean_score": _r(sum(sc) / len(sc)), "flagged_at_0.5": _r(sum(s >= 0.5 for s in sc) / len(sc))}
            for v, sc in sorted(per.items())}


def _text(rows, rid):
    for r in rows:
        if r["id"] == rid:
            return r["text"]
    return ""


def _r(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    return round(float(v), 4)
