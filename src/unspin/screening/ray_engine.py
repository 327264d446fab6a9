"""Screening on Ray Data: the same per-batch function (:class:`~unspin.annotate.Annotator`)
applied by ``map_batches`` with a callable class, so each Ray actor loads the models once;
reading and writing with Ray Data's own JSON and Parquet readers and writers.

Ray is an optional extra (``pip install 'unspin[ray]'``). Ray Data retries failed tasks and
actors itself; a driver that dies is restarted with ``--resume``: each input file is a unit,
recorded in the manifest when its shards are in place (:func:`ray_screen_files`). Records whose
text field is missing are kept and marked (``unspin_error``), never dropped.

>>> import ray                                                        # doctest: +SKIP
>>> ds = ray.data.read_parquet("s3://bucket/corpus/")                 # doctest: +SKIP
>>> ray_screen(ds, AnnotateConfig()).write_parquet("s3://bucket/out/")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time

from ..annotate import AnnotateConfig, Annotator
from ..errors import UnspinError, UsageError
from .formats import expand, kind_of, records_table
from .manifest import MANIFEST, Manifest, summarize, unit_stats, write_json
from .local import SUMMARY


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise UnspinError("--engine ray needs Ray Data: pip install 'unspin[ray]'") from None
    return ray


class RayAnnotator:
    """The callable class ``map_batches`` instantiates once per actor: one Annotator each."""

    def __init__(self, config: AnnotateConfig):
        from ..runtime import set_batch_gc

        set_batch_gc()  # an actor exists for the job: batch work's collector settings (unspin.runtime)
        self.annotator = Annotator(config)

    def __call__(self, batch):
        return records_table(self.annotator(batch.to_pylist()))


def ray_screen(ds, config: AnnotateConfig | None = None, *, batch_size: int = 256, concurrency=None):
    """``ds`` (a ``ray.data.Dataset`` of records) with unspin's fields added, lazily.
    ``concurrency``: actors (default: the cluster's CPUs)."""
    ray = _ray()
    config = dataclasses.replace(config or AnnotateConfig(), on_bad="mark")
    if concurrency is None:
        concurrency = max(1, int(ray.cluster_resources().get("CPU", 1)))
    from ray.data import ActorPoolStrategy

    return ds.map_batches(RayAnnotator, fn_constructor_kwargs={"config": config}, batch_format="pyarrow",
                          batch_size=batch_size, compute=ActorPoolStrategy(size=concurrency))


def _read(ray, files: list[str]):
    kinds = {".parquet" if kind_of(f) == ".parquet" else "json" for f in files}
    if len(kinds) > 1:
        raise UsageError("--engine ray reads JSONL or Parquet in one job, not both")
    # Reading and writing are light next to annotating; reserving a CPU for them as well as one
    # per actor deadlocks a small machine (actors hold all CPUs, the read task waits forever).
    if kinds == {".parquet"}:
        return ray.data.read_parquet(files, num_cpus=0)
    return ray.data.read_json(files, lines=True, num_cpus=0)


def _clear(out: str) -> None:
    for name in os.listdir(out):
        path = os.path.join(out, name)
        if name.endswith((".json", ".jsonl", ".parquet")) or name in (SUMMARY, MANIFEST):
            os.unlink(path)
        elif name.startswith(_TMP) and os.path.isdir(path):
            shutil.rmtree(path)


# A unit is one input file, screened as its own Ray Data job; its shards are written in a
# temporary folder, moved into the output as ``uNNNNN-<Ray's name>``, and then the manifest
# records the unit. A unit that is not in the manifest has its moved shards and its temporary
# folder removed before it is redone, so a driver killed at any moment loses and duplicates nothing.
_TMP = ".tmp-"


def _unit_name(i: int) -> str:
    return f"u{i:05d}"


def _forget(out: str, unit: str) -> None:
    """Whatever an unfinished run left of ``unit``."""
    shutil.rmtree(os.path.join(out, _TMP + unit), ignore_errors=True)
    for name in os.listdir(out):
        if name.startswith(unit + "-"):
            os.unlink(os.path.join(out, name))


def _screen_unit(ray, path: str, out: str, unit: str, config: AnnotateConfig, kind: str,
                 thresholds: list[float]) -> dict:
    tmp = os.path.join(out, _TMP + unit)
    ds = ray_screen(_read(ray, [path]), config)
    if kind == ".parquet":
        ds.write_parquet(tmp, ray_remote_args={"num_cpus": 0})
    else:
        ds.write_json(tmp, ray_remote_args={"num_cpus": 0})
    # The statistics come from the written shards (two columns), so the driver never holds the corpus.
    back = ray.data.read_parquet(tmp) if kind == ".parquet" else ray.data.read_json(tmp, lines=True)
    cols = [config.text_field] + (["spin_score"] if config.detect is not None else [])
    stats = unit_stats([], [], config.text_field, thresholds)
    for batch in back.select_columns(cols).iter_batches(batch_format="pyarrow", batch_size=4096):
        b = unit_stats(batch.to_pylist(), [], config.text_field, thresholds)
        stats = {k: (v + b[k] if isinstance(v, int) else [x + y for x, y in zip(v, b[k])])
                 for k, v in stats.items()}
    for name in sorted(os.listdir(tmp)):
        os.replace(os.path.join(tmp, name), os.path.join(out, f"{unit}-{name}"))
    os.rmdir(tmp)
    return stats


def ray_screen_files(inputs: list[str], output: str, config: AnnotateConfig, *, thresholds=(0.5,),
                     output_format: str | None = None, address: str | None = None,
                     overwrite: bool = False, resume: bool = False) -> dict:
    """The CLI's ``--engine ray``: read ``inputs``, annotate, write a folder of shards at ``output``
    and ``summary.json`` in it; returns the summary. Each input file is a unit (its own Ray Data
    job) recorded in the manifest when its shards are in place: ``resume`` skips the done ones."""
    ray = _ray()
    files = expand(inputs)
    kind = output_format or ".jsonl"
    if not (output.endswith(("/", os.sep)) or os.path.isdir(output)) or kind not in (".jsonl", ".parquet"):
        raise UsageError("--engine ray writes a folder of JSONL or Parquet shards: give -o FOLDER/ "
                         "(and --output-format jsonl or parquet)")
    if os.path.isdir(output) and os.listdir(output) and not resume:
        if not overwrite:
            raise UsageError(f"{output}: exists and is not empty; --overwrite replaces it (or --resume finishes it)")
        _clear(output)
    os.makedirs(output, exist_ok=True)
    job = {"engine": "ray", "inputs": files, "format": kind, "text_field": config.text_field,
           "detect": config.detect is not None, "restore": config.restore is not None,
           "trace": config.trace_index, "thresholds": list(thresholds)}
    if config.detect is not None and config.detect.label != "full":
        job["detect_mode"] = config.detect.label  # only then: manifests of default jobs stay valid
    manifest = Manifest.load(output, job) if resume else Manifest(output, job)
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="warning")
    ray.data.DataContext.get_current().enable_progress_bars = os.isatty(2)
    t0 = time.monotonic()
    run_docs = run_bytes = 0
    resumed = len(manifest.units)
    for i, path in enumerate(files):
        unit = _unit_name(i)
        if unit in manifest.units:
            continue
        _forget(output, unit)
        stats = _screen_unit(ray, path, output, unit, config, kind, list(thresholds))
        manifest.done(unit, stats)
        run_docs += stats["documents"]
        run_bytes += stats["text_bytes"]
    summary = summarize(manifest.units, list(thresholds), elapsed=time.monotonic() - t0, run_documents=run_docs,
                        run_bytes=run_bytes, scored=config.detect is not None, engine="ray", output=output,
                        resumed_units=resumed)
    write_json(os.path.join(output, SUMMARY), summary)
    return summary
