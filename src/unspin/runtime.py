"""Process settings for batch work: the command line, screen's worker processes, Ray's workers
and the benchmarks. The library's functions never change them; an application that embeds
unspin chooses (``with batch_gc(): ...``).

The pipelines cache what they compute per word form and per span, which is millions of small
tuples and dicts on a long stream. CPython's cyclic garbage collector runs a young-generation
pass every 700 net allocations by default, and every tenth of those passes goes on to an older
generation. Those passes went over the growing caches and cost 10-20 % of restoring a stream
(benchmarks/bench_restore.py, docs/restore.md "Speed, session 17"). unspin makes few reference
cycles, so batch work raises the first threshold to 50,000. Cycles are still collected, only
less often; the benchmark's peak memory did not change.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

BATCH_GC_THRESHOLDS = (50_000, 20, 20)


def set_batch_gc() -> None:
    """Set the batch thresholds for the rest of this process (a worker that exists for the job)."""
    gc.set_threshold(*BATCH_GC_THRESHOLDS)


@contextlib.contextmanager
def batch_gc() -> Iterator[None]:
    """The batch thresholds inside the block, the process's own again after it."""
    old = gc.get_threshold()
    gc.set_threshold(*BATCH_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
