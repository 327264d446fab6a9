"""Corpus files in and shards out: JSONL (plain, .gz, .zst) and Parquet, cut into work units.

A work unit is ``(input file, record range)``: lines ``[start, end)`` of a JSONL file (1-based,
blank and bad lines counted, so the ranges do not depend on what the lines hold) or rows of a
Parquet file (1-based too). The ranges depend only on the file and ``--shard-size``, so a
resumed run cuts the same units and can skip the ones its manifest lists as done.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import UnspinError, UsageError
from ..inputs.paths import Skipped, walk
from ..inputs.tempfiles import create_temp_path
from ..inputs.textio import BadLines, os_errors, parse_jsonl_line

JSONL_KINDS = (".jsonl", ".jsonl.gz", ".jsonl.zst")
KINDS = JSONL_KINDS + (".parquet",)
# Also accepted as JSONL on input (the same format under other common names).
_ALIASES = {".ndjson": ".jsonl", ".ndjson.gz": ".jsonl.gz", ".ndjson.zst": ".jsonl.zst",
            ".json.gz": ".jsonl.gz", ".json.zst": ".jsonl.zst"}


def require(module: str, what: str):
    """Import an optional module, or a one-line error saying how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UnspinError(f"{what} needs {module.split('.')[0]}: pip install 'unspin[ray]' "
                          f"(or pip install {module.split('.')[0]})") from None


def kind_of(path: str) -> str | None:
    """The format a path's name says (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``, ``.parquet``)."""
    low = path.lower()
    for ext in sorted(list(KINDS) + list(_ALIASES), key=len, reverse=True):
        if low.endswith(ext):
            return _ALIASES.get(ext, ext)
    return None


def expand(inputs: list[str]) -> list[str]:
    """Input files, folders replaced by the corpus files in them (stable order)."""
    files: list[str] = []
    skipped = Skipped()
    for p in inputs:
        if p == "-":
            raise UsageError("screen reads files (it needs to re-read them on --resume), not standard input")
        if os.path.isdir(p):
            found = list(walk(p, skipped, extensions=tuple(KINDS) + tuple(_ALIASES)))
            if not found:
                raise UnspinError(f"{p}: no .jsonl, .jsonl.gz, .jsonl.zst or .parquet files in this folder")
            files.extend(found)
        elif not os.path.exists(p):
            raise UnspinError(f"{p}: no such file")
        elif kind_of(p) is None:
            raise UsageError(f"{p}: unknown format; name it .jsonl, .jsonl.gz, .jsonl.zst or .parquet")
        else:
            files.append(p)
    skipped.summary()
    return files


@dataclass
class Unit:
    """One work unit: its records (ids added), the bad lines it skipped, and where it is."""

    key: str
    path: str
    start: int
    end: int
    records: list[dict] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)


def unit_key(file_no: int, unit_no: int) -> str:
    return f"part-{file_no:05d}-{unit_no:06d}"


@contextlib.contextmanager
def _open_jsonl(path: str) -> Iterator[tuple[io.BufferedIOBase, io.BufferedIOBase]]:
    """(lines, the file on disk): the decompressed stream and the raw file (its position
    tells how much of the file was read)."""
    kind = kind_of(path)
    with os_errors(path):
        raw = open(path, "rb")
    try:
        if kind == ".jsonl.gz":
            yield gzip.GzipFile(fileobj=raw, mode="rb"), raw
        elif kind == ".jsonl.zst":
            zstandard = require("zstandard", f"{path}")
            zr = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            yield io.BufferedReader(zr), raw
        else:
            yield raw, raw
    finally:
        raw.close()


def _decompress_errors():
    errs: tuple[type[BaseException], ...] = (OSError, EOFError)
    with contextlib.suppress(ImportError):
        import zstandard

        errs += (zstandard.ZstdError,)
    return errs


class Reader:
    """Cuts input files into units. ``done``: keys to skip (their lines are read, not parsed);
    ``skip_bad``: a bad line is warned about, listed in its unit and skipped (else an error
    ``FILE:LINE: reason``). ``bytes_read`` grows with the input files' on-disk bytes consumed."""

    def __init__(self, files: list[str], size: int, *, text_field: str, id_field: str,
                 skip_bad: bool, errors: str = "strict", done: frozenset[str] = frozenset()):
        self.files, self.size, self.text_field, self.id_field = files, size, text_field, id_field
        self.skip_bad, self.errors, self.done = skip_bad, errors, done
        self.warn = BadLines()
        self.bytes_read = 0

    def __iter__(self) -> Iterator[Unit]:
        for no, path in enumerate(self.files):
            before = self.bytes_read
            try:
                if kind_of(path) == ".parquet":
                    yield from self._parquet(no, path)
                else:
                    yield from self._jsonl(no, path)
            except _decompress_errors() as e:
                raise UnspinError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None
            with contextlib.suppress(OSError):
                self.bytes_read = before + os.path.getsize(path)

    def _bad(self, unit: Unit, message: str) -> None:
        if not self.skip_bad:
            raise UnspinError(message)
        self.warn.skip(message)
        unit.bad.append(message)

    def _add(self, unit: Unit, obj: dict, path: str, n: int) -> None:
        if self.id_field not in obj or obj[self.id_field] is None:
            obj[self.id_field] = f"{path}:{n}"  # stable: the same file and line on every run
        unit.records.append(obj)

    def _jsonl(self, no: int, path: str) -> Iterator[Unit]:
        unit = None
        offset = 0
        start_bytes = self.bytes_read
        with _open_jsonl(path) as (f, disk):
            # A pipe (``<(zcat …)``) has no position; the bytes of lines read stand in for it.
            seekable = disk.seekable()
            for lineno, raw in enumerate(f, 1):
                if unit is None:
                    k = (lineno - 1) // self.size
                    unit = Unit(unit_key(no, k), path, lineno, lineno + self.size)
                if unit.key not in self.done:
                    try:
                        obj = parse_jsonl_line(raw, f"{path}:{lineno}", offset, self.errors, self.text_field)
                    except UnspinError as e:
                        self._bad(unit, str(e))
                        obj = None
                    if obj is not None:
                        self._add(unit, obj, path, lineno)
                offset += len(raw)
                if lineno + 1 == unit.end:
                    self.bytes_read = start_bytes + (disk.tell() if seekable else offset)
                    if unit.key not in self.done:
                        yield unit
                    unit = None
        if unit is not None and unit.key not in self.done:
            unit.end = lineno + 1
            yield unit

    def _parquet(self, no: int, path: str) -> Iterator[Unit]:
        pq = require("pyarrow.parquet", path)

        try:
            pf = pq.ParquetFile(path)
        except Exception as e:  # pyarrow's own error types: the message names the problem
            raise UnspinError(f"{path}: not a readable Parquet file ({e})") from None
        total = pf.metadata.num_rows
        for k, batch in enumerate(pf.iter_batches(batch_size=self.size)):
            start = k * self.size + 1
            unit = Unit(unit_key(no, k), path, start, start + batch.num_rows)
            if unit.key in self.done:
                continue
            for n, obj in enumerate(batch.to_pylist(), start):
                if not isinstance(obj.get(self.text_field), str):
                    self._bad(unit, f"{path}: row {n}: field {self.text_field!r} is missing or not a string")
                    continue
                self._add(unit, obj, path, n)
            if total:
                self.bytes_read += os.path.getsize(path) * batch.num_rows // total
            yield unit


# ----------------------------------------------------------------------------- writing

def output_kind(path: str, is_dir: bool, fmt: str | None) -> str:
    """The output's format: ``--output-format``, else its name's extension; a folder: JSONL."""
    if fmt is not None:
        return fmt
    if is_dir:
        return ".jsonl"
    kind = kind_of(path)
    if kind is None:
        raise UsageError(f"{path}: unknown output format; name it .jsonl, .jsonl.gz, .jsonl.zst or .parquet, "
                         "or end it with / for a folder of shards")
    return kind


@contextlib.contextmanager
def atomic_path(target: str) -> Iterator[str]:
    """A temporary path beside ``target``, renamed over it when the block succeeds (removed if
    it fails), so a reader or a crash never sees a partial file under the final name."""
    tmp = create_temp_path(target)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def records_table(records: list[dict]):
    import pyarrow as pa

    # pa.Table.from_pylist infers the columns from the first record only: a field missing there
    # would be dropped. An array of all the records infers the union of their fields.
    return pa.Table.from_struct_array(pa.array(records)) if records else pa.table({})


def write_shard(path: str, kind: str, records: list[dict]) -> None:
    """Write one shard atomically (temporary name, renamed when complete)."""
    import json

    with atomic_path(path) as tmp:
        if kind == ".parquet":
            pq = require("pyarrow.parquet", path)
            try:
                pq.write_table(records_table(records), tmp)
            except Exception as e:  # pyarrow's ArrowInvalid/ArrowTypeError: mixed types in a column
                raise UnspinError(f"{path}: cannot write Parquet ({e}); write JSONL instead") from None
            return
        data = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records).encode("utf-8")
        if kind == ".jsonl.gz":
            data = gzip.compress(data, compresslevel=6, mtime=0)
        elif kind == ".jsonl.zst":
            data = require("zstandard", path).ZstdCompressor().compress(data)
        with open(tmp, "wb") as f:
            f.write(data)


def read_shard(path: str, kind: str) -> list[dict]:
    """The records of a shard this package wrote (whole: a shard is one bounded unit)."""
    import json

    if kind == ".parquet":
        return require("pyarrow.parquet", path).read_table(path).to_pylist()
    with _open_jsonl(path) as (f, _disk):
        return [json.loads(line) for line in f if line.strip()]


def concatenate(shards: list[str], kind: str, target: str) -> None:
    """Join shards (in order) into one file, atomically. Gzip members and zstd frames may be
    concatenated as they are; Parquet shards are rewritten under their unified schema."""
    with atomic_path(target) as tmp:
        if kind != ".parquet":
            with open(tmp, "wb") as out:
                for s in shards:
                    with open(s, "rb") as f:
                        while block := f.read(1 << 20):
                            out.write(block)
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        schemas = [pq.read_schema(s) for s in shards]
        schema = pa.unify_schemas(schemas, promote_options="permissive") if schemas else pa.schema([])
        with pq.ParquetWriter(tmp, schema) as w:
            for s in shards:
                w.write_table(_conform(pq.read_table(s), schema))


def _conform(table, schema):
    """``table`` under ``schema``: its columns cast, the ones it lacks all null."""
    import pyarrow as pa

    cols = [table.column(f.name).cast(f.type) if f.name in table.column_names
            else pa.nulls(table.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)
