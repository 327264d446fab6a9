"""``unspin screen``: arguments and I/O (the work is in :mod:`unspin.screening`)."""

from __future__ import annotations

import json
import os
import sys

from ..errors import UnspinError, UsageError


def register(sub, eval_sub) -> None:
    p = sub.add_parser(
        "screen", help="annotate a JSONL/Parquet corpus: many cores or Ray, resumable, with a summary",
        description="Add unspin's fields (spin_score, spin_spans; restored, edits; matches) to every record "
                    "of JSONL (.jsonl, .jsonl.gz, .jsonl.zst) or Parquet files or folders of them, keeping "
                    "every input field. Writes OUTPUT (its name says the format; a folder, or a name ending "
                    "with /, gets shards) and a JSON summary beside it. Restartable with --resume.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="corpus files or folders")
    p.add_argument("-o", "--output", required=True,
                   help="output file (.jsonl, .jsonl.gz, .jsonl.zst, .parquet) or folder (ends with /)")
    p.add_argument("--detect", action="store_true", help="add spin_score, spin_flagged, spin_spans (the default)")
    p.add_argument("--fast", action="store_true",
                   help="with --detect: the fast scan alone, as detect --fast (doubtful documents are not "
                        "restored to refine their score: faster, for a first pass over a large corpus)")
    p.add_argument("--restore", action="store_true", help="add restored and edits")
    p.add_argument("--trace", metavar="INDEX", help="add matches: likely sources in this trace index")
    p.add_argument("--cluster", action="store_true",
                   help="add cluster_id and cluster_size: groups of documents that are spun copies of each other "
                        "(a second pass over the whole corpus; alone, it adds no other field)")
    p.add_argument("--cluster-threshold", type=float, metavar="S",
                   help="with --cluster: the trace score, each way, that joins two documents (default 0.35)")
    p.add_argument("--text-field", default="text", help="field holding the text (default: text)")
    p.add_argument("--id-field", default="id",
                   help="record id field (default: id); a record without one gets FILE:LINE (Parquet: FILE:ROW)")
    p.add_argument("--threshold", type=float, action="append", metavar="T",
                   help="flagged share at T in the summary; repeatable (default 0.5; the first sets spin_flagged)")
    p.add_argument("--workers", type=int, help="worker processes (default: all cores; 1 runs in-process)")
    p.add_argument("--shard-size", type=int, default=1000, help="records per work unit and shard (default 1000)")
    p.add_argument("--output-format", choices=["jsonl", "jsonl.gz", "jsonl.zst", "parquet"],
                   help="format of the shards or file (default: from OUTPUT's name; a folder: jsonl)")
    p.add_argument("--skip-bad", action="store_true",
                   help="skip malformed records, naming each on stderr and listing them in the summary")
    p.add_argument("--resume", action="store_true", help="finish an interrupted job (same command)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument("--errors", choices=["strict", "replace"], default="strict",
                   help="invalid UTF-8: fail naming the line (strict), or replace it")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local processes (default), or Ray Data (pip install 'unspin[ray]')")
    p.add_argument("--address", help="Ray cluster address (default: start a local Ray)")
    p.set_defaults(func=run_screen)


def _annotate_config(args):
    from ..annotate import AnnotateConfig

    for t in args.threshold or []:
        if not 0.0 <= t <= 1.0:
            raise UsageError(f"--threshold must be between 0 and 1 (got {t})")
    if args.trace and not os.path.exists(args.trace):
        raise UnspinError(f"{args.trace}: no such trace index")
    detect = args.detect or not (args.restore or args.trace or args.cluster)
    if args.fast and not detect:
        raise UsageError("--fast applies to --detect (give --detect with --restore, --trace or --cluster)")
    kw = {} if detect else {"detect": None}
    if args.fast:
        from ..detection.detector import DetectConfig

        kw["detect"] = DetectConfig(fast=True)
    if args.restore:
        from ..restoration.restorer import RestoreConfig

        kw["restore"] = RestoreConfig()
    return AnnotateConfig(trace_index=args.trace, threshold=(args.threshold or [0.5])[0],
                          text_field=args.text_field, **kw)


def run_screen(args) -> int:
    config = _annotate_config(args)
    thresholds = tuple(args.threshold or [0.5])
    fmt = "." + args.output_format if args.output_format else None
    if args.cluster_threshold is not None and not args.cluster:
        raise UsageError("--cluster-threshold needs --cluster")
    if args.engine == "ray":
        from ..screening.ray_engine import ray_screen_files

        if args.cluster:
            raise UsageError("--cluster applies to --engine local (not supported on Ray yet)")
        if args.workers:
            raise UsageError("--workers applies to --engine local (Ray schedules its own workers)")
        summary = ray_screen_files(args.inputs, args.output, config, thresholds=thresholds, output_format=fmt,
                                   address=args.address, overwrite=args.overwrite, resume=args.resume)
    else:
        if args.address:
            raise UsageError("--address applies to --engine ray")
        from ..screening import ScreenJob, screen

        job = ScreenJob(tuple(args.inputs), args.output, config, thresholds, args.id_field, args.shard_size,
                        args.workers, fmt, args.skip_bad, args.resume, args.overwrite, args.errors,
                        cluster=_cluster_threshold(args))
        summary = screen(job)
    if summary:
        brief = {k: summary[k] for k in ("documents", "bad_records", "elapsed_s", "docs_per_s") if k in summary}
        print(f"unspin: screened {json.dumps(brief)}", file=sys.stderr)
    return 0


def _cluster_threshold(args) -> float | None:
    if not args.cluster:
        return None
    from ..screening.cluster import THRESHOLD

    return THRESHOLD if args.cluster_threshold is None else args.cluster_threshold
