"""Screening on one machine: a reader cuts the inputs into units, worker processes annotate them
(one :class:`~unspin.annotate.Annotator` each) and write each unit's shard, the manifest records
each finished unit.

Memory is bounded: at most ``2 * workers`` units are in flight (the reader waits for one to
finish before cutting the next), and no worker holds more than its unit. On Linux the workers
are forked after the parent loaded the models, so the tables they read are shared pages.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import glob
import multiprocessing
import os
import shutil
import sys
import time
from dataclasses import dataclass, field

from ..annotate import AnnotateConfig, Annotator, get_annotator
from ..errors import UnspinError, UsageError
from ..inputs.paths import refuse_output_among_inputs
from ..runtime import set_batch_gc
from .cluster import cluster_shards
from .formats import Reader, Unit, concatenate, expand, output_kind, write_shard
from .manifest import MANIFEST, Manifest, summarize, unit_stats, write_json

SUMMARY = "summary.json"


@dataclass(frozen=True)
class ScreenJob:
    """A screening job: ``inputs`` (files or folders) annotated as ``annotate`` says into ``output``
    (a file, or a folder of shards when it ends with ``/`` or is one)."""

    inputs: tuple[str, ...]
    output: str
    annotate: AnnotateConfig = field(default_factory=AnnotateConfig)
    thresholds: tuple[float, ...] = (0.5,)
    id_field: str = "id"
    shard_size: int = 1000
    workers: int | None = None       # None: all cores
    output_format: str | None = None  # None: from the output's name (a folder: .jsonl)
    skip_bad: bool = False
    resume: bool = False
    overwrite: bool = False
    errors: str = "strict"
    cluster: float | None = None      # --cluster: its score threshold (None: no clustering)

    def __post_init__(self):
        if self.shard_size < 1:
            raise UsageError("--shard-size must be >= 1")
        if self.workers is not None and self.workers < 1:
            raise UsageError("--workers must be >= 1")
        if self.resume and self.overwrite:
            raise UsageError("--resume and --overwrite exclude each other")
        if self.cluster is not None and not 0.0 < self.cluster <= 1.0:
            raise UsageError(f"--cluster-threshold must be above 0 and at most 1 (got {self.cluster})")


@dataclass
class _Place:
    """Where a job writes: its shards' folder, the final file (None: the shards are the output)."""

    folder: str
    kind: str
    final: str | None
    summary: str

    def shard(self, key: str) -> str:
        return os.path.join(self.folder, key + self.kind)


def _place(job: ScreenJob, files: list[str]) -> _Place:
    out = job.output
    is_dir = out.endswith(("/", os.sep)) or os.path.isdir(out)
    kind = output_kind(out, is_dir, job.output_format)
    if is_dir:
        real = os.path.realpath(out) + os.sep
        for f in files:
            if os.path.realpath(f).startswith(real):
                raise UsageError(f"{f}: an input inside the output folder {out}; write the output elsewhere")
        return _Place(out, kind, None, os.path.join(out, SUMMARY))
    refuse_output_among_inputs([out], files)
    return _Place(out + ".parts", kind, out, out + ".summary.json")


def _ours(folder: str) -> list[str]:
    """The files a job writes in its folder (shards, temporaries, manifest, summary)."""
    names = ["part-*", ".part-*", f"{MANIFEST}", f".{MANIFEST}.tmp-*", SUMMARY, f".{SUMMARY}.tmp-*"]
    return [p for n in names for p in glob.glob(os.path.join(glob.escape(folder), n))]


def _prepare(job: ScreenJob, place: _Place) -> bool:
    """Check the output against --resume/--overwrite; False when a resumed job had finished."""
    finished = place.final is not None and os.path.exists(place.final) and not os.path.isdir(place.folder)
    existing = (place.final is not None and os.path.exists(place.final) and os.path.getsize(place.final) > 0) \
        or (os.path.isdir(place.folder) and bool(os.listdir(place.folder)))
    if job.resume and finished:
        return False
    if existing and not job.resume and not job.overwrite:
        raise UsageError(f"{job.output}: exists and is not empty; --resume finishes an interrupted job, "
                         "--overwrite starts again")
    if job.overwrite:
        for p in _ours(place.folder):
            os.unlink(p)
    # Temporaries of a run that was killed: never renamed, so never part of the output.
    for p in glob.glob(os.path.join(glob.escape(place.folder), ".part-*.tmp-*")):
        os.unlink(p)
    os.makedirs(place.folder, exist_ok=True)
    return True


def _job_settings(job: ScreenJob, files: list[str], kind: str) -> dict:
    """What a resumed run must share with the first (--skip-bad may change: finishing a job that
    stopped on a bad line with --skip-bad is what it is for)."""
    settings = {"inputs": [os.path.abspath(f) for f in files], "shard_size": job.shard_size,
                "id_field": job.id_field, "thresholds": list(job.thresholds), "format": kind,
                "annotate": repr(job.annotate), "errors": job.errors}
    if job.cluster is not None:  # only then: manifests of jobs without --cluster stay valid
        settings["cluster"] = job.cluster
    return settings


# ----------------------------------------------------------------------------- workers

_WORKER: Annotator | None = None


def _init_worker(config: AnnotateConfig) -> None:
    global _WORKER
    set_batch_gc()  # (a forked worker has it from the command line already; a spawned one not)
    _WORKER = get_annotator(config)  # forked after the parent built it: the same, loaded once


def process_unit(annotator: Annotator, unit: Unit, path: str, kind: str, thresholds) -> dict:
    """Annotate one unit, write its shard (atomically), return its statistics."""
    records = annotator(unit.records)
    write_shard(path, kind, records)
    return unit_stats(records, unit.bad, annotator.config.text_field, list(thresholds))


def _work(unit: Unit, path: str, kind: str, thresholds) -> tuple[str, dict]:
    return unit.key, process_unit(_WORKER, unit, path, kind, thresholds)


class Progress:
    """docs/s, MB/s (of text) and ETA (from the input files' bytes read) on a terminal only."""

    def __init__(self, total_bytes: int, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.total, self.t0, self.last = total_bytes, time.monotonic(), 0.0
        self.docs = self.text = 0

    def update(self, stats: dict, disk_bytes: int, force: bool = False) -> None:
        self.docs += stats["documents"]
        self.text += stats["text_bytes"]
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.5 and not force):
            return
        self.last, dt = now, max(now - self.t0, 1e-9)
        eta = ""
        if 0 < disk_bytes < self.total:
            eta = f"  ETA {int(dt * (self.total - disk_bytes) / disk_bytes)}s"
        sys.stderr.write(f"\rscreen: {self.docs} docs  {self.docs / dt:.1f} docs/s  "
                         f"{self.text / 1e6 / dt:.3f} MB/s{eta}   ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _run_units(job: ScreenJob, reader: Reader, place: _Place, manifest: Manifest, progress: Progress) -> None:
    workers = job.workers or os.cpu_count() or 1
    record = lambda key, stats: (manifest.done(key, stats), progress.update(stats, reader.bytes_read))  # noqa: E731
    if workers == 1:
        annotator = get_annotator(job.annotate)
        for unit in reader:
            record(unit.key, process_unit(annotator, unit, place.shard(unit.key), place.kind, job.thresholds))
        return
    # The models load lazily, on first use: annotating one short text in the parent loads the
    # tables it touches before the fork, so the workers share those pages instead of each
    # reading its own copy.
    get_annotator(job.annotate)([{job.annotate.text_field: "The council met to discuss the budget."}])
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    ctx = multiprocessing.get_context(method)
    with cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                initargs=(job.annotate,)) as pool:
        pending: set[cf.Future] = set()
        try:
            for unit in reader:
                pending.add(pool.submit(_work, unit, place.shard(unit.key), place.kind, job.thresholds))
                if len(pending) >= 2 * workers:
                    pending = _collect(pending, record, cf.FIRST_COMPLETED)
            _collect(pending, record, cf.ALL_COMPLETED)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _collect(pending: set, record, how) -> set:
    done, pending = cf.wait(pending, return_when=how)
    for f in done:
        try:
            record(*f.result())
        except cf.process.BrokenProcessPool:
            raise UnspinError("a worker process died (out of memory?); finish with --resume") from None
    return pending


def screen(job: ScreenJob, progress: bool | None = None) -> dict:
    """Run ``job``; returns the summary (also written beside the output)."""
    files = expand(list(job.inputs))
    place = _place(job, files)
    if not _prepare(job, place):
        print(f"unspin: {job.output}: already complete", file=sys.stderr)
        with contextlib.suppress(OSError, ValueError):
            import json

            with open(place.summary, encoding="utf-8") as f:
                return json.load(f)
        return {}
    settings = _job_settings(job, files, place.kind)
    manifest = Manifest.load(place.folder, settings) if job.resume else Manifest(place.folder, settings)
    resumed = len(manifest.units)
    reader = Reader(files, job.shard_size, text_field=job.annotate.text_field, id_field=job.id_field,
                    skip_bad=job.skip_bad, errors=job.errors, done=frozenset(manifest.units))
    bar = Progress(sum(os.path.getsize(f) for f in files), progress)
    t0 = time.monotonic()
    try:
        _run_units(job, reader, place, manifest, bar)
    finally:
        bar.close()
        reader.warn.report()
    clusters = {}
    if job.cluster is not None:
        # After every unit is done (also on --resume): the pass needs the whole corpus.
        keys = sorted(manifest.units)
        clusters = cluster_shards([place.shard(k) for k in keys], [manifest.units[k]["documents"] for k in keys],
                                  place.kind, text_field=job.annotate.text_field, id_field=job.id_field,
                                  threshold=job.cluster, workers=job.workers or os.cpu_count() or 1,
                                  folder=place.folder)
    elapsed = time.monotonic() - t0
    summary = summarize(manifest.units, list(job.thresholds), elapsed=elapsed, run_documents=bar.docs,
                        run_bytes=bar.text, scored=job.annotate.detect is not None,
                        resumed_units=resumed, workers=job.workers or os.cpu_count() or 1, engine="local",
                        output=job.output, **clusters)
    if place.final is not None:
        concatenate([place.shard(k) for k in sorted(manifest.units)], place.kind, place.final)
    write_json(place.summary, summary)
    if place.final is not None:
        shutil.rmtree(place.folder)
    return summary
