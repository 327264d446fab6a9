"""The models behind the server and the pool that runs them off the event loop.

Everything goes through :class:`unspin.annotate.Annotator` (the per-batch path the CLI's JSONL
modes use), so an API answer carries exactly the fields of ``unspin detect|restore|trace
--format jsonl``. Detection and restoration share one pool of threads sized to the cores; a
trace index holds a SQLite connection, which may only be used by the thread that opened it, so
trace calls run on one thread of their own where the index was opened.

A call that waits longer than ``timeout`` seconds raises :class:`Overloaded` (the HTTP layer's
503); a queued call whose caller already gave up is dropped before it starts, so a burst does
not leave the pool busy with answers nobody reads.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..annotate import AnnotateConfig, Annotator
from ..errors import UnspinError
from ..restoration.restorer import RestoreConfig, Restoration

# A short text run once at start-up so the lazily loaded tables (lexicon, LM, detector models)
# are in memory before the first request, not during it.
_WARM_UP = "The folks utilize the assault on the constructing to acquire the documents."


class Overloaded(Exception):
    """The per-request time limit passed before the answer was ready."""


class NoIndex(UnspinError):
    """A trace call on a server started without ``--index``."""


@dataclass(frozen=True)
class EngineConfig:
    index: str | None = None
    threads: int = 0          # 0: one per core
    timeout: float = 60.0     # seconds a request may wait for its answer, queue included
    trace_k: int = 5


class Engine:
    """Annotators loaded once; :meth:`run` calls one of them off the event loop."""

    def __init__(self, config: EngineConfig):
        self.config = config
        self.threads = config.threads or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="unspin-work")
        self._trace_pool = None
        self.annotators: dict[str, Annotator] = {}

    def start(self) -> None:
        """Load the models (and open the index); raises :class:`UnspinError` on a bad index."""
        self.annotators["detect"] = Annotator(AnnotateConfig())
        self.annotators["restore"] = Annotator(AnnotateConfig(detect=None, restore=RestoreConfig()))
        self.annotators["detect"].fields(_WARM_UP)
        self.annotators["restore"].fields(_WARM_UP)
        if self.config.index is not None:
            self._trace_pool = ThreadPoolExecutor(1, thread_name_prefix="unspin-trace")
            cfg = AnnotateConfig(detect=None, trace_index=self.config.index, trace_k=self.config.trace_k)
            self.annotators["trace"] = self._trace_pool.submit(Annotator, cfg).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        trace = self.annotators.pop("trace", None)
        if self._trace_pool is not None:
            if trace is not None:
                self._trace_pool.submit(trace.close).result()
            self._trace_pool.shutdown(wait=False, cancel_futures=True)

    @property
    def has_index(self) -> bool:
        return "trace" in self.annotators

    async def run(self, what: str, record: dict) -> dict:
        """``record`` with the fields of ``what`` (detect, restore or trace) added."""
        if what == "trace" and not self.has_index:
            raise NoIndex("this server has no trace index; start it with 'unspin serve --index INDEX'")
        annotator = self.annotators[what]
        return await self.call(what, annotator.annotate_record, record)

    async def call(self, what: str, fn, *args):
        """``fn(*args)`` on the pool for ``what``, within the time limit."""
        pool = self._trace_pool if what == "trace" else self._pool
        deadline = time.monotonic() + self.config.timeout

        def guarded():
            if time.monotonic() > deadline:
                return _LATE  # the caller has had its 503 already, or is about to
            return fn(*args)

        loop = asyncio.get_running_loop()
        try:
            got = await asyncio.wait_for(loop.run_in_executor(pool, guarded), self.config.timeout)
        except asyncio.TimeoutError:
            got = _LATE
        if got is _LATE:
            # A busy machine can start the work past the deadline before wait_for's own timer
            # fires: that caller gets its 503 too, never an empty answer.
            raise Overloaded(f"no answer within {self.config.timeout:g} s; the server is busy, try again later")
        return got

    def analyse(self, text: str) -> "Analysis":
        """Everything the web page shows for one text (blocking: run it through :meth:`call`).
        The page renders result objects, so this asks the annotators' loaded models directly
        (the API goes through :meth:`Annotator.annotate_record`)."""
        d = self.annotators["detect"].detector.detect(text)
        restorer = self.annotators["restore"].restorer
        r = restorer.restore(text) if text.strip() else Restoration(text, text, [])
        return Analysis(text, d, r, None)

    def trace(self, text: str) -> list:
        """The likely sources of ``text`` (blocking; on the trace thread, through :meth:`call`)."""
        from ..tracing.search import trace

        return trace(text, self.annotators["trace"].index, self.config.trace_k)


_LATE = object()  # what a call that started past its deadline returns instead of running


@dataclass
class Analysis:
    text: str
    detection: object          # Detection
    restoration: Restoration
    matches: list | None       # list[Match]; None: no index
