"""Batch work's garbage-collector settings (unspin.runtime): the command line uses them and
gives the caller's settings back; the library itself never changes them."""

import gc

from unspin.runtime import BATCH_GC_THRESHOLDS, batch_gc


def test_batch_gc_sets_and_restores_the_thresholds():
    before = gc.get_threshold()
    with batch_gc():
        assert gc.get_threshold() == BATCH_GC_THRESHOLDS
    assert gc.get_threshold() == before


def test_the_command_line_runs_with_them_and_gives_them_back(run_cli, monkeypatch):
    import importlib

    M = importlib.import_module("unspin.cli.main")

    seen = []
    real = M._run
    monkeypatch.setattr(M, "_run", lambda parser, args: (seen.append(gc.get_threshold()), real(parser, args))[1])
    before = gc.get_threshold()
    code, out, _ = run_cli(["restore"], stdin=b"One resident mentioned 12 folks have been killed.\n")
    assert code == 0 and out.strip()
    assert seen == [BATCH_GC_THRESHOLDS] and gc.get_threshold() == before


def test_the_library_leaves_them_alone():
    from unspin.restoration.restorer import RestoreConfig, get_restorer

    before = gc.get_threshold()
    get_restorer(RestoreConfig()).restore("One resident mentioned 12 folks have been killed.")
    assert gc.get_threshold() == before
