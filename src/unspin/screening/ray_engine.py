"""Screening on Ray Data: the same per-batch function (:class:`~unspin.annotate.Annotator`)
applied by ``map_batches`` with a callable class, so each Ray actor loads the models once;
reading and writing with Ray Data's own JSON and Parquet readers and writers.

Ray is an optional extra (``pip install 'unspin[ray]'``). Ray Data retries failed tasks and
actors itself; a driver that dies loses the job (no ``--resume`` on this engine). Records whose
text field is missing are kept and marked (``unspin_error``), never dropped.

>>> import ray                                                        # doctest: +SKIP
>>> ds = ray.data.read_parquet("s3://bucket/corpus/")                 # doctest: +SKIP
>>> ray_screen(ds, AnnotateConfig()).write_parquet("s3://bucket/out/")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
import time

from ..annotate import AnnotateConfig, Annotator
from ..errors import UnspinError, UsageError
from .formats import expand, kind_of, records_table
from .manifest import summarize, unit_stats, write_json
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
        if name.endswith((".json", ".jsonl", ".parquet")) or name == SUMMARY:
            os.unlink(os.path.join(out, name))


def ray_screen_files(inputs: list[str], output: str, config: AnnotateConfig, *, thresholds=(0.5,),
                     output_format: str | None = None, address: str | None = None,
                     overwrite: bool = False) -> dict:
    """The CLI's ``--engine ray``: read ``inputs``, annotate, write a folder of shards at ``output``
    and ``summary.json`` in it; returns the summary."""
    ray = _ray()
    files = expand(inputs)
    kind = output_format or ".jsonl"
    if not (output.endswith(("/", os.sep)) or os.path.isdir(output)) or kind not in (".jsonl", ".parquet"):
        raise UsageError("--engine ray writes a folder of JSONL or Parquet shards: give -o FOLDER/ "
                         "(and --output-format jsonl or parquet)")
    if os.path.isdir(output) and os.listdir(output):
        if not overwrite:
            raise UsageError(f"{output}: exists and is not empty; --overwrite replaces it")
        _clear(output)
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="warning")
    ray.data.DataContext.get_current().enable_progress_bars = os.isatty(2)
    t0 = time.monotonic()
    ds = ray_screen(_read(ray, files), config)
    if kind == ".parquet":
        ds.write_parquet(output, ray_remote_args={"num_cpus": 0})
    else:
        ds.write_json(output, ray_remote_args={"num_cpus": 0})
    elapsed = time.monotonic() - t0
    # The statistics come from the written shards (two columns), so the driver never holds the corpus.
    back = ray.data.read_parquet(output) if kind == ".parquet" else ray.data.read_json(output, lines=True)
    cols = [config.text_field] + (["spin_score"] if config.detect is not None else [])
    stats = {}
    for i, batch in enumerate(back.select_columns(cols).iter_batches(batch_format="pyarrow", batch_size=4096)):
        stats[f"{i:09d}"] = unit_stats(batch.to_pylist(), [], config.text_field, list(thresholds))
    docs = sum(s["documents"] for s in stats.values())
    summary = summarize(stats, list(thresholds), elapsed=elapsed, run_documents=docs,
                        run_bytes=sum(s["text_bytes"] for s in stats.values()),
                        scored=config.detect is not None, engine="ray", output=output)
    summary.pop("units")
    write_json(os.path.join(output, SUMMARY), summary)
    return summary
