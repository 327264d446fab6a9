"""``unspin`` command line: restore, detect, trace, index, screen, serve, eval.

Exit codes: 0 ok, 1 error (bad input, missing file, an output that cannot be written), 2 usage
(including an output that is also an input), 3 ``detect --fail-above`` hit, 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM). An output file is replaced only when a command succeeds.
Each capability registers its own subcommands (``unspin.cli.<name>.register``); this module
only builds the parser and maps errors to exit codes.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
from collections.abc import Iterator

from ..errors import UnspinError, UsageError
from ..inputs.textio import flush_stdout, silence_stdout
from ..runtime import batch_gc

# Modules that add subcommands; each has register(subparsers, eval_subparsers).
_COMMAND_MODULES = ("restore", "detect", "trace", "screen", "serve")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unspin",
        description="Detect machine-spun text, restore its original wording, and trace it to its source.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"unspin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    eval_parser = sub.add_parser("eval", help="measure quality on labelled data")
    eval_sub = eval_parser.add_subparsers(dest="eval_command", metavar="WHAT")
    eval_sub.required = True
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"unspin.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"unspin.cli.{name}":
                raise
            continue
        module.register(sub, eval_sub)
    return parser


class _Terminated(BaseException):
    """SIGTERM (``kill``, ``timeout``, a container stopping), raised so outputs in progress are
    discarded like on Ctrl-C instead of leaving temporary files behind."""


def _on_sigterm(signum, frame):
    raise _Terminated


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    try:
        old = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave signals to whoever runs us
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # batch work: the garbage collector less often over the pipelines' caches (unspin.runtime)
    with _sigterm_raises(), batch_gc():
        return _run(parser, args)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        code = int(args.func(args) or 0)
        flush_stdout()  # a full disk shows here for what was printed; name it, not at exit
        return code
    except UsageError as e:
        parser.print_usage(sys.stderr)
        print(f"unspin: error: {e}", file=sys.stderr)
        return 2
    except UnspinError as e:
        print(f"unspin: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print("unspin: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        # `unspin ... | head`: the reader went away; not an error of ours.
        silence_stdout()
        return 0
    except OSError as e:
        # Last resort for an OS error no command turned into a message (e.g. a print to a full
        # standard output): one line, never a traceback.
        silence_stdout()
        where = f"{e.filename}: " if e.filename else ""
        print(f"unspin: error: {where}{e.strerror or e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
