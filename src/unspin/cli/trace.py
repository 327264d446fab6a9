"""``unspin trace``, ``unspin index build|add|stats`` and ``unspin eval trace``."""

from __future__ import annotations

import json
import os
import sys
import time

from ..annotate import trace_fields
from ..errors import UsageError
from ..inputs.paths import refuse_output_among_inputs
from ..inputs.textio import iter_jsonl, open_output, read_text


def register(sub, eval_sub) -> None:
    # -- trace ------------------------------------------------------------------------------
    p = sub.add_parser(
        "trace",
        help="find the source a (spun) text was copied from",
        description="Find the sources a text was copied from, robust to synonym swaps, with the "
                    "aligned passages and swapped words as evidence.",
    )
    p.add_argument("input", help="text file (- for stdin); with --format jsonl, a JSONL file of records")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--index", help="index made with `unspin index build`")
    where.add_argument("--against", metavar="SOURCE.txt", help="compare with one text, no index")
    p.add_argument("-k", type=int, default=5, help="number of sources to report (default 5)")
    p.add_argument("--format", choices=["text", "json", "jsonl"], default="text",
                   help="text report (default), one JSON object, or JSONL: each input record plus `matches`")
    p.add_argument("--text-field", default="text", help="field holding the text in JSONL input (default text)")
    p.add_argument("--html", metavar="FILE", help="also write a side-by-side HTML report")
    p.add_argument("--restore", action="store_true", help="also use unspin.restore's proposals (slower)")
    p.add_argument("-o", "--output", help="write here instead of stdout")
    p.add_argument("--errors", choices=["strict", "replace"], default="strict", help="undecodable input bytes")
    p.set_defaults(func=cmd_trace)

    # -- index ------------------------------------------------------------------------------
    ip = sub.add_parser("index", help="build and inspect trace indexes",
                        description="Build, extend and inspect the embedded index used by `unspin trace`.")
    isub = ip.add_subparsers(dest="index_command", metavar="ACTION")
    isub.required = True
    b = isub.add_parser("build", help="build an index from JSONL files, documents or folders of them")
    b.add_argument("sources", nargs="+",
                   help=".jsonl/.json files (id, text, optional url, date; - for stdin), .txt/.md/.html/.pdf "
                        "files (id: the path), or folders of them (id: the path inside the folder; "
                        "files that cannot be read are skipped with a warning)")
    b.add_argument("-o", "--output", required=True, help="index file to write (replaced atomically)")
    b.add_argument("--force", action="store_true", help="overwrite a file that is not an unspin index")
    b.add_argument("--errors", choices=["strict", "replace"], default="strict")
    b.add_argument("--workers", type=int, help="processes packing batches (default: all cores; 1: this process only)")
    b.set_defaults(func=cmd_index_build)
    a = isub.add_parser("add", help="add documents to an existing index")
    a.add_argument("index", help="index file")
    a.add_argument("sources", nargs="+", help="as for `index build`")
    a.add_argument("--errors", choices=["strict", "replace"], default="strict")
    a.add_argument("--workers", type=int, help="as for `index build`")
    a.set_defaults(func=cmd_index_add)
    s = isub.add_parser("stats", help="print what an index holds (JSON)")
    s.add_argument("index")
    s.set_defaults(func=cmd_index_stats)

    # -- eval trace ------------------------------------------------------------------------
    e = eval_sub.add_parser(
        "trace",
        help="recall@1/5, MRR and latency of trace on labelled spun queries",
        description="Index sources (plus distractors), trace each spun query and report recall@1, "
                    "recall@5, MRR and query latency as JSON.",
    )
    e.add_argument("--pairs", action="append", default=[],
                   help="JSONL with id, spun, original: each original is indexed under id, each spun text "
                        "is a query whose true source is id (repeatable)")
    e.add_argument("--sources", action="append", default=[], help="more documents to index (JSONL or folder)")
    e.add_argument("--queries", action="append", default=[],
                   help="JSONL queries: text (or spun) and source_id of the true source")
    e.add_argument("--index", help="a prebuilt index of distractors to add the sources to (left unchanged)")
    e.add_argument("-k", type=int, default=5)
    e.add_argument("--restore", action="store_true")
    e.add_argument("--limit", type=int, help="at most this many queries")
    e.add_argument("--misses", action="store_true", help="list the queries whose source was not first")
    e.add_argument("-o", "--output")
    e.set_defaults(func=cmd_eval_trace)


# ---------------------------------------------------------------------------------------------

def _progress_cb(desc: str):
    if not sys.stderr.isatty():
        return None

    def cb(n):
        sys.stderr.write(f"\r{desc} {n}")
        sys.stderr.flush()
    return cb


def _workers(args) -> int:
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    return args.workers or os.cpu_count() or 1


def cmd_index_build(args) -> int:
    from ..tracing.index import build
    from ..tracing.sources import iter_sources

    refuse_output_among_inputs([args.output], args.sources)
    t0 = time.perf_counter()
    summary = build(args.output, iter_sources(args.sources, errors=args.errors), force=args.force,
                    on_progress=_progress_cb("indexed"), workers=_workers(args))
    secs = time.perf_counter() - t0
    summary["docs_per_s"] = round(summary["documents"] / secs, 1) if secs > 0 else None
    summary["index"] = args.output
    print(json.dumps(summary))
    return 0


def cmd_index_add(args) -> int:
    from ..tracing.index import Index
    from ..tracing.sources import iter_sources

    idx = Index.open(args.index, writable=True)
    try:
        t0 = time.perf_counter()
        n = idx.add(iter_sources(args.sources, errors=args.errors), on_progress=_progress_cb("added"),
                    workers=_workers(args))
        secs = time.perf_counter() - t0
        st = idx.stats()
    finally:
        idx.close()
    print(json.dumps({"added": n, "seconds": round(secs, 3), "documents": st["documents"], "index": args.index}))
    return 0


def cmd_index_stats(args) -> int:
    from ..tracing.index import Index

    with Index.open(args.index) as idx:
        print(json.dumps(idx.stats(), indent=2))
    return 0


def cmd_trace(args) -> int:
    from ..tracing.search import compare, trace

    if args.k < 1:
        raise UsageError("-k must be at least 1")
    if args.against and args.format == "jsonl":
        raise UsageError("--against compares two text files; --format jsonl needs --index")
    refuse_output_among_inputs([args.output, args.html], [args.input, args.against, args.index])
    if args.against:
        query = read_text(args.input, args.errors)
        source = read_text(args.against, args.errors)
        m = compare(query, source)
        m.id = args.against
        # score 0: nothing in common (or a text with no words), which the report calls no source
        _emit(args, [(args.input, query, [m] if m.score > 0 else [], None)])
        return 0
    from ..tracing.index import Index

    idx = Index.open(args.index)
    try:
        idx.load()
        if args.format == "jsonl":
            items = []
            for lineno, obj in iter_jsonl(args.input, errors=args.errors, text_field=args.text_field):
                text = obj[args.text_field]
                items.append((f"{args.input}:{lineno}", text, trace(text, idx, args.k, restore=args.restore), obj))
        else:
            text = read_text(args.input, args.errors)
            items = [(args.input, text, trace(text, idx, args.k, restore=args.restore), None)]
    finally:
        idx.close()
    _emit(args, items)
    return 0


def _emit(args, items) -> None:
    from ..report.trace import render_html, render_text

    if args.html:
        parts = [render_html(name, text, matches) for name, text, matches, _ in items]
        with open_output(args.html) as f:
            f.write("\n".join(parts))
    with open_output(args.output) as out:
        for name, text, matches, obj in items:
            if args.format == "jsonl":
                rec = {**(obj or {}), **trace_fields(matches)}
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            elif args.format == "json":
                out.write(json.dumps({"input": name, "matches": [m.to_dict() for m in matches]},
                                     ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(render_text(name, matches))


# ---------------------------------------------------------------------------------------------

def cmd_eval_trace(args) -> int:
    from ..evaluation.trace import evaluate_trace, load_queries

    if not args.pairs and not args.queries:
        raise UsageError("give --pairs and/or --queries")
    refuse_output_among_inputs([args.output], [*args.pairs, *args.queries, *args.sources, args.index])
    data = load_queries(args.pairs, args.queries)
    report = evaluate_trace(data, args.sources, base_index=args.index, k=args.k, restore=args.restore,
                            limit=args.limit, misses=args.misses)
    with open_output(args.output) as out:
        out.write(json.dumps(report, indent=2) + "\n")
    return 0


__all__ = ["register"]
