"""Shipped ``.npz`` tables as memory-mapped, read-only arrays, so that every process on a machine
(screen's workers, Ray actors, a server beside a batch job) shares one copy in the page cache.

numpy cannot map a member of an ``.npz`` archive, so on first use the archive is unpacked into
plain ``.npy`` files in a per-user cache folder (``$UNSPIN_CACHE_DIR``, else
``$XDG_CACHE_HOME/unspin``, else ``~/.cache/unspin``), named by the archive's sha256, and mapped
from there. The folder is written under a temporary name and renamed when complete, with a
``meta.json`` holding each file's sha256: a folder that is partial or whose files do not match is
rebuilt, never trusted. Where the cache cannot be written the arrays are read into memory, as
before.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile

import numpy as np

__all__ = ["cache_dir", "load_npz"]


def cache_dir() -> str:
    """The per-user cache folder of unspin's derived files."""
    base = os.environ.get("UNSPIN_CACHE_DIR")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "unspin")
    return base


def _sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _in_memory(path) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def _unpack(path, folder: str) -> None:
    """Write the archive's members as .npy files and meta.json into ``folder`` (atomically)."""
    parent = os.path.dirname(folder)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=os.path.basename(folder) + ".tmp-", dir=parent)
    try:
        meta = {}
        with np.load(path) as z:
            for name in z.files:
                f = os.path.join(tmp, name + ".npy")
                np.save(f, z[name], allow_pickle=False)
                meta[name] = _sha256(f)
        with open(os.path.join(tmp, "meta.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f)
        shutil.rmtree(folder, ignore_errors=True)  # a bad one (checked by the caller)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not os.path.isdir(folder):  # (else another process renamed its own first)
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _mapped(folder: str) -> dict[str, np.ndarray] | None:
    """The folder's arrays mapped read-only, or None when it is missing, partial or corrupt."""
    try:
        with open(os.path.join(folder, "meta.json"), encoding="utf-8") as f:
            meta = json.load(f)
        out = {}
        for name, digest in meta.items():
            f = os.path.join(folder, name + ".npy")
            if _sha256(f) != digest:
                return None
            # A plain ndarray view of the map: np.memmap's Python-level __array_finalize__
            # would run on every slice of the hot paths.
            out[name] = np.asarray(np.load(f, mmap_mode="r", allow_pickle=False))
        return out
    except (OSError, ValueError, json.JSONDecodeError, AttributeError):
        return None


def load_npz(path) -> dict[str, np.ndarray]:
    """Every member of the ``.npz`` at ``path``, memory-mapped read-only from the cache (made on
    first use); read into memory where the cache cannot be written."""
    try:
        digest = _sha256(path)
    except OSError:
        return _in_memory(path)  # (raises the error that says what is wrong with the file)
    stem = os.path.basename(os.fspath(path)).removesuffix(".npz")
    folder = os.path.join(cache_dir(), "tables", f"{stem}-{digest[:20]}")
    arrays = _mapped(folder)
    if arrays is None:
        try:
            _unpack(path, folder)
        except OSError:
            return _in_memory(path)
        arrays = _mapped(folder)
    return arrays if arrays is not None else _in_memory(path)
