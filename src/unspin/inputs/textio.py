"""Reading user input safely: UTF-8 with byte-offset errors, binary refusal, JSONL with line numbers."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import IO

from ..errors import UnspinError

_BINARY_SNIFF = 8192


def decode_bytes(data: bytes, name: str, errors: str = "strict") -> str:
    """Decode UTF-8 (BOM tolerated); refuse binary; report the byte offset of bad UTF-8."""
    head = data[:_BINARY_SNIFF]
    if b"\x00" in head:
        raise UnspinError(f"{name}: looks like a binary file (NUL bytes); give text, or use a command that extracts it")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as e:
        raise UnspinError(
            f"{name}: invalid UTF-8 at byte offset {e.start} (byte 0x{data[e.start]:02x}); "
            "fix the encoding or pass --errors replace"
        ) from None


@contextlib.contextmanager
def os_errors(path) -> Iterator[None]:
    """Turn the OS's file errors into one-line user errors naming the path."""
    try:
        yield
    except FileNotFoundError:
        raise UnspinError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnspinError(f"{path}: is a directory") from None
    except OSError as e:
        raise UnspinError(f"{path}: {e.strerror}") from None


def read_bytes(path: str) -> tuple[bytes, str]:
    """Whole content of ``path`` (``-`` is standard input) and the name to report it by."""
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    with os_errors(path), open(path, "rb") as f:
        return f.read(), str(path)


def read_text(path: str, errors: str = "strict") -> str:
    """Whole text of ``path`` (``-`` is standard input)."""
    data, name = read_bytes(path)
    return decode_bytes(data, name, errors)


def open_binary_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    with os_errors(path):
        return open(path, "rb")


class BadLines:
    """Counts malformed JSONL lines skipped with --skip-bad."""

    def __init__(self) -> None:
        self.count = 0


def iter_jsonl(path: str, *, skip_bad: bool = False, bad: BadLines | None = None,
               errors: str = "strict") -> Iterator[tuple[int, dict]]:
    """Stream ``(line_number, object)`` from a JSONL file with bounded memory.

    A malformed line raises an error naming the line, unless ``skip_bad`` (then it is counted
    in ``bad``). Blank lines are ignored.
    """
    name = "<stdin>" if path == "-" else path
    f = open_binary_input(path)
    try:
        offset = 0
        for lineno, raw in enumerate(f, 1):
            try:
                try:
                    line = raw.decode("utf-8", errors=errors)
                except UnicodeDecodeError as e:
                    raise UnspinError(f"{name}:{lineno}: invalid UTF-8 at byte offset {offset + e.start}")
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise UnspinError(f"{name}:{lineno}: not valid JSON ({e.msg})") from None
                if not isinstance(obj, dict):
                    raise UnspinError(f"{name}:{lineno}: expected a JSON object")
            except UnspinError:
                if not skip_bad:
                    raise
                if bad is not None:
                    bad.count += 1
                continue
            finally:
                offset += len(raw)
            yield lineno, obj
    finally:
        if f is not sys.stdin.buffer:
            f.close()


def open_output(path: str | None) -> IO[str]:
    if path is None or path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as e:
        raise UnspinError(f"{path}: cannot write ({e.strerror})") from None


def progress(iterable, total: int | None = None, desc: str = ""):
    """A progress bar on a terminal only (stderr is a TTY); silent otherwise."""
    if not sys.stderr.isatty():
        yield from iterable
        return
    n = 0
    for item in iterable:
        n += 1
        if n % 50 == 0:
            tail = f"/{total}" if total else ""
            sys.stderr.write(f"\r{desc} {n}{tail}")
            sys.stderr.flush()
        yield item
    sys.stderr.write(f"\r{desc} {n} done\n")
