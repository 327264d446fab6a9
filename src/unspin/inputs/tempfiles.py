"""Temporary files beside an output, for atomic writes: every output file, index build and large
index add is written to ``.NAME.tmp-PID-RANDOM`` beside ``NAME`` and renamed over it when complete.

A process killed with ``kill -9`` cannot remove its temporary file, so :func:`create_temp`
first removes those of the same target whose process is gone (:func:`remove_stale_temps`).
Those of a live process (another writer now) are never touched: a PID still in use, or one we
cannot check, counts as live.
"""

from __future__ import annotations

import os
import re
import secrets

# the random part is absent from the names of older unspin versions' index builds (.NAME.tmp-PID)
_TEMP_NAME = re.compile(r"\.(?P<base>.+)\.tmp-(?P<pid>\d+)(?:-[0-9a-f]+)?")


def create_temp(target: str, mode: int = 0o666) -> tuple[int, str]:
    """Create a new empty temporary file beside ``target`` (``mode`` less the umask), after
    removing stale ones of the same target. Returns (an open write descriptor, its path)."""
    remove_stale_temps(target)
    folder, base = os.path.split(os.path.abspath(target))
    while True:
        tmp = os.path.join(folder, f".{base}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), tmp
        except FileExistsError:
            continue


def create_temp_path(target: str) -> str:
    """:func:`create_temp` for a writer that opens the file by name (SQLite, pyarrow)."""
    fd, tmp = create_temp(target)
    os.close(fd)
    return tmp


def remove_stale_temps(target: str) -> None:
    """Delete the temporary files of ``target`` that writers killed before they finished left
    beside it (their process is gone); those of live processes, this one included, stay."""
    folder, base = os.path.split(os.path.abspath(target))
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = _TEMP_NAME.fullmatch(name)
        if not m or m["base"] != base or int(m["pid"]) == os.getpid() or _process_alive(int(m["pid"])):
            continue
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass  # another writer removed it, or we may not: it is only disk space


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # not ours, or we cannot tell: leave its file alone
        return True
    return True
