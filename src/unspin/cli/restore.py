"""``unspin restore`` and ``unspin eval restore``."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator

from ..errors import UnspinError, UsageError
from ..inputs.paths import refuse_output_among_inputs
from ..inputs.stream import iter_decoded
from ..inputs.textio import BadLines, iter_jsonl, open_output, progress, read_text
from ..lang import windows

_CHUNK_CHARS = 1 << 16
_BLANK_LINE = re.compile(r"^[^\S\n]*\n", re.M)


def register(sub, eval_sub) -> None:
    p = sub.add_parser("restore", help="restore the original wording of spun text",
                       description="Restore the most likely original wording of spun text.")
    p.add_argument("input", nargs="?", default="-", help="text file, or - for standard input (default)")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the Restoration as JSON (text and edits)")
    out.add_argument("--diff", action="store_true", help="show an inline diff of the edits")
    p.add_argument("--format", choices=["text", "jsonl"], default="text",
                   help="jsonl: one JSON object per line; adds 'restored' and 'edits'")
    p.add_argument("--text-field", default="text", help="field holding the text in --format jsonl (default: text)")
    p.add_argument("--skip-bad", action="store_true",
                   help="jsonl: skip malformed lines, naming each on stderr, and count them")
    p.add_argument("--errors", choices=["strict", "replace"], default="strict",
                   help="invalid UTF-8: fail naming the byte offset (strict), or replace it")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    _config_args(p)
    p.set_defaults(func=run_restore)

    e = eval_sub.add_parser("restore", help="repair and false-edit rate on aligned pairs",
                            description="Score restoration on JSONL pairs with 'spun' and 'original'.")
    e.add_argument("pairs", help="JSONL with 'spun' and 'original' (and 'id' = <article>-pNN, 'family')")
    e.add_argument("--family", help="only pairs whose 'family' field equals this")
    e.add_argument("--mode", choices=["full", "identity", "table-only", "lexicon-lm"], default="full",
                   help="full system, or a baseline")
    e.add_argument("--no-loao", action="store_true",
                   help="do not leave the scored article out of the learned table (measures memory)")
    e.add_argument("--details", help="write per-pair (per-article with --by-article) outputs as JSONL here")
    e.add_argument("--by-article", action="store_true",
                   help="join each article's paragraphs (ids <article>-pNN, in pNN order) with blank lines "
                        "and restore it as one document")
    e.add_argument("--article", action="append", metavar="ID",
                   help="score only this article (repeatable); the learned table still learns from the rest")
    _config_args(e)
    e.set_defaults(func=run_eval_restore)


def _config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-fingerprints", action="store_true", help="switch the tortured-phrase list off")
    p.add_argument("--no-table", action="store_true", help="switch the learned substitution table off")
    p.add_argument("--no-terms", action="store_true",
                   help="do not compose multi-word spans towards the term list (tortured phrases the list lacks)")
    p.add_argument("--papers", action="store_true",
                   help="scientific papers: also read words through the tortured-phrase list's word swaps "
                        "everywhere (restores more tortured phrases; changes more words of clean technical text). "
                        "Without it they come on by themselves in a text that holds a listed tortured phrase")
    p.add_argument("--no-auto-papers", action="store_true",
                   help="never turn the list's word swaps on by themselves")
    p.add_argument("--no-document", action="store_true",
                   help="decode sentence by sentence: no detector gate, no document-level boldness or "
                        "ties (more false edits)")
    p.add_argument("--edit-model", metavar="PATH", default="",
                   help="experimental: decide a document's edits by the edit models of PATH "
                        "(tools/fit/fit_edit_model.py)")
    p.add_argument("--threshold", type=float, default=0.0,
                   help="extra evidence an edit needs (natural-log units; higher = fewer edits)")
    p.add_argument("--backend", default="ngram",
                   help="ngram (default), or a neural re-scorer: gguf, gguf:PATH, hf:NAME")


def _config(args):
    from ..restoration.restorer import RestoreConfig

    if args.edit_model and not os.path.isfile(args.edit_model):
        raise UnspinError(f"no such edit model file: {args.edit_model}")
    return RestoreConfig(fingerprints=not args.no_fingerprints, learned_table=not args.no_table,
                         terms=not args.no_terms, threshold=args.threshold, backend=args.backend, document=not args.no_document,
                         edit_model=args.edit_model, pps_words=args.papers, auto_papers=not args.no_auto_papers)


def _iter_chunks(path: str, errors: str) -> Iterator[str]:
    """Paragraph-aligned chunks of a text file, decoded incrementally (bounded memory).

    A chunk ends after a blank line once it holds enough text, so no sentence is split; text
    with no blank line for a whole window is cut where a window would be (a sentence end, else
    whitespace, else outside a word).
    """
    buf = ""
    for piece in iter_decoded(path, errors):
        buf += piece
        while True:
            cap = windows.WINDOW_CHARS
            # The first blank line ending at or after _CHUNK_CHARS (search from its line's start).
            m = None
            if len(buf) >= _CHUNK_CHARS:
                m = _BLANK_LINE.search(buf, buf.rfind("\n", 0, _CHUNK_CHARS - 1) + 1)
            if m is not None and m.end() <= cap:
                cut = m.end()
            elif len(buf) > cap:
                cut = windows.cut_point(buf, min(_CHUNK_CHARS, cap // 2), cap)
            else:
                break
            yield buf[:cut]
            buf = buf[cut:]
    if buf:
        yield buf


def _diff(r, color: bool) -> str:
    out, pos = [], 0
    for e in r.edits:
        out.append(r.input[pos:e.start])
        if color:
            out.append(f"\x1b[31;9m{e.spun}\x1b[0m\x1b[32m{e.original}\x1b[0m")
        else:
            out.append(f"[-{e.spun}-]{{+{e.original}+}}")
        pos = e.end
    out.append(r.input[pos:])
    return "".join(out)


def run_restore(args) -> int:
    from ..restoration.restorer import Restoration, get_restorer

    config = _config(args)
    if args.format == "jsonl":
        if args.json or args.diff:
            raise UsageError("--json/--diff do not apply to --format jsonl (each line is JSON already)")
        return _restore_jsonl(args, config)
    refuse_output_among_inputs([args.output], [args.input])
    restorer = get_restorer(config)
    with open_output(args.output) as out:
        color = args.color == "always" or (args.color == "auto" and out.isatty())
        if args.json:
            text = read_text(args.input, args.errors)
            r = restorer.restore(text) if text.strip() else Restoration(text, text, [])
            out.write(r.to_json(indent=2) + "\n")
            return 0
        for chunk in _iter_chunks(args.input, args.errors):
            r = restorer.restore(chunk) if chunk.strip() else Restoration(chunk, chunk, [])
            out.write(_diff(r, color) if args.diff else r.text)
            out.flush()
    return 0


def _restore_jsonl(args, config) -> int:
    from ..annotate import AnnotateConfig, Annotator

    annotator = Annotator(AnnotateConfig(detect=None, restore=config, text_field=args.text_field))
    refuse_output_among_inputs([args.output], [args.input])
    bad = BadLines()
    with open_output(args.output) as out:
        for _, obj in progress(iter_jsonl(args.input, skip_bad=args.skip_bad, bad=bad, errors=args.errors,
                                               text_field=args.text_field), desc="restore"):
            obj.update(annotator.fields(obj[args.text_field]))
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    bad.report()
    return 0


def run_eval_restore(args) -> int:
    from ..evaluation.data import load_pairs, select_groups
    from ..evaluation.restore import evaluate_restore

    refuse_output_among_inputs([args.details], [args.pairs])
    pairs = load_pairs(args.pairs, family=args.family)
    if args.article:
        select_groups(pairs, args.article, args.pairs)  # names an unknown article before any work
    details = [] if args.details else None
    result = evaluate_restore(pairs, _config(args), mode=args.mode, loao=not args.no_loao, details=details,
                              by_article=args.by_article, articles=args.article)
    result["family"] = args.family
    if details is not None:
        with open_output(args.details) as f:
            for d in details:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2))
    return 0
