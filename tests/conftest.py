import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture
def run_cli(capsysbinary, monkeypatch):
    """Run the CLI in-process; returns (exit code, stdout str, stderr str)."""
    import io
    import sys

    from unspin.cli.main import main

    def run(args, stdin: bytes = b""):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        try:
            code = main(list(args))
        except SystemExit as e:
            code = e.code
        out, err = capsysbinary.readouterr()
        return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    return run


@pytest.fixture(scope="session")
def story_index(tmp_path_factory):
    """A trace index of two short news sentences ("raid", "vote"), built once for the session
    through the CLI's source reader (JSONL)."""
    import json

    from unspin.tracing.sources import iter_sources
    from unspin.tracing.index import build

    d = tmp_path_factory.mktemp("stories")
    src = d / "src.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "raid", "text": "Rescuers pulled at least 12 bodies from the rubble of a multi-story building."},
        {"id": "vote", "text": "The senate passed the bill after the vice president broke a tie."},
    ]) + "\n", encoding="utf-8")
    build(str(d / "i.db"), iter_sources([str(src)]))
    return str(d / "i.db")


def load_benchmark(name: str):
    """A script of ``benchmarks/`` as a module (they are scripts, not a package), for tests of
    their helpers: ``load_benchmark("bench_cluster")``."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

