"""Shipped tables memory-mapped from a per-user cache (issue 12: processes on a machine share one
copy): made once and reused, rebuilt when partial or corrupt, in memory where it cannot be written."""

from __future__ import annotations

import os

import numpy as np
import pytest

from unspin.lang import mapped


@pytest.fixture
def npz(tmp_path):
    p = tmp_path / "table.npz"
    np.savez_compressed(p, dst=np.arange(1000, dtype=np.int32), terms=np.array("a\nb\nc"))
    return p


def _folder(cache) -> str:
    (name,) = os.listdir(cache / "tables")
    return str(cache / "tables" / name)


def test_made_once_and_reused_read_only(npz, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("UNSPIN_CACHE_DIR", str(cache))
    a = mapped.load_npz(npz)
    assert a["dst"].tolist() == list(range(1000)) and str(a["terms"]) == "a\nb\nc"
    folder = _folder(cache)
    stamp = os.stat(os.path.join(folder, "dst.npy")).st_mtime_ns
    calls = []
    monkeypatch.setattr(mapped, "_unpack", lambda *x: calls.append(x))
    b = mapped.load_npz(npz)
    assert calls == [] and os.stat(os.path.join(folder, "dst.npy")).st_mtime_ns == stamp
    assert b["dst"].tolist() == list(range(1000))
    assert not b["dst"].flags.writeable
    with pytest.raises(ValueError):
        b["dst"][0] = 5
    assert type(b["dst"]) is np.ndarray  # not np.memmap (its slices are slow)


@pytest.mark.parametrize("damage", ["truncate", "flip", "no_meta"])
def test_partial_or_corrupt_cache_is_rebuilt(npz, tmp_path, monkeypatch, damage):
    cache = tmp_path / "cache"
    monkeypatch.setenv("UNSPIN_CACHE_DIR", str(cache))
    mapped.load_npz(npz)
    folder = _folder(cache)
    f = os.path.join(folder, "dst.npy")
    if damage == "truncate":
        with open(f, "r+b") as fh:
            fh.truncate(os.path.getsize(f) - 40)
    elif damage == "flip":
        with open(f, "r+b") as fh:
            fh.seek(-8, 2)
            fh.write(b"\xff" * 8)
    else:
        os.remove(os.path.join(folder, "meta.json"))
    a = mapped.load_npz(npz)
    assert a["dst"].tolist() == list(range(1000))
    assert mapped.load_npz(npz)["dst"][-1] == 999  # and the rebuilt cache is good


def test_unwritable_cache_falls_back_to_memory(npz, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("UNSPIN_CACHE_DIR", str(blocker / "cache"))  # cannot be made
    a = mapped.load_npz(npz)
    assert a["dst"].tolist() == list(range(1000)) and str(a["terms"]) == "a\nb\nc"


def test_shipped_tables_are_mapped():
    from unspin.lang.lexicon import Lexicon
    from unspin.lang.ppdb import Ppdb

    for arr in (Lexicon().dst, Ppdb().dst):
        assert not arr.flags.writeable and not arr.flags.owndata
