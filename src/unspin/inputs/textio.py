"""Reading user input safely and writing outputs atomically.

Reading: UTF-8 with byte-offset errors, binary refused, JSONL with ``FILE:LINE: reason`` errors.
A UTF-8 BOM is kept in the text as U+FEFF, so every offset a command reports indexes the text of
the file as any UTF-8 reader decodes it.

Writing: :func:`open_output` writes a file through a temporary file beside it, renamed over it
only when the command succeeds; a failure leaves the old file as it was (and the temporary file
a killed writer leaves is removed by the next write: :mod:`.tempfiles`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from typing import IO

from ..errors import UnspinError
from .paths import is_stream_path, refuse_special_input
from .tempfiles import create_temp

_BINARY_SNIFF = 8192
BOM = b"\xef\xbb\xbf"


def decode_bytes(data: bytes, name: str, errors: str = "strict") -> str:
    """Decode UTF-8 (a BOM stays as U+FEFF); refuse binary; report the byte offset of bad UTF-8."""
    head = data[:_BINARY_SNIFF]
    if b"\x00" in head:
        raise UnspinError(f"{name}: looks like a binary file (NUL bytes); give text, or use a command that extracts it")
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
    refuse_special_input(path)
    with os_errors(path), open(path, "rb") as f:
        return f.read(), str(path)


def read_text(path: str, errors: str = "strict") -> str:
    """Whole text of ``path`` (``-`` is standard input)."""
    data, name = read_bytes(path)
    return decode_bytes(data, name, errors)


def open_binary_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    refuse_special_input(path)
    with os_errors(path):
        return open(path, "rb")


class BadLines:
    """Malformed JSONL lines skipped with --skip-bad: the first :attr:`SHOWN` are each warned about
    on stderr (``FILE:LINE: reason``) as they are met; :meth:`report` prints how many there were."""

    SHOWN = 20

    def __init__(self) -> None:
        self.count = 0

    def skip(self, reason: str) -> None:
        self.count += 1
        if self.count <= self.SHOWN:
            print(f"unspin: warning: {reason} (line skipped)", file=sys.stderr)

    def report(self) -> None:
        if self.count:
            unlisted = self.count - self.SHOWN
            more = f"; {unlisted} not listed above" if unlisted > 0 else ""
            print(f"unspin: skipped {self.count} bad line(s){more}", file=sys.stderr)


# A JSON escape that may decode to half of a surrogate pair: only lines holding one are searched.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _fix_surrogates(obj, replace: bool) -> bool:
    """Whether ``obj`` (parsed JSON) holds a lone surrogate; with ``replace`` each one becomes
    U+FFFD in place. Iterative: the nesting json.loads accepts must not overflow the stack here."""
    found = False
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, dict):
            if any(_LONE_SURROGATE.search(k) for k in o):
                found = True
                if not replace:
                    return True
                items = list(o.items())
                o.clear()
                o.update((_LONE_SURROGATE.sub("\ufffd", k), v) for k, v in items)
            entries = o.items()
        elif isinstance(o, list):
            entries = enumerate(o)
        else:
            continue
        for k, v in list(entries):
            if isinstance(v, str):
                if _LONE_SURROGATE.search(v):
                    found = True
                    if not replace:
                        return True
                    o[k] = _LONE_SURROGATE.sub("\ufffd", v)
            elif isinstance(v, (dict, list)):
                stack.append(v)
    return found


def parse_jsonl_line(raw: bytes, where: str, offset: int = 0, errors: str = "strict",
                     text_field: str | None = None) -> dict | None:
    """One JSONL line -> its object (None for a blank line); an UnspinError says what is wrong.
    ``where`` is ``FILE:LINE``; ``offset``: the line's byte offset in the file (0: a BOM is dropped)."""
    try:
        line = raw.decode("utf-8", errors=errors)
    except UnicodeDecodeError as e:
        raise UnspinError(f"{where}: invalid UTF-8 at byte offset {offset + e.start}; "
                          "fix the encoding or pass --errors replace") from None
    if offset == 0:
        line = line.removeprefix("\ufeff")
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        # json's messages expect a position after them ("Invalid control character at").
        at = "" if e.msg.endswith(" at") else " at"
        raise UnspinError(f"{where}: not valid JSON: {e.msg}{at} column {e.colno}") from None
    except RecursionError:
        raise UnspinError(f"{where}: not valid JSON: nested too deeply") from None
    if not isinstance(obj, dict):
        raise UnspinError(f"{where}: expected a JSON object")
    if _SURROGATE_ESCAPE.search(line) and _fix_surrogates(obj, errors == "replace"):
        if errors != "replace":
            raise UnspinError(f"{where}: a string holds a lone surrogate (an unpaired \\ud800-\\udfff "
                              "escape), which is not text; fix the data or pass --errors replace")
    if text_field is not None and not isinstance(obj.get(text_field), str):
        raise UnspinError(f"{where}: field {text_field!r} is missing or not a string")
    return obj


def iter_jsonl(path: str, *, skip_bad: bool = False, bad: BadLines | None = None,
               errors: str = "strict", text_field: str | None = None) -> Iterator[tuple[int, dict]]:
    """Stream ``(line_number, object)`` from a JSONL file with bounded memory.

    A malformed line (bad UTF-8, bad JSON, not an object, a lone surrogate escape, or no string
    under ``text_field`` when one is given) raises an error ``FILE:LINE: reason``, unless
    ``skip_bad`` (then it goes to ``bad``, which warns). ``errors="replace"`` replaces bad UTF-8
    and lone surrogates with U+FFFD. Blank lines are ignored; a BOM before the first line too.
    """
    name = "<stdin>" if path == "-" else path
    bad = BadLines() if bad is None else bad
    f = open_binary_input(path)
    try:
        offset = 0
        for lineno, raw in enumerate(f, 1):
            try:
                obj = parse_jsonl_line(raw, f"{name}:{lineno}", offset, errors, text_field)
            except UnspinError as e:
                if not skip_bad:
                    raise
                bad.skip(str(e))
                continue
            finally:
                offset += len(raw)
            if obj is not None:
                yield lineno, obj
    finally:
        if f is not sys.stdin.buffer:
            f.close()


# ----------------------------------------------------------------------------- outputs

def silence_stdout() -> None:
    """After standard output failed (full disk, reader gone): send what is still buffered to
    /dev/null, so the interpreter's flush at exit neither fails again nor prints a traceback."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return  # not a real stream (a test's capture): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def flush_stdout() -> None:
    """Flush standard output, a failure being an error naming it (a broken pipe is not ours)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        silence_stdout()
        raise UnspinError(f"<stdout>: cannot write ({e.strerror or e})") from None


class Output:
    """A text output: standard output, or a file written through a temporary file beside it.

    Use it as a context manager: on a normal exit the temporary file is flushed, synced and
    renamed over the target; on any exception (KeyboardInterrupt included) it is removed and the
    target keeps its old content. A target that is not a regular file (``/dev/null``, a pipe,
    a terminal) is written directly. Write errors become an error naming the output.
    """

    def __init__(self, path: str | None) -> None:
        self.name = "<stdout>" if path in (None, "-") else str(path)
        self._tmp: str | None = None
        self._target: str | None = None
        if path in (None, "-"):
            self._f: IO[str] = sys.stdout
            return
        with self._errors():
            self._open(str(path))

    def _open(self, path: str) -> None:
        target = os.path.realpath(path)  # through a symlink: replace the file, not the link
        try:
            st = os.stat(target)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise UnspinError(f"{path}: is a directory")
        if is_stream_path(path) or (st is not None and not stat.S_ISREG(st.st_mode)):
            # A stream or device is written as it is; appending, because `-o /dev/stdout >> log`
            # must add to log, and reopening the file behind it with truncation would empty it.
            self._f = open(path, "a", encoding="utf-8")
            return
        fd, tmp = create_temp(target)
        self._tmp, self._target = tmp, target
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
        self._f = open(fd, "w", encoding="utf-8")

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as e:
            if self.name == "<stdout>":
                silence_stdout()
            raise UnspinError(f"{self.name}: cannot write ({e.strerror or e})") from None

    def write(self, s: str) -> int:
        with self._errors():
            return self._f.write(s)

    def flush(self) -> None:
        with self._errors():
            self._f.flush()

    def isatty(self) -> bool:
        return self._f.isatty()

    def commit(self) -> None:
        """Finish: flush (standard output) or close and rename over the target (a file)."""
        if self._f is sys.stdout:
            self.flush()
            return
        with self._errors():
            if self._tmp is not None:
                self._f.flush()
                os.fsync(self._f.fileno())
            self._f.close()
            if self._tmp is not None:
                os.replace(self._tmp, self._target)
                self._tmp = None

    def abort(self) -> None:
        """Give up: close and remove the temporary file, leaving the target as it was."""
        if self._f is sys.stdout:
            return
        with contextlib.suppress(OSError):
            self._f.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            self._tmp = None

    def __enter__(self) -> "Output":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
            return
        try:
            self.commit()
        except BaseException:
            self.abort()
            raise


def open_output(path: str | None) -> Output:
    """Where to write: ``None`` or ``-`` is standard output, else a file replaced atomically on
    success (use with ``with``). See :class:`Output`."""
    return Output(path)


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
