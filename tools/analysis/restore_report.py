#!/usr/bin/env python3
"""Every restore figure issue 10 asks for, in one command: a markdown table (development tooling).

    PYTHONPATH=$PWD/src .venv/bin/python -m tools.analysis.restore_report [--json PATH] [--jobs N]
    ... --only wild-article --only s01      # some rows (--list names them)
    ... --quick                             # a subset for iterating (fewer clean/synthetic paragraphs, PPS sample)

Rows (each names its data, its mode and what was fitted on what):

* ``wild-article`` (the figure of record), ``wild-paragraph``, ``s01`` (the bundled example
  alone), ``rewrite``: ``unspin eval restore`` on the wild-dev pairs, leave-one-article-out for the
  learned table;
* ``clean``: held-out clean news (``--clean``, field ``text``) restored as it is, in articles of
  ``ARTICLE_PARAGRAPHS`` paragraphs: the share of its words changed;
* ``synthetic-moby``, ``synthetic-ppdb``, ``synthetic-context``: consistent spins
  (:mod:`unspin.evaluation.spinners`, rate ``RATE``, seed ``SEED``) of the same clean news, in the
  same articles, restored by article with the shipped table alone (nothing is learned from them);
* ``pps-unlisted``: tortured phrases with the list off (``tools/analysis/eval_pps.py``).

The default ``--clean`` is the lee150 set that ``tools/analysis/figures.py`` makes
(``--data DIR`` -> ``DIR/lee150.jsonl``: the first 150 news paragraphs of more than 30 words).
Everything is scored by the public evaluation functions (``evaluate_restore``, ``score_phrases``).
Data paths default to ``../shared`` beside the checkout; a missing file is a one-line error.

Time on the 2-core VM: before restore's round 2, one job, 4 min 0 s wall (2 min 23 s CPU),
``--quick`` 1 min 28 s; with round 2's document decoding (slower on spun text), the full report
took about 3 min wall with ``--jobs 2`` and about 3 min with one job on a quiet machine. The three
synthetic rows also restore the clean originals again (their false edits equal the clean row's
by construction).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

RATE = 0.3
SEED = 7
ARTICLE_PARAGRAPHS = 5  # clean news is grouped into articles of this many paragraphs
QUICK_PARAGRAPHS = 50  # --quick: clean/synthetic rows use this many paragraphs
PPS_SAMPLE, QUICK_PPS_SAMPLE = 1000, 200

WILD = "../shared/data/wild-dev/pairs.jsonl"
# Made by tools/analysis/figures.py under its --data folder (default below), e.g. by
# `python -m tools.analysis.figures --out /tmp/figs --only restore-syn-moby`.
CLEAN = os.path.join(tempfile.gettempdir(), "unspin-figdata", "lee150.jsonl")
PPS = "../shared/data/pps/tortured-phrases.json"

# What each row's system was fitted on (the table's "fitted" column; NOTES explains them).
WILD_FIT = "table: LOAO; weights: wild-dev"
CLEAN_FIT = "table: shipped; weights: see notes"
SYN_FIT = "never (shipped table only)"
NOTES = """Notes. "table: LOAO": the learned substitution table used for an article is the shipped
table less this file's articles, plus what the file's other articles teach (leave-one-article-out);
"weights: wild-dev": the channel weights and edit cost were hand-set or grid-picked on wild-dev
(docs/restore.md). Synthetic rows: the spinner family was never fitted on; the table is the
shipped one (learned from wild-dev), nothing is learned from the synthetic file. Clean and
synthetic rows use the same clean news; with the default --clean (lee150), non-consistent moby and
wordnet spins of these paragraphs were among the sets the edit cost was picked on (docs/restore.md)."""


@dataclass(frozen=True)
class Row:
    name: str
    data: str
    mode: str
    fitted: str


ROWS = [
    Row("wild-article", "wild-dev synonym (10 articles)", "article", WILD_FIT),
    Row("wild-paragraph", "wild-dev synonym (54 paragraphs)", "paragraph", WILD_FIT),
    Row("s01", "wild-dev s01 (the bundled example)", "article", WILD_FIT),
    Row("rewrite", "wild-dev rewrite", "article", WILD_FIT),
    Row("clean", "clean news (--clean)", "article", CLEAN_FIT),
    Row("synthetic-moby", "moby (thesaurus) spins of clean news, consistent", "article", SYN_FIT),
    Row("synthetic-ppdb", "ppdb (pivot) spins of clean news, consistent", "article", SYN_FIT),
    Row("synthetic-context", "context-fitting spins of clean news, consistent", "article", SYN_FIT),
    Row("pps-unlisted", "PPS tortured phrases, list off (--no-fingerprints)", "sentence", "the list is not used"),
]
NAMES = [r.name for r in ROWS]


def clean_pairs(path: str, limit: int | None = None) -> list:
    """Clean paragraphs as pairs with spun == original, grouped into articles of
    ``ARTICLE_PARAGRAPHS`` (ids ``<article>-pNN``)."""
    from unspin.evaluation.data import Pair

    return [Pair(article_id(k)[0], r["text"], r["text"], article_id(k)[1])
            for k, r in enumerate(clean_rows(path, limit))]


def article_id(k: int) -> tuple[str, str]:
    """Paragraph ``k`` of the clean news: its article and its id ``<article>-pNN``."""
    art = f"news{k // ARTICLE_PARAGRAPHS:03d}"
    return art, f"{art}-p{k % ARTICLE_PARAGRAPHS + 1:02d}"


def clean_rows(path: str, limit: int | None) -> list[dict]:
    from unspin.inputs.textio import iter_jsonl

    rows = [obj for _, obj in iter_jsonl(path, text_field="text")]
    return rows[:limit] if limit else rows


def synthetic_pairs(style: str, path: str, ppdb_path: str, limit: int | None) -> list:
    from unspin.evaluation.data import Pair, group_of
    from unspin.evaluation.spinners import load_ppdb, spin_rows

    rows = [(k, dict(r, id=article_id(k)[1])) for k, r in enumerate(clean_rows(path, limit))]
    ppdb = load_ppdb(ppdb_path) if style == "ppdb" else None
    return [Pair(group_of(o, 0), o["spun"], o["original"], o["id"])
            for o in spin_rows(rows, RATE, SEED, style, consistent=True, ppdb=ppdb)]


def run_row(name: str, opts: dict) -> dict:
    """The figures of one row (a dict of the evaluation's output plus the row's description)."""
    from unspin.evaluation.data import load_pairs
    from unspin.evaluation.restore import evaluate_restore
    from unspin.restoration.restorer import RestoreConfig, get_restorer

    t0 = time.perf_counter()
    row = next(r for r in ROWS if r.name == name)
    limit = QUICK_PARAGRAPHS if opts["quick"] else None
    backend = opts.get("backend") or "ngram"
    config = RestoreConfig(edit_model=opts.get("edit_model") or "", document=not opts.get("no_document"),
                           backend=backend)
    if name in ("wild-article", "wild-paragraph", "s01", "rewrite"):
        pairs = load_pairs(opts["wild"], family="rewrite" if name == "rewrite" else "synonym")
        res = evaluate_restore(pairs, config, by_article=name != "wild-paragraph",
                               articles=["s01"] if name == "s01" else None)
    elif name == "clean":
        res = evaluate_restore(clean_pairs(opts["clean"], limit), config, loao=False, by_article=True)
    elif name.startswith("synthetic-"):
        style = name.split("-", 1)[1]
        if opts.get("family_models"):
            # the edit model fitted without this spinner family (tools/fit/fit_edit_model.py --exclude-family)
            config = RestoreConfig(edit_model=os.path.join(opts["family_models"], f"no-{style}.json"),
                                   document=config.document, backend=backend)
        pairs = synthetic_pairs(style, opts["clean"], opts["ppdb"], limit)
        res = evaluate_restore(pairs, config, loao=False, by_article=True)
    else:
        from tools.analysis.eval_pps import load_phrases, score_phrases

        phrases = load_phrases(opts["pps"], QUICK_PPS_SAMPLE if opts["quick"] else PPS_SAMPLE)
        res = score_phrases(phrases, get_restorer(RestoreConfig(fingerprints=False, backend=backend)))
    res.update(row=name, data=row.data, mode=row.mode, fitted=row.fitted,
               seconds=round(time.perf_counter() - t0, 1))
    return res


def _pct(v) -> str:
    return "—" if v is None else f"{100 * v:.2f} %"


def table(results: list[dict]) -> str:
    lines = ["| row | data | mode | repair | false edits (clean: words changed) | exact (PPS) | words | words/s "
             "| fitted |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        repair = "—" if r.get("repair") is None else f"{r['repair']:.3f}"
        words = r.get("original_words", r.get("phrases", ""))
        lines.append(f"| {r['row']} | {r['data']} | {r['mode']} | {repair} | {_pct(r.get('false_edit_rate'))} "
                     f"| {_pct(r.get('exact'))} | {words} | {r.get('words_per_s') or '—'} | {r['fitted']} |")
    return "\n".join(lines)


def _check_inputs(names: list[str], opts: dict) -> None:
    from unspin.errors import UnspinError

    need = {"wild": {"wild-article", "wild-paragraph", "s01", "rewrite"}, "pps": {"pps-unlisted"},
            "clean": {"clean", "synthetic-moby", "synthetic-ppdb", "synthetic-context"}, "ppdb": {"synthetic-ppdb"}}
    for key, rows in need.items():
        if rows & set(names) and not os.path.isfile(opts[key]):
            raise UnspinError(f"no such file: {opts[key]} (give it with --{key})")


def main(argv: list[str] | None = None) -> int:
    from unspin.errors import UnspinError
    from unspin.evaluation.spinners import DEFAULT_PPDB

    ap = argparse.ArgumentParser(prog="restore_report", description=__doc__.split("\n")[0])
    ap.add_argument("--only", action="append", choices=NAMES, metavar="NAME",
                    help=f"only this row (repeatable): {', '.join(NAMES)}")
    ap.add_argument("--quick", action="store_true",
                    help=f"{QUICK_PARAGRAPHS} clean paragraphs, PPS sample {QUICK_PPS_SAMPLE}")
    ap.add_argument("--jobs", type=int, default=1, help="rows run in this many processes")
    ap.add_argument("--json", help="also write the rows as JSON here")
    ap.add_argument("--list", action="store_true", help="list the rows and exit")
    ap.add_argument("--edit-model", help="decide with the edit models of this file (tools/fit/fit_edit_model.py)")
    ap.add_argument("--family-models", metavar="DIR",
                    help="synthetic-F rows use DIR/no-F.json, an edit model fitted without family F")
    ap.add_argument("--no-document", action="store_true", help="sentence-level decoding only (no edit model)")
    ap.add_argument("--backend", default="ngram",
                    help="context model: ngram (default), or a neural spec such as gguf (docs/neural.md)")
    ap.add_argument("--wild", default=WILD)
    ap.add_argument("--clean", default=CLEAN)
    ap.add_argument("--pps", default=PPS)
    ap.add_argument("--ppdb", default=DEFAULT_PPDB)
    args = ap.parse_args(argv)
    if args.list:
        for r in ROWS:
            print(f"{r.name}: {r.data}; {r.mode}; {r.fitted}")
        return 0
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    names = [n for n in NAMES if not args.only or n in args.only]
    opts = {"quick": args.quick, "wild": args.wild, "clean": args.clean, "pps": args.pps, "ppdb": args.ppdb,
            "edit_model": args.edit_model, "family_models": args.family_models, "no_document": args.no_document, "backend": args.backend}
    t0 = time.perf_counter()
    try:
        _check_inputs(names, opts)
        if args.jobs > 1:
            with ProcessPoolExecutor(args.jobs) as ex:
                results = list(ex.map(run_row, names, [opts] * len(names)))
        else:
            results = [run_row(n, opts) for n in names]
    except UnspinError as e:
        print(f"restore_report: error: {e}", file=sys.stderr)
        return 1
    print(table(results))
    print("\n" + NOTES)
    wall = round(time.perf_counter() - t0, 1)
    print(f"\n{'quick' if args.quick else 'full'} report, {len(results)} rows, {wall} s, jobs {args.jobs}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rows": results, "quick": args.quick, "seconds": wall, "rate": RATE, "seed": SEED,
                       "article_paragraphs": ARTICLE_PARAGRAPHS}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
