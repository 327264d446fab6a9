"""``unspin detect`` and ``unspin eval detect``: arguments and I/O (the work is in :mod:`unspin.detection`
and :mod:`unspin.evaluation.detect`)."""

from __future__ import annotations

import json
import os
import sys

from ..annotate import detection_fields
from ..errors import UnspinError, UsageError
from ..inputs.paths import refuse_output_among_inputs
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
    p.add_argument("--skip-bad", action="store_true",
                   help="jsonl: skip malformed lines, naming each on stderr, and count them")
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
    e.add_argument("--model", metavar="FILE",
                   help="score with this detector model (a detector.json from tools/fit/fit_detector.py, e.g. one "
                        "fitted with a spinner family left out) instead of the shipped one")
    e.add_argument("--details", metavar="FILE", help="write per-document scores and spans as JSONL here")
    e.set_defaults(func=run_eval_detect)


# ----------------------------------------------------------------------------- detect

def _check_fingerprint_files(args) -> None:
    for f in args.fingerprints:
        if not os.path.isfile(f):
            raise UnspinError(f"{f}: no such fingerprint list")


def _config(args):
    from ..detection.detector import DetectConfig

    if args.fast and args.restore:
        raise UsageError("--fast and --restore exclude each other")
    return DetectConfig(mode="fingerprints" if args.fingerprints_only else "full", fast=args.fast,
                        restore=args.restore, fingerprints=not args.no_fingerprints,
                        fingerprint_files=tuple(args.fingerprints))


def _detector(args):
    from ..detection.detector import get_detector

    _check_fingerprint_files(args)
    return get_detector(_config(args))


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
    from ..inputs.extract import expand_inputs

    det = _detector(args)
    inputs = args.inputs or ["-"]
    if inputs.count("-") > 1:
        raise UsageError("standard input (-) can be given once")
    single = len(inputs) == 1 and (inputs[0] == "-" or not os.path.isdir(inputs[0]))
    refuse_output_among_inputs([args.output, args.html], inputs)
    results = []  # (name, text, detection)
    errors = 0
    with open_output(args.output) as out:
        for path in progress(expand_inputs(inputs), desc="detect"):
            try:
                name, text, d = _detect_path(det, path, args.errors, keep_text=bool(args.html))
            except UnspinError as e:
                if single:
                    raise
                errors += 1
                print(f"unspin: error: {e}", file=sys.stderr)
                continue
            results.append((name, text, d))
            if not args.json:
                out.write(_human_line(name, d, args.threshold, args.top) + "\n")
                out.flush()
        if args.json:
            objs = [_json_obj(n, d, args.threshold) for n, _, d in results]
            if single and objs:
                out.write(json.dumps(objs[0], ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(json.dumps(objs, ensure_ascii=False, indent=2) + "\n")
    if args.html:
        from ..report.detect import write_report

        write_report(args.html, [(n, t, d) for n, t, d in results], threshold=args.threshold)
    return _exit_code(args, [d for _, _, d in results], errors)


def _detect_path(det, path: str, errors: str, keep_text: bool):
    """(name, text, Detection) of one input. A plain-text file is streamed through the
    detector's windows (read twice, never held whole), so memory does not grow with it;
    standard input longer than two windows is spooled to a temporary file and streamed from
    there (it cannot be read twice). HTML and PDF files are read whole (extraction needs the
    whole document). ``text`` is "" for a streamed file unless ``keep_text`` (the HTML report
    shows it)."""
    from ..inputs.extract import kind_of, read_document
    from ..inputs.stream import iter_decoded
    from ..inputs.textio import os_errors
    from ..lang.windows import stream_windows

    if path == "-" and not keep_text:
        return _detect_stdin(det, errors)
    if path != "-" and os.path.isfile(path):
        with os_errors(path), open(path, "rb") as f:
            head = f.read(8192)
        if kind_of(path, head) == "text":
            d = det.detect_windows(lambda: stream_windows(iter_decoded(path, errors)))
            return str(path), read_document(path, errors).text if keep_text else "", d
    doc = read_document(path, errors)
    return doc.name, doc.text, det.detect(doc.text)


def _detect_stdin(det, errors: str):
    """Standard input held in memory up to two windows, past that spooled to an unnamed
    temporary file (removed on close, also after a crash) and read back window by window."""
    import tempfile

    from ..inputs.stream import iter_decoded
    from ..lang.windows import WINDOW_CHARS, stream_windows

    pieces, held = [], 0
    it = iter_decoded("-", errors)
    for piece in it:
        pieces.append(piece)
        held += len(piece)
        if held > 2 * WINDOW_CHARS:
            break
    else:
        text = "".join(pieces)
        return "<stdin>", text, det.detect(text)
    # Text that came through the strict (or replacing) decoder re-encodes losslessly.
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        spool.writelines(pieces)
        del pieces
        for piece in it:
            spool.write(piece)

        def read_back():
            spool.seek(0)
            while piece := spool.read(1 << 16):
                yield piece

        return "<stdin>", "", det.detect_windows(lambda: stream_windows(read_back()))


def _exit_code(args, detections, errors: int) -> int:
    if args.fail_above is not None and any(d.flagged(args.fail_above) for d in detections):
        return 3
    return 1 if errors else 0


def _json_obj(name: str, d, threshold: float) -> dict:
    obj = {"name": name}
    obj.update(d.to_dict())
    obj["flagged"] = d.flagged(threshold)
    return obj


def _human_line(name: str, d, threshold: float, top: int) -> str:
    flag = "FLAG" if d.flagged(threshold) else "ok"
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
    refuse_output_among_inputs([args.output, args.html], inputs)
    bad = BadLines()
    scores = []
    html_docs = []
    with open_output(args.output) as out:
        for path in inputs:
            if path != "-" and os.path.isdir(path):
                raise UnspinError(f"{path}: is a directory (--format jsonl reads JSONL files)")
            for lineno, obj in progress(iter_jsonl(path, skip_bad=args.skip_bad, bad=bad, errors=args.errors,
                                                   text_field=args.text_field), desc="detect"):
                text = obj[args.text_field]
                d = det.detect(text)
                obj.update(detection_fields(d, args.threshold))
                scores.append(d)
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
                out.flush()
                if args.html:
                    label = obj.get("id", f"{path}:{lineno}")
                    html_docs.append((str(label), text, d))
    bad.report()
    if args.html:
        from ..report.detect import write_report

        write_report(args.html, html_docs, threshold=args.threshold)
    return _exit_code(args, scores, 0)


# ----------------------------------------------------------------------------- eval

def run_eval_detect(args) -> int:
    from ..evaluation.detect import evaluate_detect, load_rows

    _check_fingerprint_files(args)
    refuse_output_among_inputs([args.details], [args.data])
    rows = load_rows(args.data, args.text_field, args.label_field, join=args.join, where=args.where,
                     min_words=args.min_words)
    model = None
    if args.model:
        from ..detection.model import Model

        model = Model.load(args.model)
    report, results = evaluate_detect(rows, _config(args), data=args.data, loao=not args.no_loao, by=args.by,
                                      progress=lambda it: progress(it, total=len(rows), desc="eval detect"),
                                      model=model)
    if args.details:
        with open_output(args.details) as f:
            for x in results:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2))
    return 0
