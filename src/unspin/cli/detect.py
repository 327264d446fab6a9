"""``unspin detect`` and ``unspin eval detect``."""

from __future__ import annotations

import json
import math
import os
import sys

from ..errors import UnspinError, UsageError
from ..inputs.textio import BadLines, iter_jsonl, open_output, progress


def register(sub, eval_sub) -> None:
    p = sub.add_parser(
        "detect", help="score how likely texts were spun, and show where",
        description="Score how likely each document was produced by synonym spinning (a calibrated "
                    "probability) and list the suspicious spans with their likely original. A high score "
                    "is a risk marker for a human to check, not proof.")
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="text, .html or .pdf files, folders (searched recursively), or - for standard input "
                        "(default)")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    p.add_argument("--json", action="store_true",
                   help="print JSON: one object for a single input, else an array of objects")
    p.add_argument("--format", choices=["text", "jsonl"], default="text",
                   help="jsonl: inputs are JSONL; each object gets 'spin_score' and 'spin_spans'")
    p.add_argument("--text-field", default="text", help="field holding the text in --format jsonl (default: text)")
    p.add_argument("--skip-bad", action="store_true", help="jsonl: skip malformed lines and count them")
    p.add_argument("--threshold", type=float, default=0.5, metavar="T",
                   help="documents scoring >= T are flagged (default 0.5)")
    p.add_argument("--fail-above", type=float, metavar="T",
                   help="exit with status 3 when any document scores >= T (in --fingerprints-only mode: "
                        "and has a hit)")
    p.add_argument("--html", metavar="REPORT.html", help="also write a self-contained HTML report")
    p.add_argument("--top", type=int, default=3, help="spans shown per document in the text output (default 3)")
    p.add_argument("--fingerprints", action="append", default=[], metavar="FILE",
                   help="an extra fingerprint list (JSON like the PPS list: "
                        "{\"phrases\": [{\"tortured\": ..., \"correct\": ...}]}); repeatable")
    p.add_argument("--no-fingerprints", action="store_true", help="switch the shipped tortured-phrase list off")
    p.add_argument("--fingerprints-only", action="store_true",
                   help="fast mode: fingerprint hits only (blind to spins that use no listed phrase)")
    p.add_argument("--restore", action="store_true",
                   help="thorough mode: restore the suspicious sentences of every document; the edits give the "
                        "spans' likely originals and enter the score (by default only documents the fast scan "
                        "scores from 0.5 to under 0.99 are)")
    p.add_argument("--fast", action="store_true",
                   help="the fast scan alone: no restoration even for documents it scores >= 0.5 (fastest)")
    p.add_argument("--errors", choices=["strict", "replace"], default="strict",
                   help="invalid UTF-8: fail naming the byte offset (strict), or replace it")
    p.set_defaults(func=run_detect)

    e = eval_sub.add_parser(
        "detect", help="AUROC, TPR at 1%% FPR and span precision/recall on labelled JSONL",
        description="Score the detector on JSONL with 'text' and 'label' (1 spun, 0 clean). Gold spans come "
                    "from 'original' (the words that differ) or 'spans' ([[start, end], ...]). Rows with "
                    "'spun' and 'original' but no 'text' (aligned pairs) give one spun and one clean document. "
                    "Substitutions the shipped table learned from a row's group ('group', 'article', or the "
                    "<article> of id <article>-pNN) are left out when scoring it.")
    e.add_argument("data", help="labelled JSONL")
    e.add_argument("--text-field", default="text")
    e.add_argument("--label-field", default="label")
    e.add_argument("--join", action="store_true",
                   help="join rows of one article (id <article>-pNN) into one document, in id order")
    e.add_argument("--min-words", type=int, default=0, help="drop documents shorter than this")
    e.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                   help="keep only rows whose FIELD equals VALUE (e.g. split=test); repeatable")
    e.add_argument("--by", metavar="FIELD", help="also report metrics per value of FIELD (e.g. family), "
                                                  "each with all clean documents as negatives")
    e.add_argument("--no-fingerprints", action="store_true", help="switch the shipped fingerprint list off")
    e.add_argument("--fingerprints", action="append", default=[], metavar="FILE", help="extra fingerprint list")
    e.add_argument("--fingerprints-only", action="store_true", help="evaluate the fingerprint-only mode")
    e.add_argument("--restore", action="store_true", help="evaluate the mode with restoration (detect --restore)")
    e.add_argument("--fast", action="store_true", help="evaluate the fast scan alone (detect --fast)")
    e.add_argument("--no-loao", action="store_true",
                   help="score with the full learned table even on the groups it was learned from")
    e.add_argument("--details", metavar="FILE", help="write per-document scores and spans as JSONL here")
    e.set_defaults(func=run_eval_detect)


# ----------------------------------------------------------------------------- detect

def _detector(args):
    from ..detection.detector import Detector

    for f in args.fingerprints:
        if not os.path.isfile(f):
            raise UnspinError(f"{f}: no such fingerprint list")
    return Detector(fingerprints=not args.no_fingerprints, fingerprint_files=tuple(args.fingerprints),
                    restore=getattr(args, "restore", False), escalate=_escalate(args))


def _escalate(args):
    from ..detection.detector import Detector

    if getattr(args, "fast", False) and getattr(args, "restore", False):
        raise UsageError("--fast and --restore exclude each other")
    return None if getattr(args, "fast", False) else Detector.ESCALATE_AT


def _run(det, text: str, fp_only: bool):
    return det.detect_fingerprints(text) if fp_only else det.detect(text)


def _check_threshold(name: str, v: float | None) -> None:
    if v is not None and not (0.0 <= v <= 1.0):
        raise UsageError(f"{name} must be between 0 and 1 (got {v})")


def run_detect(args) -> int:
    _check_threshold("--threshold", args.threshold)
    _check_threshold("--fail-above", args.fail_above)
    if args.top < 0:
        raise UsageError("--top must be >= 0")
    if args.format == "jsonl":
        if args.json:
            raise UsageError("--json does not apply to --format jsonl (each line is JSON already)")
        return _detect_jsonl(args)
    from ..inputs.extract import expand_inputs, read_document

    det = _detector(args)
    inputs = args.inputs or ["-"]
    if inputs.count("-") > 1:
        raise UsageError("standard input (-) can be given once")
    single = len(inputs) == 1 and (inputs[0] == "-" or not os.path.isdir(inputs[0]))
    results = []  # (name, text, detection)
    errors = 0
    out = open_output(args.output)
    try:
        for path in progress(expand_inputs(inputs), desc="detect"):
            try:
                doc = read_document(path, args.errors)
                d = _run(det, doc.text, args.fingerprints_only)
            except UnspinError as e:
                if single:
                    raise
                errors += 1
                print(f"unspin: error: {e}", file=sys.stderr)
                continue
            results.append((doc.name, doc.text, d))
            if not args.json:
                out.write(_human_line(doc.name, d, args.threshold, args.top) + "\n")
                out.flush()
        if args.json:
            objs = [_json_obj(n, d, args.threshold) for n, _, d in results]
            if single and objs:
                out.write(json.dumps(objs[0], ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(json.dumps(objs, ensure_ascii=False, indent=2) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if args.html:
        from ..report.detect import write_report

        write_report(args.html, [(n, t, d) for n, t, d in results], threshold=args.threshold)
    return _exit_code(args, [d for _, _, d in results], errors)


def _flagged(d, threshold: float) -> bool:
    """At or above the threshold; in fingerprint-only mode also at least one hit (with no hit
    that mode has no evidence either way and scores 0.5)."""
    return d.score >= threshold and (d.mode != "fingerprints" or bool(d.spans))


def _exit_code(args, detections, errors: int) -> int:
    if args.fail_above is not None and any(_flagged(d, args.fail_above) for d in detections):
        return 3
    return 1 if errors else 0


def _json_obj(name: str, d, threshold: float) -> dict:
    obj = {"name": name}
    obj.update(d.to_dict())
    obj["flagged"] = _flagged(d, threshold)
    return obj


def _human_line(name: str, d, threshold: float, top: int) -> str:
    flag = "FLAG" if _flagged(d, threshold) else "ok"
    spans = sorted(d.spans, key=lambda s: -s.score)[:top]
    shown = []
    for s in spans:
        txt = _short(s.text)
        shown.append(f'"{txt}"->"{_short(s.original)}"' if s.original else f'"{txt}"')
    tail = ("  " + ", ".join(shown)) if shown else ""
    more = f" (+{len(d.spans) - len(spans)} more)" if len(d.spans) > len(spans) else ""
    note = "  [short text: weak evidence]" if d.words < 100 else ""
    return f"{d.score:.3f}\t{flag}\t{d.label}\t{name}\t{d.words} words\t{len(d.spans)} spans{tail}{more}{note}"


def _short(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _detect_jsonl(args) -> int:
    det = _detector(args)
    inputs = args.inputs or ["-"]
    out = open_output(args.output)
    bad = BadLines()
    scores = []
    html_docs = []
    try:
        for path in inputs:
            if path != "-" and os.path.isdir(path):
                raise UnspinError(f"{path}: is a directory (--format jsonl reads JSONL files)")
            for lineno, obj in progress(iter_jsonl(path, skip_bad=args.skip_bad, bad=bad, errors=args.errors),
                                        desc="detect"):
                text = obj.get(args.text_field)
                if not isinstance(text, str):
                    if args.skip_bad:
                        bad.count += 1
                        continue
                    name = "<stdin>" if path == "-" else path
                    raise UnspinError(f"{name}:{lineno}: field '{args.text_field}' is missing or not a string")
                d = _run(det, text, args.fingerprints_only)
                obj["spin_score"] = round(d.score, 4)
                obj["spin_flagged"] = _flagged(d, args.threshold)
                obj["spin_spans"] = [s.to_dict() for s in d.spans]
                scores.append(d)
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
                out.flush()
                if args.html:
                    label = obj.get("id", f"{path}:{lineno}")
                    html_docs.append((str(label), text, d))
    finally:
        if out is not sys.stdout:
            out.close()
    if bad.count:
        print(f"unspin: skipped {bad.count} bad line(s)", file=sys.stderr)
    if args.html:
        from ..report.detect import write_report

        write_report(args.html, html_docs, threshold=args.threshold)
    return _exit_code(args, scores, 0)


# ----------------------------------------------------------------------------- eval

def _load_eval(args) -> list[dict]:
    from ..lang.tokenize import WORD_RE

    rows = []
    for lineno, obj in iter_jsonl(args.data):
        rid = str(obj.get("id", lineno))
        if args.text_field not in obj and isinstance(obj.get("spun"), str) and isinstance(obj.get("original"), str):
            base = {k: v for k, v in obj.items() if k not in ("spun", "original")}
            rows.append(dict(base, id=rid, text=obj["spun"], label=1, original=obj["original"], _line=lineno))
            rows.append(dict(base, id=rid + ":original", text=obj["original"], label=0, _line=lineno,
                             _pair_original=True))
            continue
        text = obj.get(args.text_field)
        label = obj.get(args.label_field)
        if not isinstance(text, str):
            raise UnspinError(f"{args.data}:{lineno}: field '{args.text_field}' is missing or not a string")
        if label in (0, 1, True, False, "0", "1"):
            label = int(label)
        else:
            raise UnspinError(f"{args.data}:{lineno}: field '{args.label_field}' must be 1 (spun) or 0 (clean)")
        rows.append(dict(obj, id=rid, text=text, label=label, _line=lineno))
    if args.join:
        groups: dict[tuple, list[dict]] = {}
        order = []
        for r in rows:
            art = r["id"].split(":")[0].rsplit("-p", 1)[0]
            key = (art, r["label"], bool(r.get("_pair_original")))
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(r)
        joined = []
        for key in order:
            rs = sorted(groups[key], key=lambda r: r["id"])
            first = dict(rs[0])
            first["id"] = key[0] + ("-original" if key[2] else ("-spun" if key[1] else ""))
            first["text"] = "\n\n".join(r["text"] for r in rs)
            if all(isinstance(r.get("original"), str) for r in rs) and key[1] == 1:
                first["original"] = "\n\n".join(r["original"] for r in rs)
            else:
                first.pop("original", None)
            first.pop("spans", None)
            first["group"] = key[0]
            joined.append(first)
        rows = joined
    for cond in args.where:
        field, sep, value = cond.partition("=")
        if not sep or not field:
            raise UsageError(f"--where takes FIELD=VALUE, not {cond!r}")
        rows = [r for r in rows if str(r.get(field)) == value]
    if args.min_words:
        rows = [r for r in rows if sum(1 for _ in WORD_RE.finditer(r["text"])) >= args.min_words]
    if not rows:
        raise UnspinError(f"{args.data}: no documents to score")
    return rows


def _group(row: dict) -> str:
    for k in ("group", "article"):
        if isinstance(row.get(k), str):
            return row[k]
    return row["id"].split(":")[0].rsplit("-p", 1)[0]


def run_eval_detect(args) -> int:
    import time

    from ..detection.detector import Detector, doc_metrics, gold_spans, span_metrics, span_scores

    for f in args.fingerprints:
        if not os.path.isfile(f):
            raise UnspinError(f"{f}: no such fingerprint list")
    rows = _load_eval(args)
    fp_on = not args.no_fingerprints
    files = tuple(args.fingerprints)
    escalate = _escalate(args)
    base = Detector(fingerprints=fp_on, fingerprint_files=files, restore=args.restore, escalate=escalate)
    table = None
    if not args.no_loao:
        try:
            from ..restoration.restorer import shipped_table

            table = shipped_table()
        except (ImportError, AttributeError):
            table = None
    dets = {}
    results = []
    counts = []
    t0 = time.time()
    words = 0
    for r in progress(rows, total=len(rows), desc="eval detect"):
        det = base
        g = _group(r)
        if table is not None and g in table.groups:
            det = dets.get(g)
            if det is None:
                from ..restoration.restorer import Restorer, RestoreConfig

                restorer = Restorer(RestoreConfig(fingerprints=fp_on), table=table.without(g))
                det = dets[g] = Detector(fingerprints=fp_on, fingerprint_files=files, restorer=restorer,
                                         restore=args.restore, escalate=escalate)
        d = det.detect_fingerprints(r["text"]) if args.fingerprints_only else det.detect(r["text"])
        words += d.words
        gold = None
        if r["label"] == 1:
            if isinstance(r.get("original"), str):
                gold = gold_spans(r["text"], r["original"])
            elif isinstance(r.get("spans"), list):
                gold = [(int(s), int(e)) for s, e in r["spans"]]
        c = None
        if gold is not None:
            c = span_scores([(s.start, s.end) for s in d.spans], gold, r["text"])
            counts.append(c)
        results.append({"id": r["id"], "label": r["label"], "score": d.score, "words": d.words,
                        "by": r.get(args.by) if args.by else None, "spans": [s.to_dict() for s in d.spans],
                        "gold": gold})
    secs = time.time() - t0

    def metrics(res):
        return doc_metrics([x["score"] for x in res], [x["label"] for x in res])

    out = {"data": args.data, "documents": len(results), "words": words,
           "mode": "fingerprints" if args.fingerprints_only else (
               "full+restore" if args.restore else ("fast" if escalate is None else "full")),
           "fingerprints": "off" if args.no_fingerprints else "on",
           "leave_group_out": not args.no_loao}
    out.update(metrics(results))
    if counts:
        out.update({k: _r(v) for k, v in span_metrics(counts).items()})
        out["span_documents"] = len(counts)
    if args.by:
        per = {}
        neg = [x for x in results if x["label"] == 0]
        for v in sorted({str(x["by"]) for x in results if x["label"] == 1}):
            pos = [x for x in results if x["label"] == 1 and str(x["by"]) == v]
            m = metrics(pos + neg)
            cs = [span_scores([(s["start"], s["end"]) for s in x["spans"]], x["gold"], _text(rows, x["id"]))
                  for x in pos if x["gold"] is not None]
            if cs:
                m.update({k: _r(val) for k, val in span_metrics(cs).items()})
            per[v] = m
        out["by_" + args.by] = per
    out["seconds"] = round(secs, 2)
    if args.details:
        with open_output(args.details) as f:
            for x in results:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2))
    return 0


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
